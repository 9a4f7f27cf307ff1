/**
 * Training-mode BatchNorm for the WebGPU backend (the kernels of src/model/batchNormTraining.ts):
 *
 *  - StudioBatchNormForward (x, gamma, beta -> y, mean, variance): the mean and the variance as
 *    column sums down the N*H*W rows (two passes each where the rows are sliced, see
 *    leadingAxesReduce.ts), then y in one pass: 5 passes, 3 full-size reads and 1 write. The closed
 *    form as ops takes 9 ops, 6 full-size reads and 4 writes. With `relu` the last pass also
 *    applies the ReLU that follows (batchNormReluTraining).
 *  - StudioBatchNormBackward (dy, x, mean, variance, gamma -> dx, dgamma, dbeta): dbeta = sum(dy)
 *    and dgamma = sum(dy * (x - mean)) / sqrt(variance + eps) as column sums, then dx in one pass.
 *    5 passes, 5 full-size reads and 1 write, instead of 16 ops, 9 reads and 5 writes.
 *
 * The per-element passes take one element per thread, or a vec4 where C is a multiple of 4, and
 * read the per-channel vectors at index mod C (as channelBroadcast.ts does).
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram } from './elementwiseProgram';
import {
  BATCH_NORM_BACKWARD_KERNEL,
  BATCH_NORM_FORWARD_KERNEL,
  type BatchNormBackwardInputs,
  type BatchNormForwardInputs,
  type BatchNormKernelAttrs,
} from '../../model/batchNormTraining';
import { channelBroadcastWidth } from './channelBroadcast';
import { leadingReducePlan, reduceColumns, reduceLeadingAxes, type LeadingReducePlan } from './leadingAxesReduce';

export { BATCH_NORM_BACKWARD_KERNEL, BATCH_NORM_FORWARD_KERNEL };

/** The per-element passes: the inputs (full-size first, then per-channel) and the expression. */
const CHANNEL_PASSES = {
  normalize: {
    full: ['x'],
    channel: ['mean', 'variance', 'gamma', 'beta'],
    expression: '(x[index] - mean[ch]) * (gamma[ch] * inverseSqrt(variance[ch] + uniforms.epsilon)) + beta[ch]',
  },
  normalizeRelu: {
    full: ['x'],
    channel: ['mean', 'variance', 'gamma', 'beta'],
    expression: 'max(ZERO, (x[index] - mean[ch]) * (gamma[ch] * inverseSqrt(variance[ch] + uniforms.epsilon)) + beta[ch])',
  },
  inputGradient: {
    full: ['dy', 'x'],
    channel: ['mean', 'variance', 'gamma', 'dgamma', 'dbeta'],
    // s * (dy - dbeta/n - (x - mean) * dgamma / (n * sqrt(var + eps))), s = gamma / sqrt(var + eps).
    expression:
      'gamma[ch] * inverseSqrt(variance[ch] + uniforms.epsilon) * (dy[index] - dbeta[ch] / uniforms.count - (x[index] - mean[ch]) * (dgamma[ch] * inverseSqrt(variance[ch] + uniforms.epsilon) / uniforms.count))',
  },
} as const;
type ChannelPass = keyof typeof CHANNEL_PASSES;

export class BatchNormChannelProgram extends ElementwiseProgram {
  shaderKey: string;
  uniforms = 'period : i32, epsilon : f32, count : f32,';

  constructor(
    private readonly pass: ChannelPass,
    shape: readonly number[],
  ) {
    super([...CHANNEL_PASSES[pass].full, ...CHANNEL_PASSES[pass].channel], shape, channelBroadcastWidth(shape[shape.length - 1]));
    this.shaderKey = `studioBatchNorm_${pass}_${this.outputComponent}`;
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let ch = index % uniforms.period;
    result[index] = ${CHANNEL_PASSES[this.pass].expression.replace('ZERO', this.outputComponent === 4 ? 'vec4<f32>(0.0)' : '0.0')};
  }
`;
  }
}

function runChannelPass(backend: WebGPUBackend, pass: ChannelPass, inputs: tf.TensorInfo[], plan: LeadingReducePlan, epsilon: number): tf.TensorInfo {
  const shape = inputs[0].shape;
  const program = new BatchNormChannelProgram(pass, shape);
  return backend.runWebGPUProgram(program, inputs, 'float32', [
    { type: 'int32', data: [plan.cols / program.outputComponent] },
    { type: 'float32', data: [epsilon] },
    { type: 'float32', data: [plan.rows] },
  ]);
}

/** The column plan of an [..., C] tensor reduced over all but its last axis. */
function channelPlan(kernel: string, x: tf.TensorInfo): LeadingReducePlan {
  const rank = x.shape.length;
  const plan = leadingReducePlan(x.shape, Array.from({ length: rank - 1 }, (_, i) => i), false, x.dtype);
  if (!plan) throw new Error(`${kernel}: expected a non-empty float32 tensor of rank 2 or more, got ${x.dtype} [${x.shape}]`);
  return plan;
}

export function makeBatchNormForwardWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { x, gamma, beta } = inputs as unknown as BatchNormForwardInputs<tf.TensorInfo>;
    const { epsilon, relu } = attrs as unknown as BatchNormKernelAttrs;
    const plan = channelPlan(BATCH_NORM_FORWARD_KERNEL, x);
    const mean = reduceLeadingAxes(backend, x, plan, plan.rows);
    const variance = reduceColumns(backend, [x, mean], [], plan, { term: 'centeredSquare', finish: 'divide', divisor: plan.rows });
    const y = runChannelPass(backend, relu ? 'normalizeRelu' : 'normalize', [x, mean, variance, gamma, beta], plan, epsilon);
    return [y, mean, variance];
  };
}

export function makeBatchNormBackwardWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { dy, x, mean, variance, gamma } = inputs as unknown as BatchNormBackwardInputs<tf.TensorInfo>;
    const { epsilon } = attrs as unknown as BatchNormKernelAttrs;
    const plan = channelPlan(BATCH_NORM_BACKWARD_KERNEL, x);
    const dbeta = reduceLeadingAxes(backend, dy, plan, 1);
    const dgamma = reduceColumns(backend, [dy, x, mean], [variance], plan, { term: 'centeredProduct', finish: 'inverseStd', epsilon });
    const dx = runChannelPass(backend, 'inputGradient', [dy, x, mean, variance, gamma, dgamma, dbeta], plan, epsilon);
    return [dx, dgamma, dbeta];
  };
}
