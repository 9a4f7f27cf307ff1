import { describe, expect, it } from 'vitest';
import { jobsFor, parseOptions, QUICK_BROWSER_BACKENDS } from '../../bench/core/options';
import { emptyRow, median } from '../../bench/core/measure';
import { batchTable, endToEndTable, markdownTable, speedRatio, topKernelLines } from '../../bench/core/table';
import type { BenchJob, BenchRow } from '../../bench/core/types';

const job = (engine: BenchJob['engine'], over: Partial<BenchJob> = {}): BenchJob => ({
  task: 'inference', engine, encoder: 'resnet18', height: 64, width: 128, batch: 1, runs: 3, budgetMs: 1000, ...over,
});

function row(engine: BenchJob['engine'], platform: BenchRow['platform'], backend: string, medianMs: number, over: Partial<BenchJob> = {}): BenchRow {
  const r = emptyRow(job(engine, over), platform, backend, `${engine} ${backend}`);
  r.runsMs = [medianMs];
  r.medianMs = medianMs;
  r.imagesPerSecond = 1000 / medianMs;
  return r;
}

describe('benchmark options and jobs', () => {
  it('--quick: resnet18 at the tiny size, browser wasm engines only, no node cpu', () => {
    const o = parseOptions(['--quick']);
    expect(o.encoders).toEqual(['resnet18']);
    expect(o.sizes).toEqual([{ height: 64, width: 128 }]);
    expect(o.browserBackends).toEqual([...QUICK_BROWSER_BACKENDS]);
    expect(o.nodeBackends).toEqual(['wasm', 'ort']);
    expect(o.trainBatches).toEqual([1]);
  });

  it('--node-backends: the Node engines in order (webgpu only when asked), none with --no-node or "none"', () => {
    expect(parseOptions([]).nodeBackends).toEqual(['wasm', 'ort', 'cpu']);
    expect(parseOptions(['--node-backends', 'webgpu,wasm']).nodeBackends).toEqual(['webgpu', 'wasm']);
    expect(parseOptions(['--no-node']).nodeBackends).toEqual([]);
    expect(parseOptions(['--node-backends', 'none']).nodeBackends).toEqual([]);
    expect(() => parseOptions(['--node-backends', 'webgl'])).toThrow(/unknown Node backend "webgl"/);
  });

  it('--profile: its defaults, its options, and refuses ONNX Runtime as a profiled backend', () => {
    const o = parseOptions(['--profile']);
    expect(o.profile).toBe(true);
    expect(o.profileEncoder).toBe('resnet18');
    expect(o.profileSize).toEqual({ height: 64, width: 128 });
    expect(o.profileBatch).toBe(2);
    expect(o.profileBrowser).toEqual(['webgpu', 'wasm']);
    expect(o.profileSetup).toBeNull();
    const p = parseOptions(['--profile', '--profile-size', '32x64', '--profile-browser', 'none', '--profile-setup', 'src/x.ts', '--profile-top', '5']);
    expect(p.profileSize).toEqual({ height: 32, width: 64 });
    expect(p.profileBrowser).toEqual([]);
    expect(p.profileSetup).toBe('src/x.ts');
    expect(p.profileTop).toBe(5);
    expect(() => parseOptions(['--profile', '--profile-browser', 'ort-wasm'])).toThrow(/not a TensorFlow.js backend/);
    expect(() => parseOptions(['--profile', '--profile-encoder', 'vgg'])).toThrow(/unknown encoder/);
    expect(parseOptions([]).profile).toBe(false);
  });

  it('end-to-end jobs: one per size and encoder after its inference jobs, none with --no-end-to-end', () => {
    const o = parseOptions(['--sizes', '64x128,160x416', '--encoders', 'resnet18']);
    const jobs = jobsFor(o, ['tfjs', 'tfjs-folded'], { endToEnd: o.endToEnd });
    expect(jobs.map((j) => `${j.task}/${j.engine}/${j.height}`)).toEqual([
      'inference/tfjs/64', 'inference/tfjs-folded/64', 'end-to-end/tfjs/64', 'inference/tfjs/160', 'inference/tfjs-folded/160', 'end-to-end/tfjs/160',
    ]);
    const off = parseOptions(['--no-end-to-end']);
    expect(jobsFor(off, ['tfjs'], { endToEnd: off.endToEnd }).some((j) => j.task === 'end-to-end')).toBe(false);
  });

  it('--infer-batches: inference jobs at each batch (default 1), end-to-end at batch 1', () => {
    expect(parseOptions([]).inferBatches).toEqual([1]);
    const o = parseOptions(['--sizes', '64x128', '--encoders', 'resnet18', '--infer-batches', '1,4']);
    const jobs = jobsFor(o, ['tfjs', 'ort'], { endToEnd: true });
    expect(jobs.map((j) => `${j.task}/${j.engine}/b${j.batch}`)).toEqual(['inference/tfjs/b1', 'inference/ort/b1', 'inference/tfjs/b4', 'inference/ort/b4', 'end-to-end/tfjs/b1']);
    expect(() => parseOptions(['--infer-batches', '0'])).toThrow(/--infer-batches: "0" is not a batch size/);
  });

  it('refuses sizes LinkNet cannot take and unknown backends', () => {
    expect(() => parseOptions(['--sizes', '160x400'])).toThrow(/multiple of 32/);
    expect(() => parseOptions(['--browser', 'webgl2'])).toThrow(/unknown browser backend/);
    expect(() => parseOptions(['--frobnicate'])).toThrow(/unknown argument/);
  });

  it('orders inference jobs smallest size first and keeps cpu to the tiny size', () => {
    const o = parseOptions(['--sizes', '320x800,64x128,160x416', '--encoders', 'resnet34,resnet18', '--train-batches', '1,4']);
    const jobs = jobsFor(o, ['tfjs'], { training: true });
    expect(jobs.filter((j) => j.task === 'inference').map((j) => `${j.height}x${j.width}/${j.encoder}`)).toEqual([
      '64x128/resnet34', '64x128/resnet18', '160x416/resnet34', '160x416/resnet18', '320x800/resnet34', '320x800/resnet18',
    ]);
    expect(jobs.filter((j) => j.task === 'training').map((j) => j.batch)).toEqual([1, 4, 1, 4]);
    expect(jobsFor(o, ['tfjs'], { tinyOnly: true }).every((j) => j.height === 64)).toBe(true);
  });
});

