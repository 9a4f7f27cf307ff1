/** The benchmark's markdown report: rows side by side, with speed ratios to the peers. */
import { STAGES } from '../../src/viewer/timings';
import { median } from '../../src/testing/pairedTiming';
import { replayMarkdown } from './kernelReplay';
import { profileMarkdown } from './profile';
import type { BenchReport, BenchRow } from './types';

const sameCase = (a: BenchRow, b: BenchRow) =>
  a.task === b.task && a.encoder === b.encoder && a.height === b.height && a.width === b.width && a.batch === b.batch;

const ok = (r: BenchRow | undefined): r is BenchRow & { medianMs: number } => !!r && r.status === 'ok' && r.medianMs !== null;

/** How many times faster `row` is than `peer` (peer median / row median); null when either is missing. */
export function speedRatio(row: BenchRow, peer: BenchRow | undefined): number | null {
  return ok(row) && ok(peer) ? peer.medianMs / row.medianMs : null;
}

/** ONNX Runtime for Node (native CPU) on the same case: the reference every row is compared with. */
export function ortNodePeer(rows: readonly BenchRow[], row: BenchRow): BenchRow | undefined {
  return rows.find((r) => r.platform === 'node' && r.engine === 'ort' && sameCase(r, row));
}

/** The fastest ONNX Runtime Web row (wasm or WebGPU) on the same case. */
export function ortWebPeer(rows: readonly BenchRow[], row: BenchRow): BenchRow | undefined {
  return rows
    .filter((r) => r.platform === 'browser' && r.engine === 'ort' && sameCase(r, row) && ok(r))
    .sort((a, b) => (a.medianMs ?? Infinity) - (b.medianMs ?? Infinity))[0];
}

/** The unfolded predict() row on the same platform and backend: the "before" of a folded row, the network alone of an end-to-end row. */
export function predictPeer(rows: readonly BenchRow[], row: BenchRow): BenchRow | undefined {
  const inference = { ...row, task: 'inference' as const };
  return rows.find((r) => r.engine === 'tfjs' && r.platform === row.platform && r.backend === row.backend && sameCase(r, inference));
}

/**
 * The network the viewer runs, alone: the folded row of the same platform, backend and size (the
 * viewer runs the folded network), else the predict row.
 */
export function networkPeer(rows: readonly BenchRow[], row: BenchRow): BenchRow | undefined {
  const inference = { ...row, task: 'inference' as const };
  const folded = rows.find((r) => r.engine === 'tfjs-folded' && r.platform === row.platform && r.backend === row.backend && sameCase(r, inference));
  return folded ?? predictPeer(rows, row);
}

const fmt = (v: number | null | undefined, digits = 0) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const ratio = (v: number | null) => (v === null ? '–' : `${v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}x`);
const mb = (bytes: number | null) => (bytes === null ? '–' : (bytes / 2 ** 20).toFixed(0));

/**
 * The end-to-end rows (the viewer's whole per-frame work) next to the network alone (networkPeer),
 * with the viewer's stage split.
 */
