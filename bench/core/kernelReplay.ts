/**
 * `--profile --kernel-replay N`: the studio's WebGPU kernels against TensorFlow.js's own on the
 * calls a real training step makes. One warm training step runs with a recording wrapper around
 * each replaced kernel (shapes and attributes of every call); then each distinct call is replayed
 * alone (fresh random inputs already on the GPU, result read back), the studio's kernel and the
 * built-in one in alternation for N pairs, so that a change of machine load hits both alike.
 * Per call: medians of each and the median of the per-pair ratio; the totals add the medians over
 * the step's calls (a distinct call counted as often as the step makes it).
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderName } from '../../src/model/config';
import { alternatePairs, median } from '../../src/testing/pairedTiming';

export { median };

export interface ReplayJob {
  encoder: EncoderName;
  height: number;
  width: number;
  batch: number;
  pairs: number;
}

export interface KernelCall {
  kernel: string;
  inputShapes: Record<string, number[]>;
  attrs: Record<string, unknown>;
}

export interface ReplayRow {
  kernel: string;
  /** e.g. "x 2x64x128x3, dy 2x32x64x64, filter 7x7x3x64, stride 2, pad 3" */
  call: string;
  /** How many times the training step made this call. */
  count: number;
  oursMs: number;
  builtinMs: number;
  /** Median over the pairs of builtin / ours. */
  speedup: number;
}

export interface ReplayReport {
  job: ReplayJob;
  rows: ReplayRow[];
  /** Sum over the step's calls of the medians (ms). */
  totalOursMs: number;
  totalBuiltinMs: number;
  status: 'ok' | 'error' | 'timeout' | 'unavailable';
  reason?: string;
}

function callKey(c: KernelCall): string {
  return JSON.stringify([c.kernel, c.inputShapes, c.attrs]);
}

/** Distinct calls in first-seen order, with how often each was made. */
export function distinctCalls(calls: readonly KernelCall[]): { call: KernelCall; count: number }[] {
  const byKey = new Map<string, { call: KernelCall; count: number }>();
  for (const c of calls) {
    const key = callKey(c);
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { call: c, count: 1 });
  }
  return [...byKey.values()];
}

const dims = (shape: readonly number[]) => shape.join('x');

/** A short description of a call's shapes and the attributes that matter for convolutions. */
export function describeCall(c: KernelCall): string {
  const parts = Object.entries(c.inputShapes).map(([name, shape]) => `${name} ${dims(shape)}`);
  const a = c.attrs;
  if (Array.isArray(a.filterShape)) parts.push(`filter ${dims(a.filterShape as number[])}`);
  if (Array.isArray(a.inputShape)) parts.push(`output ${dims(a.inputShape as number[])}`);
  if (a.strides !== undefined) parts.push(`stride ${Array.isArray(a.strides) ? (a.strides as number[]).join('x') : String(a.strides)}`);
  if (a.pad !== undefined) parts.push(`pad ${typeof a.pad === 'object' ? JSON.stringify(a.pad) : String(a.pad)}`);
  return parts.join(', ');
}

/** One row from the paired timings of a call (ours[i] and builtin[i] ran one after the other). */
export function pairedRow(kernel: string, call: string, count: number, ours: readonly number[], builtin: readonly number[]): ReplayRow {
  if (ours.length !== builtin.length || ours.length === 0) throw new Error(`${call}: ${ours.length} and ${builtin.length} timings do not pair`);
  return { kernel, call, count, oursMs: median(ours), builtinMs: median(builtin), speedup: median(ours.map((o, i) => builtin[i] / o)) };
}

export function replayTotals(rows: readonly ReplayRow[]): { totalOursMs: number; totalBuiltinMs: number } {
  return {
    totalOursMs: rows.reduce((s, r) => s + r.count * r.oursMs, 0),
    totalBuiltinMs: rows.reduce((s, r) => s + r.count * r.builtinMs, 0),
  };
}