describe('benchmark table', () => {
  it('computes ratios to ONNX Runtime and the folded gain from the same case only', () => {
    const rows = [
      row('ort', 'node', 'cpu', 50),
      row('ort', 'browser', 'wasm', 200),
      row('tfjs', 'browser', 'wasm', 100),
      row('tfjs-folded', 'browser', 'wasm', 80),
      row('ort', 'node', 'cpu', 1, { height: 320, width: 800 }), // another case: must not be used
    ];
    expect(speedRatio(rows[2], rows[0])).toBeCloseTo(0.5);
    const table = markdownTable({
      environment: { date: 'd', machine: 'm', cpus: 'c', cpuCount: 2, memoryGiB: 8, node: 'v', browser: null, webgpuAdapter: null, webglRenderer: null, loadAverage: [1, 1, 1], notes: ['a note'] },
      options: {}, rows, wallSeconds: 1,
    });
    const line = table.split('\n').find((l) => l.includes('tfjs-folded wasm'))!;
    // vs ORT node 50/80, vs ORT web 200/80, folded gain 100/80.
    expect(line).toContain('| 0.63x | 2.50x | 1.25x | – |');
    expect(table).toContain('- a note');
  });

  it('end-to-end table: frame median and FPS next to the network alone (folded row, else predict row) of the same backend and size, and the stages', () => {
    const predict = row('tfjs', 'browser', 'wasm', 50);
    const otherBackend = row('tfjs', 'browser', 'webgpu', 5);
    const e2e = row('tfjs', 'browser', 'wasm', 80, { task: 'end-to-end' });
    e2e.label = 'tfjs wasm (viewer end to end)';
    e2e.stagesMs = { decode: 4, upload: 2, network: 50, postprocess: 10, draw: 3 };
    e2e.tensorsBefore = 0;
    e2e.tensorsAfter = 0;
    e2e.tensorsLeakedPerRun = 0;
    e2e.overlayPaired = { jsMs: [30, 20, 25], backendMs: [10, 12, 11], gain: 25 / 11, composeMethod: 'tensor-ops', drawPath: 'readback' };
    const lines = endToEndTable([otherBackend, predict, e2e]);
    const line = lines.find((l) => l.startsWith('| tfjs wasm (viewer end to end)'))!;
    // 80 ms/frame = 12.50 FPS; network alone 50 ms = 20 FPS; 50/80 = 0.63x; stages in order;
    // post + draw before (median 25) and after (median 11, read back), 2.27x.
    expect(line).toContain('| 80.0 | 12.50 | 50.0 (20.00) | 0.63x | 4.0 | 2.0 | 50.0 | 10.0 | 3.0 | 25.0 | 11.0 (tensor-ops, readback) | 2.27x | 0→0 (0) | ok (1 frame) |');
    expect(lines.some((l) => l.includes('| post + draw: JS overlay (before) | backend overlay (after) | gain |'))).toBe(true);
    expect(lines.some((l) => l.includes('| decode | upload | network | postprocess | draw |'))).toBe(true);
    expect(endToEndTable([predict])).toEqual([]);
    // With a folded row of the same backend and size, that is the network alone (what the viewer runs).
    const folded = row('tfjs-folded', 'browser', 'wasm', 40);
    const withFolded = endToEndTable([predict, folded, e2e]).find((l) => l.startsWith('| tfjs wasm (viewer end to end)'))!;
    expect(withFolded).toContain('| 80.0 | 12.50 | 40.0 (25.00) | 0.50x |');
  });

  it('batch table: frames per second by batch and the gain over batch 1, only with several batches', () => {
    const b1 = row('tfjs', 'browser', 'webgpu', 100);
    const b4 = row('tfjs', 'browser', 'webgpu', 200, { batch: 4 });
    b4.imagesPerSecond = 4000 / 200;
    const wasm1 = row('tfjs', 'browser', 'wasm', 50);
    const lines = batchTable([b1, b4, wasm1]);
    expect(lines).toContain('| where | engine | encoder | size | batch 1 | batch 4 |');
    expect(lines.find((l) => l.includes('webgpu'))).toContain('| 10.00 | 20.00 (2.00x) |');
    expect(lines.find((l) => l.includes('wasm'))).toContain('| 20.00 | – |');
    expect(batchTable([b1, wasm1])).toEqual([]);
  });

  it('top kernels: shares when the times are usable, only calls when they are not', () => {
    const good = row('tfjs', 'browser', 'wasm', 50);
    good.topKernels = [{ name: 'Conv2D', calls: 30, totalMs: 30, share: 0.6 }];
    good.kernelTiming = 'wall time of each kernel call';
    const zero = row('tfjs', 'browser', 'webgpu', 50);
    zero.topKernels = [{ name: 'Conv2D', calls: 30, totalMs: 0, share: 0 }];
    zero.kernelTiming = 'every kernel time is 0 ms (the backend does not time kernels here)';
    const lines = topKernelLines([good, zero]);
    expect(lines.find((l) => l.includes('wasm'))).toContain('Conv2D 60% (30)');
    expect(lines.find((l) => l.includes('webgpu'))).toContain('Conv2D (30) — times unusable: every kernel time is 0 ms');
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
