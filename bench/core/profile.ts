/**
 * Per-kernel profiles (tf.profile) as data: kernel records summed by kernel name into "top
 * kernels" (calls, total ms, share of all kernel time), and their markdown. Pure functions, shared
 * by Node, the browser page and the tests.
 */
import type { EncoderName } from '../../src/model/config';
import type { KernelChanges } from './kernelRegistry';

/** One kernel call as tf.profile saw it; `ms` null when the backend gave no time (`error` says why). */
export interface KernelRecord {
  name: string;
  ms: number | null;
  error?: string;
}

export interface KernelTotal {
  name: string;
  calls: number;
  totalMs: number;
  /** totalMs / the sum over every kernel (0-1); 0 when no kernel has a time. */
  share: number;
}

export interface KernelSummary {
  /** Kernel calls counted (op-level wrapper records left out). */
  calls: number;
  /** Sum of every timed kernel's ms. */
  totalMs: number;
  /** Calls without a time (the backend reported an error or nothing). */
  untimedCalls: number;
  /** Calls timed at exactly 0 ms (e.g. WebGPU kernels forwarded to the CPU, or no timestamp queries). */
  zeroCalls: number;
  /** First error text a backend gave instead of a time, if any. */
  error: string | null;
  /** Kernels by total time, largest first (ties: more calls first, then name). */
  top: KernelTotal[];
  /** Kernels beyond the top ones: how many distinct names, calls and ms. */
  rest: { kernels: number; calls: number; totalMs: number };
}

/**
 * Records of op-level scopes that tf.fused ops log besides their kernel (`fusedConv2d__op`): their
 * time includes the kernel's, so they are left out to count each kernel once.
 */
export const isOpWrapper = (name: string): boolean => name.endsWith('__op');

/** tf.profile's kernelTimeMs is a number or `{error: string}`; anything else counts as untimed. */
export function kernelRecord(name: string, kernelTimeMs: unknown): KernelRecord {
  if (typeof kernelTimeMs === 'number' && Number.isFinite(kernelTimeMs)) return { name, ms: kernelTimeMs };
  if (kernelTimeMs && typeof kernelTimeMs === 'object' && 'error' in kernelTimeMs) {
    return { name, ms: null, error: String((kernelTimeMs as { error: unknown }).error) };
  }
  return { name, ms: null, error: `no time (${typeof kernelTimeMs})` };
}

/** Sums records by kernel name; the `topN` largest by total time are listed, the rest summed. */
export function aggregateKernels(records: readonly KernelRecord[], topN: number): KernelSummary {
  const byName = new Map<string, { calls: number; totalMs: number }>();
  let calls = 0;
  let totalMs = 0;
  let untimedCalls = 0;
  let zeroCalls = 0;
  let error: string | null = null;
  for (const r of records) {
    if (isOpWrapper(r.name)) continue;
    calls++;
    const entry = byName.get(r.name) ?? { calls: 0, totalMs: 0 };
    entry.calls++;
    if (r.ms === null) {
      untimedCalls++;
      error ??= r.error ?? null;
    } else {
      entry.totalMs += r.ms;
      totalMs += r.ms;
      if (r.ms === 0) zeroCalls++;
    }
    byName.set(r.name, entry);
  }
  const all = [...byName]
    .map(([name, e]) => ({ name, calls: e.calls, totalMs: e.totalMs, share: totalMs > 0 ? e.totalMs / totalMs : 0 }))
    .sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls || a.name.localeCompare(b.name));
  const top = all.slice(0, Math.max(0, topN));
  const rest = all.slice(top.length);
  return {
    calls,
    totalMs,
    untimedCalls,
    zeroCalls,
    error,
    top,
    rest: { kernels: rest.length, calls: rest.reduce((a, k) => a + k.calls, 0), totalMs: rest.reduce((a, k) => a + k.totalMs, 0) },
  };
}

/** What was profiled and how; one per platform x backend x task. */
export interface ProfileJob {
  encoder: EncoderName;
  height: number;
  width: number;
  /** Training step batch (inference always runs batch 1). */
  batch: number;
  topN: number;
  /** A module run before profiling (e.g. one registering other kernels), as given on the command line. */
  setup: string | null;
  /** The bench page's query string (browser rows), e.g. one the backend selection reads. */
  pageQuery: string | null;
}