/**
 * Runs `step` once with every kernel in `kernels` (on the current backend) wrapped to record its
 * calls, then puts the kernels back as they were.
 */
export async function recordKernelCalls(kernels: readonly string[], step: () => Promise<void>): Promise<KernelCall[]> {
  const backend = tf.getBackend();
  const calls: KernelCall[] = [];
  const originals = kernels.map((name) => {
    const k = tf.getKernel(name, backend);
    if (!k) throw new Error(`no ${name} kernel on ${backend}`);
    return k;
  });
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const inputShapes = Object.fromEntries(Object.entries(args.inputs).map(([name, t]) => [name, [...(t as tf.TensorInfo).shape]]));
        calls.push({ kernel: k.kernelName, inputShapes, attrs: { ...(args.attrs as Record<string, unknown>) } });
        return k.kernelFunc(args);
      },
    });
  }
  try {
    await step();
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return calls;
}

/**
 * Replays each distinct call `pairs` times with `useOurs(true)` then `useOurs(false)` (after one
 * warm-up call of each), timing the kernel alone with its result read back.
 */
export async function replayPaired(calls: readonly KernelCall[], pairs: number, useOurs: (ours: boolean) => void): Promise<ReplayRow[]> {
  const rows: ReplayRow[] = [];
  for (const { call, count } of distinctCalls(calls)) {
    const inputs = Object.fromEntries(Object.entries(call.inputShapes).map(([name, shape]) => [name, tf.randomUniform(shape, -1, 1)]));
    const once = async (ours: boolean): Promise<number> => {
      useOurs(ours);
      try {
        const started = performance.now();
        const out = tf.engine().runKernel(call.kernel, inputs, call.attrs as tf.NamedAttrMap) as tf.Tensor;
        await out.data();
        out.dispose();
        return performance.now() - started;
      } finally {
        useOurs(true);
      }
    };
    try {
      const { ours, builtin } = await alternatePairs(once, pairs);
      rows.push(pairedRow(call.kernel, describeCall(call), count, ours, builtin));
    } finally {
      tf.dispose(Object.values(inputs));
    }
  }
  return rows;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

const ratioText = (t: { totalOursMs: number; totalBuiltinMs: number }) => `${(t.totalOursMs > 0 ? t.totalBuiltinMs / t.totalOursMs : Number.NaN).toFixed(2)}x`;

export function replayMarkdown(reports: readonly ReplayReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const { encoder, height, width, batch, pairs } = r.job;
    lines.push('', `## WebGPU kernels replayed: the studio's against TensorFlow.js's own (${encoder} ${height}x${width}, training batch ${batch})`, '');
    if (r.status !== 'ok') {
      lines.push(`${r.status}: ${r.reason ?? 'no result'}`);
      continue;
    }
    lines.push(
      `Every distinct call of the replaced kernels in one training step, replayed alone: ${pairs} alternating pairs after a warm-up of each; ` +
        'medians, and the median of the per-pair ratio. "×" = how many times the step makes the call.',
      '',
      '| kernel | call | × | studio ms | TF.js ms | speed-up |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    );
    for (const row of r.rows) lines.push(`| ${row.kernel} | ${row.call} | ${row.count} | ${ms(row.oursMs)} | ${ms(row.builtinMs)} | ${row.speedup.toFixed(2)}x |`);
    const kernels = [...new Set(r.rows.map((row) => row.kernel))];
    if (kernels.length > 1) {
      for (const kernel of kernels) {
        const t = replayTotals(r.rows.filter((row) => row.kernel === kernel));
        lines.push(`| **${kernel}, all its calls** | | | **${ms(t.totalOursMs)}** | **${ms(t.totalBuiltinMs)}** | **${ratioText(t)}** |`);
      }
    }
    lines.push(`| **all calls of one step** | | | **${ms(r.totalOursMs)}** | **${ms(r.totalBuiltinMs)}** | **${ratioText(r)}** |`);
  }
  return lines.join('\n');
}
