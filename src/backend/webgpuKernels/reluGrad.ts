/**
 * ReLU's gradient (src/model/reluTraining.ts) for the WebGPU backend: dx = select(0, dy, y > 0) in
 * one pass, a vec4 per thread where the size is a multiple of 4.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { RELU_GRAD_KERNEL, type ReluGradInputs } from '../../model/reluTraining';

export const KERNEL_NAME = RELU_GRAD_KERNEL;

const THREADS = 64;

export class ReluGradProgram implements WebGPUProgram {
  variableNames = ['dy', 'y'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;
  outputComponent: number;
  variableComponents: number[];

  constructor(shape: readonly number[]) {
    const size = shape.reduce((a, b) => a * b, 1);
    this.outputComponent = size % 4 === 0 ? 4 : 1;
    this.variableComponents = [this.outputComponent, this.outputComponent];
    this.outputShape = [...shape];
    this.shaderKey = `studioReluGrad_${this.outputComponent}`;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(size / this.outputComponent / THREADS), 1, 1];
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
