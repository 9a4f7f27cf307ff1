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

/**
 * What is summed down each column: the value itself (Sum, Mean), or for batch norm's statistics and
 * gradient the squared deviation from a per-column mean, or dy times that deviation. The WGSL
 * expression reads row r's element at `i` and the column's `col`.
 */
export const COLUMN_TERMS = {
  value: { inputs: ['x'], expression: 'x[i]' },
  centeredSquare: { inputs: ['x', 'mean'], expression: '(x[i] - mean[col]) * (x[i] - mean[col])' },
  centeredProduct: { inputs: ['dy', 'x', 'mean'], expression: 'dy[i] * (x[i] - mean[col])' },
} as const;
export type ColumnTerm = keyof typeof COLUMN_TERMS;

/** What becomes of a column's total: divided by a number (1 for a sum), or times 1/sqrt(variance + epsilon). */
export const COLUMN_FINISHES = {
  divide: { inputs: [], expression: 'total / uniforms.divisor' },
  inverseStd: { inputs: ['variance'], expression: 'total * inverseSqrt(variance[col] + uniforms.epsilon)' },
} as const;
export type ColumnFinish = keyof typeof COLUMN_FINISHES;

export interface ColumnReduction {
  term: ColumnTerm;
  finish: ColumnFinish;
  /** For 'divide'. */
  divisor?: number;
  /** For 'inverseStd'. */
  epsilon?: number;
}

function finishUniforms(r: ColumnReduction): Array<{ type: string; data: number[] }> {
  return [
    { type: 'float32', data: [r.divisor ?? 1] },
    { type: 'float32', data: [r.epsilon ?? 0] },
  ];
}

/**
 * Per slice of rows, the sum of each column's term: [slices, cols]. A one-slice plan finishes the
 * totals itself and writes the result.
 */
export class ColumnSlicesProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  uniforms = 'rows : i32, cols : i32, rowsPerSlice : i32, divisor : f32, epsilon : f32,';
  private readonly finishes: boolean;

  constructor(
    plan: LeadingReducePlan,
    private readonly reduction: Pick<ColumnReduction, 'term' | 'finish'>,
  ) {
    this.finishes = plan.slices === 1;
    this.variableNames = [...COLUMN_TERMS[reduction.term].inputs, ...(this.finishes ? COLUMN_FINISHES[reduction.finish].inputs : [])];
    this.outputShape = this.finishes ? plan.outShape : [plan.slices, plan.cols];
    this.shaderKey = `studioColumnSlices_${reduction.term}_${this.finishes ? reduction.finish : 'partial'}`;
    this.dispatch = [Math.ceil(plan.cols / THREADS), plan.slices, 1];
  }

  getUserCode(): string {
    const result = this.finishes ? COLUMN_FINISHES[this.reduction.finish].expression : 'total';
    return `
  fn main() {
    let col = i32(globalId.x);
    let slice = i32(workgroupId.y);
    if (col >= uniforms.cols) { return; }
    let first = slice * uniforms.rowsPerSlice;
    let end = min(first + uniforms.rowsPerSlice, uniforms.rows);
    var total = 0.0;
    for (var r = first; r < end; r++) {
      let i = r * uniforms.cols + col;
      total = total + ${COLUMN_TERMS[this.reduction.term].expression};
    }
    result[slice * uniforms.cols + col] = ${result};
  }
`;
  }
}

/** Adds the slices' partial sums [slices, cols] into the result (cols values) and finishes them. */
export class SliceTotalsProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;
  uniforms = 'slices : i32, divisor : f32, epsilon : f32,';

  constructor(
    plan: LeadingReducePlan,
    private readonly finish: ColumnFinish,
  ) {
    this.variableNames = ['partials', ...COLUMN_FINISHES[finish].inputs];
    this.outputShape = [...plan.outShape];
    this.shaderKey = `studioSliceTotals_${finish}`;
    this.dispatchLayout = { x: plan.outShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(plan.cols / THREADS), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let col = index;
    var total = 0.0;
    for (var s = 0; s < uniforms.slices; s++) { total = total + partials[s * uniforms.size + index]; }
    result[index] = ${COLUMN_FINISHES[this.finish].expression};
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
    return reduceLeadingAxes(anyBackend as unknown as WebGPUBackend, x, plan, mean ? plan.rows : 1);
  };
}

/** The planned reduction of x, divided by `divisor` (Sum: 1, Mean: the rows). */
export function reduceLeadingAxes(backend: WebGPUBackend, x: tf.TensorInfo, plan: LeadingReducePlan, divisor: number): tf.TensorInfo {
  return reduceColumns(backend, [x], [], plan, { term: 'value', finish: 'divide', divisor });
}

/**
 * Sums the reduction's term down the plan's columns and finishes each total: one pass, or two
 * where the rows are sliced. `termInputs` and `finishInputs` are the tensors COLUMN_TERMS and
 * COLUMN_FINISHES name, in their order.
 */
export function reduceColumns(
  backend: WebGPUBackend,
  termInputs: tf.TensorInfo[],
  finishInputs: tf.TensorInfo[],
  plan: LeadingReducePlan,
  reduction: ColumnReduction,
): tf.TensorInfo {
  const finishing = finishUniforms(reduction);
  const sliceUniforms = [
    { type: 'int32', data: [plan.rows] },
    { type: 'int32', data: [plan.cols] },
    { type: 'int32', data: [plan.rowsPerSlice] },
    ...finishing,
  ];
  const onePass = plan.slices === 1;
  const sliced = backend.runWebGPUProgram(new ColumnSlicesProgram(plan, reduction), onePass ? [...termInputs, ...finishInputs] : termInputs, 'float32', sliceUniforms);
  if (onePass) return sliced;
  const totals = backend.runWebGPUProgram(new SliceTotalsProgram(plan, reduction.finish), [sliced, ...finishInputs], 'float32', [
    { type: 'int32', data: [plan.slices] },
    ...finishing,
  ]);
  backend.disposeData(sliced.dataId);
  return totals;
}
