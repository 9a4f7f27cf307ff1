/**
 * Adam's update of one parameter (src/training/adamUpdate.ts) for the WebGPU backend: three passes,
 * one per output (a TensorFlow.js program writes one buffer), each reading what it needs once,
 * instead of the 14 launches and full-size intermediates of TensorFlow.js's AdamOptimizer. The
 * constants travel as uniforms, so no scalar tensor is uploaded.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram } from './elementwiseProgram';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs, type AdamUpdateInputs } from '../../training/adamUpdate';

export const KERNEL_NAME = ADAM_UPDATE_KERNEL;

type Output = 'm' | 'v' | 'param';

/** Each output's inputs and expression (the same operation order as the ops). */
const OUTPUTS: Record<Output, { inputs: string[]; expression: string }> = {
  m: { inputs: ['m', 'grad'], expression: 'm[index] * uniforms.beta1 + grad[index] * uniforms.oneMinusBeta1' },
  v: { inputs: ['v', 'grad'], expression: 'v[index] * uniforms.beta2 + (grad[index] * grad[index]) * uniforms.oneMinusBeta2' },
  param: {
    inputs: ['newM', 'newV', 'param'],
    expression:
      '((newM[index] / uniforms.biasCorrection1) / (sqrt(newV[index] / uniforms.biasCorrection2) + uniforms.epsilon)) * uniforms.negativeLearningRate + param[index]',
  },
};

const UNIFORMS: readonly (keyof AdamUpdateAttrs)[] = [
  'beta1',
  'oneMinusBeta1',
  'beta2',
  'oneMinusBeta2',
  'biasCorrection1',
  'biasCorrection2',
  'epsilon',
  'negativeLearningRate',
];

export class AdamUpdateProgram extends ElementwiseProgram {
  shaderKey: string;
  uniforms = UNIFORMS.map((name) => `${name} : f32,`).join(' ');

  constructor(
    private readonly output: Output,
    shape: readonly number[],
  ) {
    super(OUTPUTS[output].inputs, shape);
    this.shaderKey = `studioAdamUpdate_${output}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    result[index] = ${OUTPUTS[this.output].expression};
  }
`;
  }
}

export function makeAdamUpdateWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { param, grad, m, v } = inputs as unknown as AdamUpdateInputs<tf.TensorInfo>;
    const a = attrs as unknown as AdamUpdateAttrs;
    const uniforms = UNIFORMS.map((name) => ({ type: 'float32', data: [a[name]] }));
    const run = (output: Output, programInputs: tf.TensorInfo[]): tf.TensorInfo =>
      backend.runWebGPUProgram(new AdamUpdateProgram(output, param.shape), programInputs, 'float32', uniforms);
    const newM = run('m', [m, grad]);
    const newV = run('v', [v, grad]);
    const newParam = run('param', [newM, newV, param]);
    return [newParam, newM, newV];
  };
}
