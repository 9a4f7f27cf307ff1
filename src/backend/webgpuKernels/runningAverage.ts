/**
 * The BatchNorm running-statistics update (src/model/runningAverage.ts) for the WebGPU backend: one
 * pass, the constants as uniforms, in the ops' order of operations.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram } from './elementwiseProgram';
import { RUNNING_AVERAGE_KERNEL, type RunningAverageAttrs, type RunningAverageInputs } from '../../model/runningAverage';

export const KERNEL_NAME = RUNNING_AVERAGE_KERNEL;

export class RunningAverageProgram extends ElementwiseProgram {
  shaderKey = 'studioRunningAverage';
  uniforms = 'decay : f32, momentum : f32, correction : f32,';

  constructor(shape: readonly number[]) {
    super(['running', 'batch'], shape);
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