export function endToEndTable(rows: readonly BenchRow[]): string[] {
  const e2e = rows.filter((r) => r.task === 'end-to-end');
  if (e2e.length === 0) return [];
  const lines: string[] = ['', '### End to end: what the viewer does per frame', ''];
  lines.push('A PNG frame of the bench size (sample dataset) decoded, run through the network (kept on the backend), ' +
    'post-processed on the backend (thresholds 0.5, 3x3 closing of both classes, hood removed), composed into the overlay (WebGPU: one compute pass; hardware WebGL: tensor ops; ' +
    'wasm, CPU, software WebGL: JavaScript over the read-back masks) and counted, and drawn to a canvas (WebGPU on a hardware adapter: copied into a WebGPU canvas, nothing read back; ' +
    'elsewhere the drawn RGBA bytes read back once): the viewer\'s own code (`src/viewer/engine.ts`, `composePacked.ts`, `canvasDraw.ts`, `decodeFrame.ts`). ' +
    'The viewer runs the folded network (BatchNorm folded, conv + bias + ReLU fused); on wasm and CPU in the page it runs in a worker ' +
    '(`src/worker/networkWorker.ts`: the frame\'s pixels go over, the probabilities come back), so the page is not blocked. ' +
    '"network alone" = the folded row of the same backend and size, else its predict row (either run includes reading all probabilities back; ' +
    'the viewer reads back a 4-value fence instead). Stages: medians over the timed frames, as the viewer measures them ' +
    '(`src/viewer/timings.ts`); they need not add up to the frame median. "post + draw, JS overlay" is the same frame\'s post-processing ' +
    'and drawing the way the viewer did it before (masks read back, counted and composed in JavaScript, putImageData), timed alternately ' +
    'with the backend path on the same kept probabilities (medians; "gain" = JS / backend). ' +
    'Node rows ("frame on the backend, image read back"; WebGPU through Dawn): the same engine calls without a page: the frame\'s pixels are in memory (no decode) ' +
    'and the composed image is read back once instead of drawn (stage "draw"), an upper bound of the page\'s draw on a hardware adapter (`bench/core/nodeFrame.ts`).');
  lines.push('');
  lines.push(`| engine | encoder | size | ms/frame | FPS | network alone ms (FPS) | network alone / end to end | ${STAGES.join(' | ')} | post + draw: JS overlay (before) | backend overlay (after) | gain | tensors (leak/frame) | status |`);
  lines.push(`| --- | --- | --- | ---: | ---: | ---: | ---: | ${STAGES.map(() => '---:').join(' | ')} | ---: | ---: | ---: | --- | --- |`);
  for (const r of e2e) {
    const net = networkPeer(rows, r);
    const netText = ok(net) ? `${fmt(net.medianMs, 1)} (${fmt(net.imagesPerSecond, 2)})` : '–';
    const stages = STAGES.map((s) => (r.stagesMs ? fmt(r.stagesMs[s], 1) : '–'));
    const p = r.overlayPaired;
    const pair = p && p.jsMs.length > 0 ? [fmt(median(p.jsMs), 1), `${fmt(median(p.backendMs), 1)} (${p.composeMethod}, ${p.drawPath})`, ratio(p.gain)] : ['–', '–', '–'];
    const tensors = r.tensorsBefore === null ? '–' : `${r.tensorsBefore}→${r.tensorsAfter ?? '?'} (${r.tensorsLeakedPerRun ?? '?'})`;
    const status = r.status === 'ok' ? `ok (${r.runsMs.length} frame${r.runsMs.length === 1 ? '' : 's'})` : `${r.status}: ${r.reason ?? ''}`;
    lines.push(`| ${r.label}${r.threads ? `, ${r.threads} thr` : ''} | ${r.encoder} | ${r.height}x${r.width} | ${fmt(r.medianMs, 1)} | ${fmt(r.imagesPerSecond, 2)} | ${netText} | ` +
      `${ratio(speedRatio(r, net))} | ${stages.join(' | ')} | ${pair.join(' | ')} | ${tensors} | ${status.replace(/\|/g, '/')} |`);
  }
  return lines;
}

/**
 * Inference at several batch sizes (`--infer-batches`): per engine, backend, encoder and size, the
 * frames per second at each batch and the gain over batch 1 (whether batching frames pays, as for
 * a video's answer file).
 */
