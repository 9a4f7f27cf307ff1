/**
 * How the WebGPU filter-gradient kernel splits its work (pure; unit-tested).
 *
 * The gradient of a convolution's filter is one matrix product,
 *   dW[(kh, kw, ci), co] = sum over k = (b, oh, ow) of x[b, oh*sh - pt + kh, ow*sw - pl + kw, ci] * dy[b, oh, ow, co],
 * with M = KH*KW*Ci rows, N = Co columns and a long inner dimension K = B*OH*OW (the whole batch
 * and image). Its output is small next to K (a 7x7x3x64 filter has 9,408 values; K is 512,000 at
 * 320x800 batch 8), so the inner dimension is also split across workgroups ("split-K"): each
 * split writes a partial product and a second pass adds the splits up.
 */

/** Inner-dimension step staged in workgroup memory. */
export const FILTER_GRAD_TILE_K = 32;

/**
 * Two programs share the plan:
 *  - 'columns': one thread per filter row m keeps all n (<= COLUMNS_MAX_N) sums in registers and
 *    walks its slice of the image directly: one input value read per n multiply-adds, the n values
 *    of dy at that pixel shared by the whole workgroup (the same pixel for every thread);
 *  - 'tiled': for more output channels (too many sums for registers), workgroups of 8x8 threads
 *    compute 32x32 output tiles, each thread 4x4 values, staging both operands in workgroup memory.
 * Measured on SwiftShader (the only WebGPU here), replaying a resnet18 training step's calls, the
 * columns program took 0.3-0.7x the time of the tiled one on the layers with 64 output channels;
 * on a GPU the two do similar work per multiply-add, the columns one without barriers.
 * A short inner dimension (k <= PER_OUTPUT_MAX_K: the deepest layers at small inputs, 512x512
 * filters over 16 pixels) is left to TensorFlow.js's own kernel ('perOutput'): one thread per
 * filter value with a loop of k steps, which then has plenty of threads and short loops. Measured
 * on SwiftShader, our tiled program takes 2x its time there (k = 16) and 0.75x at k = 64.
 */
export type FilterGradKind = 'tiled' | 'columns' | 'perOutput';

export const TILED_THREADS = 8;
export const TILED_PER_THREAD = 4;
export const TILED_TILE = TILED_THREADS * TILED_PER_THREAD;
/** Threads per workgroup of the columns program (all along m). */
export const COLUMNS_THREADS = 64;
/** Output channels up to which the columns program is used. */
export const COLUMNS_MAX_N = 64;
/** Inner dimensions up to which the built-in per-output kernel is used. */
export const PER_OUTPUT_MAX_K = 32;

export interface FilterGradShape {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
}

export interface FilterGradPlan {
  /** Rows of the product: filterHeight * filterWidth * inChannels. */
  m: number;
  /** Columns: outChannels. */
  n: number;
  /** Inner dimension: batch * outHeight * outWidth. */
  k: number;
  kind: FilterGradKind;
  /** Workgroups along m and along n. */
  tilesM: number;
  tilesN: number;
  /** Workgroups along the inner dimension; 1 writes the filter directly. */
  splits: number;
  /** Inner elements per split (a multiple of FILTER_GRAD_TILE_K). */
  kPerSplit: number;
  /** kPerSplit / FILTER_GRAD_TILE_K: the (uniform) trip count of each tiled workgroup's loop. */
  stepsPerSplit: number;
}

export interface FilterGradPlanOptions {
  /** Aim for at least this many workgroups (of 64 threads) in flight. */
  targetWorkgroups?: number;
  /** Never split the inner dimension finer than this. */
  minKPerSplit?: number;
  /** Cap on the partial-product buffer (splits * m * n floats). */
  maxPartialFloats?: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

export function planFilterGrad(shape: FilterGradShape, options: FilterGradPlanOptions = {}): FilterGradPlan {
  const { targetWorkgroups = 512, minKPerSplit = 512, maxPartialFloats = 16 * 1024 * 1024 } = options;
  const m = shape.filterHeight * shape.filterWidth * shape.inChannels;
  const n = shape.outChannels;
  const k = shape.batch * shape.outHeight * shape.outWidth;
  if (m <= 0 || n <= 0 || k <= 0) throw new Error(`empty filter gradient (m ${m}, n ${n}, k ${k})`);
  const kind: FilterGradKind = k <= PER_OUTPUT_MAX_K ? 'perOutput' : n <= COLUMNS_MAX_N ? 'columns' : 'tiled';
  const tilesM = ceilDiv(m, kind === 'tiled' ? TILED_TILE : COLUMNS_THREADS);
  const tilesN = kind === 'tiled' ? ceilDiv(n, TILED_TILE) : 1;
  const tiles = tilesM * tilesN;
  const bySize = Math.max(1, Math.floor(k / minKPerSplit));
  const byMemory = Math.max(1, Math.floor(maxPartialFloats / (m * n)));
  const wanted = ceilDiv(targetWorkgroups, tiles);
  let splits = Math.max(1, Math.min(wanted, bySize, byMemory));
  const kPerSplit = ceilDiv(ceilDiv(k, splits), FILTER_GRAD_TILE_K) * FILTER_GRAD_TILE_K;
  // Rounding kPerSplit up can leave trailing splits empty: drop them.
  splits = ceilDiv(k, kPerSplit);
  return { m, n, k, kind, tilesM, tilesN, splits, kPerSplit, stepsPerSplit: kPerSplit / FILTER_GRAD_TILE_K };
}
