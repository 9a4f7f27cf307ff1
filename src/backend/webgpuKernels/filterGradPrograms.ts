/**
 * WGSL programs of the WebGPU filter gradient (see filterGradPlan.ts for the split of the work),
 * written against TensorFlow.js's WebGPU program interface: the backend prepends the input
 * bindings (`x`, `dy`, ...), the output `result` and the `uniforms` struct (with the fields named
 * in `uniforms` below, in the order of the values passed to runWebGPUProgram).
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { COLUMNS_THREADS, FILTER_GRAD_TILE_K, TILED_PER_THREAD, TILED_THREADS, TILED_TILE, type FilterGradPlan } from './filterGradPlan';

/** Scalar int32 uniforms of the tiled program, in this order (runWebGPUProgram packs them in order). */
export const FILTER_GRAD_UNIFORMS = [
  'mTotal',
  'nTotal',
  'kTotal',
  'kPerSplit',
  'stepsPerSplit',
  'outW',
  'outHW',
  'kwTimesCi',
  'inC',
  'inH',
  'inW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
] as const;

export type FilterGradUniformName = (typeof FILTER_GRAD_UNIFORMS)[number];

const THREADS = TILED_THREADS * TILED_THREADS;

/**
 * Tiled, split-K product: workgroup (tn, tm, split) computes a 32x32 tile of dW over its slice of
 * the inner dimension. Each step stages FILTER_GRAD_TILE_K inner positions of the im2col'd input (A)
 * and of dy (B) in workgroup memory; each thread accumulates 4x4 outputs strided by 8, so
 * neighbouring threads read and write neighbouring channels.
 * Output: [splits, m, n] partial sums.
 */
export class FilterGradTiledProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  shaderKey = `studioFilterGradTiled_${TILED_TILE}_${FILTER_GRAD_TILE_K}`;
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [TILED_THREADS, TILED_THREADS, 1];
  uniforms = FILTER_GRAD_UNIFORMS.map((u) => `${u} : i32,`).join(' ');

  constructor(plan: FilterGradPlan) {
    if (plan.kind !== 'tiled') throw new Error(`FilterGradTiledProgram got a '${plan.kind}' plan`);
    this.outputShape = [plan.splits, plan.m, plan.n];
    this.dispatch = [plan.tilesN, plan.tilesM, plan.splits];
  }

  getUserCode(): string {
    const threadsM = TILED_THREADS;
    const threadsN = TILED_THREADS;
    const perM = TILED_PER_THREAD;
    const perN = TILED_PER_THREAD;
    const rows = TILED_TILE;
    const cols = TILED_TILE;
    const tileK = FILTER_GRAD_TILE_K;
    return `
  var<workgroup> tileA : array<array<f32, ${rows}>, ${tileK}>;
  var<workgroup> tileB : array<array<f32, ${cols}>, ${tileK}>;

  // Decoded positions, so the loads below do no integer division: per tile column m its
  // (kh, kw, ci), per staged inner index k its batch row offset and top-left input corner.
  var<workgroup> colKh : array<i32, ${rows}>;
  var<workgroup> colKw : array<i32, ${rows}>;
  var<workgroup> colCi : array<i32, ${rows}>;
  var<workgroup> rowBatch : array<i32, ${tileK}>;
  var<workgroup> rowIh : array<i32, ${tileK}>;
  var<workgroup> rowIw : array<i32, ${tileK}>;

  // Outside the filter (m >= mTotal) lands below the image, outside the slice far above it: both read 0.
  const OUT_OF_FILTER = 16777216;
  const OUT_OF_SLICE = -268435456;

  fn readB(k : i32, kEnd : i32, n : i32) -> f32 {
    if (k >= kEnd || n >= uniforms.nTotal) { return 0.0; }
    return dy[k * uniforms.nTotal + n];
  }

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let tid = ty * ${threadsN} + tx;
    let nBase = i32(workgroupId.x) * ${cols};
    let mBase = i32(workgroupId.y) * ${rows};
    let split = i32(workgroupId.z);
    let kStart = split * uniforms.kPerSplit;
    let kEnd = min(kStart + uniforms.kPerSplit, uniforms.kTotal);

    for (var c = tid; c < ${rows}; c += ${THREADS}) {
      let m = mBase + c;
      let kh = m / uniforms.kwTimesCi;
      let r = m - kh * uniforms.kwTimesCi;
      let kw = r / uniforms.inC;
      colKh[c] = select(OUT_OF_FILTER, kh, m < uniforms.mTotal);
      colKw[c] = kw;
      colCi[c] = r - kw * uniforms.inC;
    }

    var acc : array<array<f32, ${perN}>, ${perM}>;
    for (var i = 0; i < ${perM}; i++) {
      for (var j = 0; j < ${perN}; j++) { acc[i][j] = 0.0; }
    }

    // The trip count is a uniform so every invocation reaches the barriers.
    for (var step = 0; step < uniforms.stepsPerSplit; step++) {
      let k0 = kStart + step * ${tileK};
      for (var kk = tid; kk < ${tileK}; kk += ${THREADS}) {
        let k = k0 + kk;
        let b = k / uniforms.outHW;
        let r = k - b * uniforms.outHW;
        let oh = r / uniforms.outW;
        rowBatch[kk] = b * uniforms.inH;
        rowIh[kk] = select(OUT_OF_SLICE, oh * uniforms.strideH - uniforms.padTop, k < kEnd);
        rowIw[kk] = (r - oh * uniforms.outW) * uniforms.strideW - uniforms.padLeft;
      }
      workgroupBarrier();
      for (var e = tid; e < ${rows * tileK}; e += ${THREADS}) {
        let kk = e / ${rows};
        let c = e - kk * ${rows};
        let ih = rowIh[kk] + colKh[c];
        let iw = rowIw[kk] + colKw[c];
        var v = 0.0;
        if (ih >= 0 && ih < uniforms.inH && iw >= 0 && iw < uniforms.inW) {
          v = x[((rowBatch[kk] + ih) * uniforms.inW + iw) * uniforms.inC + colCi[c]];
        }
        tileA[kk][c] = v;
      }
      for (var e = tid; e < ${cols * tileK}; e += ${THREADS}) {
        let kk = e / ${cols};
        let c = e - kk * ${cols};
        tileB[kk][c] = readB(k0 + kk, kEnd, nBase + c);
      }
      workgroupBarrier();
      for (var kk = 0; kk < ${tileK}; kk++) {
        var a : array<f32, ${perM}>;
        var b : array<f32, ${perN}>;
        for (var i = 0; i < ${perM}; i++) { a[i] = tileA[kk][ty + i * ${threadsM}]; }
        for (var j = 0; j < ${perN}; j++) { b[j] = tileB[kk][tx + j * ${threadsN}]; }
        for (var i = 0; i < ${perM}; i++) {
          for (var j = 0; j < ${perN}; j++) { acc[i][j] = fma(a[i], b[j], acc[i][j]); }
        }
      }
      workgroupBarrier();
    }

    for (var i = 0; i < ${perM}; i++) {
      let m = mBase + ty + i * ${threadsM};
      if (m >= uniforms.mTotal) { continue; }
      for (var j = 0; j < ${perN}; j++) {
        let n = nBase + tx + j * ${threadsN};
        if (n < uniforms.nTotal) {
          result[(split * uniforms.mTotal + m) * uniforms.nTotal + n] = acc[i][j];
        }
      }
    }
  }
`;
  }
}