export function batchTable(rows: readonly BenchRow[]): string[] {
  const inference = rows.filter((r) => r.task === 'inference' && r.status === 'ok' && r.imagesPerSecond !== null);
  const batches = [...new Set(inference.map((r) => r.batch))].sort((a, b) => a - b);
  if (batches.length < 2) return [];
  const key = (r: BenchRow) => `${r.platform}|${r.label}|${r.encoder}|${r.height}x${r.width}`;
  const groups = new Map<string, BenchRow[]>();
  for (const r of inference) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const lines = ['', '### Inference by batch size', '',
    'Frames per second (batch / median) at each batch; in brackets the gain over batch 1 of the same engine, backend and size.', '',
    `| where | engine | encoder | size | ${batches.map((b) => `batch ${b}`).join(' | ')} |`,
    `| --- | --- | --- | --- | ${batches.map(() => '---:').join(' | ')} |`];
  for (const group of groups.values()) {
    const first = group[0]!;
    const single = group.find((r) => r.batch === 1)?.imagesPerSecond ?? null;
    const cells = batches.map((b) => {
      const r = group.find((x) => x.batch === b);
      if (!r) return '–';
      const gain = single && b !== 1 ? ` (${ratio(r.imagesPerSecond! / single)})` : '';
      return `${fmt(r.imagesPerSecond, 2)}${gain}`;
    });
    lines.push(`| ${first.platform} | ${first.label} | ${first.encoder} | ${first.height}x${first.width} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Per inference row, the kernels taking most time in its profiled run. */
export function topKernelLines(rows: readonly BenchRow[]): string[] {
  const withKernels = rows.filter((r) => r.topKernels && r.topKernels.length > 0);
  if (withKernels.length === 0) return [];
  const lines: string[] = ['', '### Top kernels of one inference (tf.profile of the peak-memory run)', ''];
  lines.push('Share of the summed kernel time, calls in brackets. `npm run bench -- --profile` gives full per-kernel tables, training step included.');
  lines.push('');
  for (const r of withKernels) {
    const unusable = r.kernelTiming?.startsWith('no kernel') || r.kernelTiming?.startsWith('every kernel');
    const kernels = r.topKernels!.map((k) => `${k.name} ${unusable ? '' : `${(k.share * 100).toFixed(0)}% `}(${k.calls})`).join(', ');
    lines.push(`- ${r.platform} ${r.label}, ${r.encoder} ${r.height}x${r.width}: ${kernels}${unusable ? ` — times unusable: ${r.kernelTiming}` : ''}`);
  }
  return lines;
}

export function markdownTable(report: BenchReport): string {
  const { environment: env, rows } = report;
  const lines: string[] = [];
  lines.push(`## LinkNet benchmark — ${env.date}, ${env.machine}`);
  lines.push('');
  lines.push(`- CPU: ${env.cpus} (${env.cpuCount} logical), ${env.memoryGiB.toFixed(0)} GiB; Node ${env.node}; load average at start ${env.loadAverage.map((v) => v.toFixed(2)).join(' ')}`);
  lines.push(`- Browser: ${env.browser ?? 'not run'}; WebGPU adapter: ${env.webgpuAdapter ?? '–'}; WebGL renderer: ${env.webglRenderer ?? '–'}`);
  if (env.nodeWebgpuAdapter) lines.push(`- Node WebGPU (Dawn) adapter: ${env.nodeWebgpuAdapter}`);
  for (const note of env.notes) lines.push(`- ${note}`);
  if (report.profiles) {
    lines.push('');
    lines.push(profileMarkdown(report.profiles));
    if (report.replays?.length) lines.push(replayMarkdown(report.replays));
  }
  if (rows.length === 0) {
    lines.push('', `Total wall time: ${report.wallSeconds.toFixed(0)} s.`);
    return lines.join('\n');
  }
  lines.push('');
  lines.push('Times in ms (median of the timed runs after one warm-up run; the warm-up includes shader compilation). ' +
    '"vs ORT node" and "vs ORT web" = the peer\'s median / this row\'s (above 1: this row is faster). ' +
    '"folded gain" = predict() median / folded median on the same backend (same run): first from the two rows, ' +
    'then in brackets from runs of both taken alternately within the folded job (less affected by a changing machine load).');
  lines.push('');
  lines.push('| where | engine | encoder | size | batch | task | setup | warm-up | median | img/s | vs ORT node | vs ORT web | folded gain | kernels | tensors before→after (leak/run) | peak MB | status |');
  lines.push('| --- | --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
  for (const r of rows) {
    const folded = r.engine === 'tfjs-folded' ? speedRatio(r, predictPeer(rows, r)) : null;
    const foldedText = r.engine === 'tfjs-folded' ? `${ratio(folded)}${r.paired ? ` (${r.paired.gain.toFixed(2)}x)` : ''}` : '–';
    const tensors = r.tensorsBefore === null ? '–' : `${r.tensorsBefore}→${r.tensorsAfter ?? '?'}${r.tensorsLeakedPerRun !== null ? ` (${r.tensorsLeakedPerRun})` : ''}`;
    const status = r.status === 'ok' ? `ok (${r.runsMs.length} run${r.runsMs.length === 1 ? '' : 's'})` : `${r.status}: ${r.reason ?? ''}`;
    lines.push(
      `| ${r.platform} | ${r.label}${r.threads ? `, ${r.threads} thr` : ''} | ${r.encoder} | ${r.height}x${r.width} | ${r.batch} | ${r.task} | ${fmt(r.setupMs)} | ${fmt(r.warmupMs)} | ${fmt(r.medianMs, 1)} | ${fmt(r.imagesPerSecond, 2)} | ` +
        `${r.engine === 'ort' && r.platform === 'node' && r.status === 'ok' ? '1.00x' : ratio(speedRatio(r, ortNodePeer(rows, r)))} | ${ratio(speedRatio(r, ortWebPeer(rows, r)))} | ${foldedText} | ${r.kernelCount ?? '–'} | ${tensors} | ${mb(r.peakBytes)} | ${status.replace(/\|/g, '/')} |`,
    );
  }
  lines.push(...endToEndTable(rows));
  lines.push(...batchTable(rows));
  lines.push(...topKernelLines(rows));
  lines.push('');
  lines.push(`Total wall time: ${report.wallSeconds.toFixed(0)} s.`);
  return lines.join('\n');
}
