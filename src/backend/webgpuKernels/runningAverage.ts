/**
 * The BatchNorm running-statistics update (src/model/runningAverage.ts) for the WebGPU backend: one
 * pass, the constants as uniforms, in the ops' order of operations.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { RUNNING_AVERAGE_KERNEL, type RunningAverageAttrs, type RunningAverageInputs } from '../../model/runningAverage';

export const KERNEL_NAME = RUNNING_AVERAGE_KERNEL;

const THREADS = 64;

export class RunningAverageProgram implements WebGPUProgram {
  variableNames = ['running', 'batch'];
  outputShape: number[];
  shaderKey = 'studioRunningAverage';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;
  uniforms = 'decay : f32, momentum : f32, correction : f32,';

  constructor(shape: readonly number[]) {
    this.outputShape = [...shape];
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / THREADS), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    result[index] = running[index] * uniforms.decay + (batch[index] * uniforms.correction) * uniforms.momentum;
  }
`;
  }
}

export function makeRunningAverageWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { running, batch } = inputs as unknown as RunningAverageInputs<tf.TensorInfo>;
    const a = attrs as unknown as RunningAverageAttrs;
    const uniforms = [a.decay, a.momentum, a.correction].map((v) => ({ type: 'float32', data: [v] }));
    return backend.runWebGPUProgram(new RunningAverageProgram(running.shape), [running, batch], 'float32', uniforms);
  };
}
