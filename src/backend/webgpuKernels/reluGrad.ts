/**
 * ReLU's gradient (src/model/reluTraining.ts) for the WebGPU backend: dx = select(0, dy, y > 0) in
 * one pass, a vec4 per thread where the size is a multiple of 4.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram } from './elementwiseProgram';
import { RELU_GRAD_KERNEL, type ReluGradInputs } from '../../model/reluTraining';

export const KERNEL_NAME = RELU_GRAD_KERNEL;

export class ReluGradProgram extends ElementwiseProgram {
  shaderKey: string;

  constructor(shape: readonly number[]) {
    super(['dy', 'y'], shape, shape.reduce((a, b) => a * b, 1) % 4 === 0 ? 4 : 1);
    this.shaderKey = `studioReluGrad_${this.outputComponent}`;
  }

  getUserCode(): string {
    const zero = this.outputComponent === 4 ? 'vec4<f32>(0.0)' : '0.0';
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    result[index] = select(${zero}, dy[index], y[index] > ${zero});
  }
`;
  }
}

export function makeReluGradWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { dy, y } = inputs as unknown as ReluGradInputs<tf.TensorInfo>;
    if (dy.dtype !== 'float32' || y.dtype !== 'float32' || dy.shape.join() !== y.shape.join()) {
      throw new Error(`${RELU_GRAD_KERNEL}: expected float32 dy and y of one shape, got ${dy.dtype} [${dy.shape}] and ${y.dtype} [${y.shape}]`);
    }
    return backend.runWebGPUProgram(new ReluGradProgram(dy.shape), [dy, y], 'float32');
  };
}
