/**
 * Sum and Mean over leading axes for the WebGPU backend: the batch-norm statistics and their
 * gradients (over [0, 1, 2] of an NHWC tensor), the bias gradients and the loss's per-class sums.
 *
 * TensorFlow.js 4.22 reduces only over the innermost axes, so for these it first transposes the
 * whole tensor (a full copy) and then gives each output value a workgroup. Here the tensor is read
 * as rows x columns (the reduced axes x the kept ones) in place: each thread sums one column over a
 * slice of the rows (neighbouring threads read neighbouring values), and a second pass adds the
 * slices' partial sums (split so that a GPU gets enough threads when there are few columns, as for
 * a 3-class loss). Other axes and types go to the built-in kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const SUM = 'Sum';
export const MEAN = 'Mean';

const THREADS = 64;
/** Fewest rows a thread sums before the rows are split further. */
const MIN_ROWS_PER_SLICE = 32;
/** Enough threads to keep a large GPU busy; more slices only add partial sums. */
const TARGET_THREADS = 32768;
/** WebGPU's guaranteed limit on workgroups per dispatch dimension. */
const MAX_WORKGROUPS = 65535;

export interface LeadingReducePlan {
  /** Product of the reduced (leading) axes and of the kept (trailing) axes. */
  rows: number;
  cols: number;
  /** Slices of rows summed in parallel (1: one pass). */
  slices: number;
  rowsPerSlice: number;
  /** The result's shape (keepDims: the reduced axes as 1). */
  outShape: number[];
}

/**
 * The plan for a reduction of `shape` over `axis` (TensorFlow.js's axis attribute: a number, a list,
 * negative counted from the end), or null where it does not apply: types other than float32, axes
 * that are not the leading ones, all axes (the built-in reduces those without a transpose), or an
 * empty tensor.
 */
export function leadingReducePlan(shape: readonly number[], axis: number | number[], keepDims: boolean, dtype: string): LeadingReducePlan | null {
  const rank = shape.length;
  if (dtype !== 'float32' || rank < 2) return null;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank || axes.some((a, i) => a !== i)) return null;
  const rows = shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const cols = shape.slice(axes.length).reduce((a, b) => a * b, 1);
  if (rows === 0 || cols === 0) return null;
  const wanted = Math.min(Math.ceil(rows / MIN_ROWS_PER_SLICE), Math.ceil(TARGET_THREADS / cols), MAX_WORKGROUPS);
  const rowsPerSlice = Math.ceil(rows / Math.max(1, wanted));
  const slices = Math.ceil(rows / rowsPerSlice);
  const outShape = keepDims ? shape.map((d, i) => (i < axes.length ? 1 : d)) : shape.slice(axes.length);
  return { rows, cols, slices, rowsPerSlice, outShape };
}

/** Per slice of rows, the sum of each column: [slices, cols] (a one-slice plan writes the result, divided). */
export class ColumnSlicesProgram implements WebGPUProgram {
  variableNames = ['x'];
  outputShape: number[];
  shaderKey = 'studioColumnSlices';
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  uniforms = 'rows : i32, cols : i32, rowsPerSlice : i32, divisor : f32,';

  constructor(plan: LeadingReducePlan) {
    this.outputShape = plan.slices === 1 ? plan.outShape : [plan.slices, plan.cols];
    this.dispatch = [Math.ceil(plan.cols / THREADS), plan.slices, 1];
  }

  getUserCode(): string {
    return `
  fn main() {
    let col = i32(globalId.x);
    let slice = i32(workgroupId.y);
    if (col >= uniforms.cols) { return; }
    let first = slice * uniforms.rowsPerSlice;
    let end = min(first + uniforms.rowsPerSlice, uniforms.rows);
    var total = 0.0;
    for (var r = first; r < end; r++) { total = total + x[r * uniforms.cols + col]; }
    result[slice * uniforms.cols + col] = total / uniforms.divisor;
  }
`;
  }
}

/** Adds the slices' partial sums [slices, cols] into the result (cols values), divided (a mean: by the rows). */
export class SliceTotalsProgram implements WebGPUProgram {
  variableNames = ['partials'];
  outputShape: number[];
  shaderKey = 'studioSliceTotals';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;
  uniforms = 'slices : i32, divisor : f32,';

  constructor(plan: LeadingReducePlan) {
    this.outputShape = [...plan.outShape];
    this.dispatchLayout = { x: plan.outShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(plan.cols / THREADS), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    var total = 0.0;
    for (var s = 0; s < uniforms.slices; s++) { total = total + partials[s * uniforms.size + index]; }
    result[index] = total / uniforms.divisor;
  }
`;
  }
}

/** Sum (mean: false) or Mean (mean: true) over leading axes; everything else to the built-in. */
export function makeLeadingReduceWebgpu(mean: boolean): (builtin: tf.KernelFunc | null) => tf.KernelFunc {
  const name = mean ? MEAN : SUM;
  return (builtin) => (args) => {
    const { inputs, backend: anyBackend, attrs } = args;
    const x = (inputs as unknown as { x: tf.TensorInfo }).x;
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const plan = leadingReducePlan(x.shape, axis, keepDims, x.dtype);
    if (!plan) {
      if (!builtin) throw new Error(`${name}: unsupported case and no built-in kernel`);
      return builtin(args);
    }
    const backend = anyBackend as unknown as WebGPUBackend;
    const divisor = mean ? plan.rows : 1;
    const sliceUniforms = [
      { type: 'int32', data: [plan.rows] },
      { type: 'int32', data: [plan.cols] },
      { type: 'int32', data: [plan.rowsPerSlice] },
      { type: 'float32', data: [plan.slices === 1 ? divisor : 1] },
    ];
    const sliced = backend.runWebGPUProgram(new ColumnSlicesProgram(plan), [x], 'float32', sliceUniforms);
    if (plan.slices === 1) return sliced;
    const totals = backend.runWebGPUProgram(new SliceTotalsProgram(plan), [sliced], 'float32', [
      { type: 'int32', data: [plan.slices] },
      { type: 'float32', data: [divisor] },
    ]);
    backend.disposeData(sliced.dataId);
    return totals;
  };
}