export interface ProfileRow {
  platform: 'node' | 'browser';
  backend: string;
  task: 'inference' | 'training';
  encoder: EncoderName;
  height: number;
  width: number;
  batch: number;
  setup: string | null;
  pageQuery: string | null;
  /** Kernels the backend selection or the setup module registered over the backend's own, or null if unknown. */
  kernelChanges: KernelChanges | null;
  status: 'ok' | 'error' | 'timeout' | 'unavailable';
  reason?: string;
  /** How the per-kernel times were taken (e.g. "WebGPU timestamp queries"). */
  timing: string;
  /** Wall time of the profiled run (profiling itself slows some backends down). */
  wallMs: number | null;
  /** Wall time of the same work warm and unprofiled, for comparison. */
  unprofiledMs: number | null;
  summary: KernelSummary | null;
}

/** "replaced A, B; added C", or "none". */
export function kernelChangesText(c: KernelChanges): string {
  const parts = [c.replaced.length ? `replaced ${c.replaced.join(', ')}` : '', c.added.length ? `added ${c.added.join(', ')}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : 'none';
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Why the kernel times of a row cannot be trusted, or null. */
export function timingProblem(s: KernelSummary): string | null {
  if (s.calls === 0) return 'no kernel calls were recorded';
  if (s.untimedCalls === s.calls) return `no kernel has a time (${s.error ?? 'the backend gave none'})`;
  if (s.totalMs === 0) return 'every kernel time is 0 ms (the backend does not time kernels here)';
  return null;
}

/** One markdown section per profile row: a heading, how it was timed, and the top kernels. */
export function profileMarkdown(rows: readonly ProfileRow[]): string {
  const lines: string[] = ['## Per-kernel profile (tf.profile, one warm run)', ''];
  lines.push('Share = the kernel\'s total time / the sum over all kernels of the run. "calls" counts kernel invocations; ' +
    'op-level records of fused ops are left out so each kernel counts once.');
  for (const r of rows) {
    lines.push('');
    const what = r.task === 'training' ? `training step (batch ${r.batch})` : 'inference (batch 1)';
    const variant = [r.pageQuery && r.platform === 'browser' ? `page ?${r.pageQuery}` : '', r.setup ? `setup ${r.setup}` : ''].filter(Boolean).join(', ');
    lines.push(`### ${r.platform} ${r.backend}: ${what}, ${r.encoder} ${r.height}x${r.width}${variant ? `, ${variant}` : ''}`);
    lines.push('');
    if (r.kernelChanges) lines.push(`Kernels not TensorFlow.js's own: ${kernelChangesText(r.kernelChanges)}.`, '');
    if (r.status !== 'ok' || !r.summary) {
      lines.push(`${r.status}: ${r.reason ?? 'no profile'}`);
      continue;
    }
    const s = r.summary;
    const problem = timingProblem(s);
    const parts = [`timing: ${r.timing}`, `${s.calls} kernel calls`];
    if (r.wallMs !== null) parts.push(`profiled run ${ms(r.wallMs)} ms wall`);
    if (r.unprofiledMs !== null) parts.push(`unprofiled ${ms(r.unprofiledMs)} ms`);
    parts.push(`kernel times sum to ${ms(s.totalMs)} ms${r.wallMs ? ` (${pct(s.totalMs / r.wallMs)} of the profiled wall time)` : ''}`);
    if (s.zeroCalls > 0) parts.push(`${s.zeroCalls} calls timed 0 ms`);
    if (s.untimedCalls > 0) parts.push(`${s.untimedCalls} calls without a time`);
    lines.push(parts.join('; ') + '.');
    if (problem) lines.push('', `**Kernel times unusable: ${problem}.** Calls per kernel below; ms and share are not meaningful.`);
    lines.push('');
    lines.push('| kernel | calls | total ms | share |');
    lines.push('| --- | ---: | ---: | ---: |');
    for (const k of s.top) lines.push(`| ${k.name} | ${k.calls} | ${ms(k.totalMs)} | ${problem ? '–' : pct(k.share)} |`);
    if (s.rest.kernels > 0) {
      const share = s.totalMs > 0 && !problem ? pct(s.rest.totalMs / s.totalMs) : '–';
      lines.push(`| (${s.rest.kernels} other kernels) | ${s.rest.calls} | ${ms(s.rest.totalMs)} | ${share} |`);
    }
  }
  return lines.join('\n');
}