/**
 * Split-K product for filters with few output channels (n <= COLUMNS_MAX_N): thread (m, split)
 * keeps the n sums of filter row m = (kh, kw, ci) in registers and walks its slice of the inner
 * dimension (b, oh, ow) in order, reading each input value once and the n values of dy at that
 * position. Output: [splits, m, n] partial sums.
 */
export class FilterGradColumnsProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0], z: [2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [COLUMNS_THREADS, 1, 1];
  uniforms = FILTER_GRAD_UNIFORMS.map((u) => `${u} : i32,`).join(' ');
  private readonly n: number;

  constructor(plan: FilterGradPlan) {
    if (plan.kind !== 'columns') throw new Error(`FilterGradColumnsProgram got a '${plan.kind}' plan`);
    this.n = plan.n;
    this.outputShape = [plan.splits, plan.m, plan.n];
    this.dispatch = [plan.tilesM, plan.splits, 1];
    this.shaderKey = `studioFilterGradColumns_${plan.n}`;
  }

  getUserCode(): string {
    const n = this.n;
    return `
  fn main() {
    let m = i32(workgroupId.x) * ${COLUMNS_THREADS} + i32(localId.x);
    let split = i32(workgroupId.y);
    if (m >= uniforms.mTotal) { return; }
    let kh = m / uniforms.kwTimesCi;
    let r = m - kh * uniforms.kwTimesCi;
    let kw = r / uniforms.inC;
    let ci = r - kw * uniforms.inC;

    var acc : array<f32, ${n}>;
    for (var j = 0; j < ${n}; j++) { acc[j] = 0.0; }

    let kStart = split * uniforms.kPerSplit;
    let kEnd = min(kStart + uniforms.kPerSplit, uniforms.kTotal);
    // Position of kStart, then advanced one output pixel at a time.
    var b = kStart / uniforms.outHW;
    let rest = kStart - b * uniforms.outHW;
    var oh = rest / uniforms.outW;
    var ow = rest - oh * uniforms.outW;
    var ih = oh * uniforms.strideH - uniforms.padTop + kh;
    var iw = ow * uniforms.strideW - uniforms.padLeft + kw;
    for (var k = kStart; k < kEnd; k++) {
      if (ih >= 0 && ih < uniforms.inH && iw >= 0 && iw < uniforms.inW) {
        let v = x[((b * uniforms.inH + ih) * uniforms.inW + iw) * uniforms.inC + ci];
        let d = k * ${n};
        for (var j = 0; j < ${n}; j++) { acc[j] = fma(v, dy[d + j], acc[j]); }
      }
      ow = ow + 1;
      iw = iw + uniforms.strideW;
      if (ow == uniforms.outW) {
        ow = 0;
        iw = uniforms.padLeft * -1 + kw;
        oh = oh + 1;
        ih = ih + uniforms.strideH;
        if (oh * uniforms.outW == uniforms.outHW) {
          oh = 0;
          ih = kh - uniforms.padTop;
          b = b + 1;
        }
      }
    }
    let base = (split * uniforms.mTotal + m) * ${n};
    for (var j = 0; j < ${n}; j++) { result[base + j] = acc[j]; }
  }
`;
  }
}

/** Adds the split-K partial products [splits, m, n] into the filter gradient (same values as [m, n]). */
export class SumSplitsProgram implements WebGPUProgram {
  variableNames = ['partials'];
  outputShape: number[];
  shaderKey = 'studioSumSplits';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  uniforms = 'splits : i32,';

  constructor(filterShape: readonly number[]) {
    this.outputShape = [...filterShape];
    this.dispatchLayout = { x: filterShape.map((_, i) => i) };
    const size = filterShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / 64), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var total = 0.0;
      for (var s = 0; s < uniforms.splits; s++) {
        total = total + partials[s * uniforms.size + index];
      }
      result[index] = total;
    }
  }
`;
  }
}
