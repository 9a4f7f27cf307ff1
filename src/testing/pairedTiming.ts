/**
 * Timing two variants of the same work (the studio's kernels and TensorFlow.js's own) in
 * alternation, so that a change of machine load during the measurement hits both alike. Used by
 * the WebGPU kernel e2e harness and the benchmark's kernel replay.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One warm-up call of each variant (shader compilation), then `pairs` pairs: `once(true)` (ours)
 * then `once(false)` (the built-in). `once` returns the ms it took.
 */
export async function alternatePairs(once: (ours: boolean) => Promise<number>, pairs: number): Promise<{ ours: number[]; builtin: number[] }> {
  await once(true);
  await once(false);
  const ours: number[] = [];
  const builtin: number[] = [];
  for (let i = 0; i < pairs; i++) {
    ours.push(await once(true));
    builtin.push(await once(false));
  }
  return { ours, builtin };
}
