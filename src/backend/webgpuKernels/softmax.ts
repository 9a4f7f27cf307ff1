/**
 * Softmax for the WebGPU backend over a short last axis (a segmentation network's few classes):
 * one thread per row. TensorFlow.js 4.22's kernel gives every row a workgroup of 64 threads and a
 * tree of barriers: for LinkNet's 3 classes at 320x800 that is 256,000 workgroups in which 61 of
 * 64 threads have nothing to do. Longer rows, other axes and other types go to the built-in kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const KERNEL_NAME = 'Softmax';

/** Rows up to this length get one thread each. */
export const SOFTMAX_ROW_MAX = 32;

const THREADS = 64;

export class SoftmaxRowsProgram implements WebGPUProgram {
  variableNames = ['logits'];
  outputShape: number[];
  shaderKey = 'studioSoftmaxRows';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  uniforms = 'rows : i32, cols : i32,';

  constructor(shape: readonly number[], rows: number) {
    this.outputShape = [...shape];
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(rows / THREADS), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.rows) { return; }
    let base = index * uniforms.cols;
    var top = logits[base];
    for (var c = 1; c < uniforms.cols; c++) { top = max(top, logits[base + c]); }
    var total = 0.0;
    for (var c = 0; c < uniforms.cols; c++) { total = total + exp(logits[base + c] - top); }
    for (var c = 0; c < uniforms.cols; c++) { result[base + c] = exp(logits[base + c] - top) / total; }
  }
`;
  }
}

/** Whether the row program applies: softmax over the last axis of a float32 tensor with short rows. */
export function softmaxRowsApply(shape: readonly number[], dim: number, dtype: string): boolean {
  const rank = shape.length;
  const axis = dim < 0 ? dim + rank : dim;
  const cols = shape[rank - 1] ?? 0;
  return rank >= 1 && axis === rank - 1 && dtype === 'float32' && cols >= 1 && cols <= SOFTMAX_ROW_MAX;
}

export function makeSoftmaxWebgpu(builtin: tf.KernelFunc | null): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { logits: tf.TensorInfo }; backend: WebGPUBackend; attrs: { dim: number } };
    const { logits } = inputs;
    if (!softmaxRowsApply(logits.shape, attrs.dim, logits.dtype)) {
      if (!builtin) throw new Error(`${KERNEL_NAME}: unsupported case and no built-in kernel`);
      return builtin(args);
    }
    const cols = logits.shape[logits.shape.length - 1];
    const rows = logits.shape.reduce((a, b) => a * b, 1) / cols;
    const uniforms = [
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [cols] },
    ];
    return backend.runWebGPUProgram(new SoftmaxRowsProgram(logits.shape, rows), [logits], 'float32', uniforms);
  };
}
