/**
 * BatchNorm in training mode (batch statistics over N, H, W of an NHWC tensor) with its gradient in
 * closed form, instead of TensorFlow.js differentiating the forward ops one by one.
 *
 * Forward, per channel over the n = N*H*W values: mean, variance (biased), s = gamma / sqrt(var + eps),
 *   y = (x - mean) * s + beta.
 * Backward (the standard result, e.g. Ioffe & Szegedy 2015), with c = x - mean and g = dy:
 *   dbeta = sum(g),  dgamma = sum(g * c) / sqrt(var + eps),
 *   dx = s * (g - dbeta / n - c * sum(g * c) / (n * (var + eps))).
 * Autodiff of the forward ops walks back through the subtraction of the mean, the square, both
 * means and the broadcasts: about nine full-size passes and three reductions per layer; this is
 * five full-size passes (g*c, then dx as g*a + c*b + d with per-channel a, b, d) and two reductions.
 *
 * Where the backend has the studio's two kernels (WebGPU: src/backend/webgpuKernels/batchNormTraining.ts)
 * each direction is one kernel call: StudioBatchNormForward (x, gamma, beta -> y, mean, variance) and
 * StudioBatchNormBackward (dy, x, mean, variance, gamma -> dx, dgamma, dbeta), the same formulas with
 * x - mean recomputed where it is needed instead of kept. Elsewhere, or with them unregistered (the
 * "before" of a comparison), the closed form runs as the ops below.
 */
import * as tf from '@tensorflow/tfjs';
import { reluGrad, reluGradKernelActive } from './reluTraining';

/**
 * How a training-mode BatchNorm is differentiated: 'closed-form' (the default) or 'autodiff'
 * (TensorFlow.js through the forward ops: the definition, kept as the reference and the "before").
 */
export type BatchNormGradient = 'closed-form' | 'autodiff';

export interface BatchNormTrainingResult {
  y: tf.Tensor4D;
  /** Batch mean and biased variance per channel (not differentiated; for the running statistics). */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

const AXES = [0, 1, 2];

export const BATCH_NORM_FORWARD_KERNEL = 'StudioBatchNormForward';
export const BATCH_NORM_BACKWARD_KERNEL = 'StudioBatchNormBackward';

export interface BatchNormForwardInputs<T> {
  x: T;
  gamma: T;
  beta: T;
}

export interface BatchNormBackwardInputs<T> {
  dy: T;
  x: T;
  mean: T;
  variance: T;
  gamma: T;
}

export interface BatchNormKernelAttrs {
  epsilon: number;
  /** StudioBatchNormForward: y = max(0, BatchNorm(x)), the ReLU that follows most BatchNorms in the same pass. */
  relu?: boolean;
}

/** Whether the active backend has both kernels (otherwise the closed form runs as ops). */
export function batchNormKernelsActive(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(BATCH_NORM_FORWARD_KERNEL, backend) !== undefined && tf.getKernel(BATCH_NORM_BACKWARD_KERNEL, backend) !== undefined;
}

export function batchNormTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number, gradient: BatchNormGradient = 'closed-form'): BatchNormTrainingResult {
  if (gradient === 'autodiff') return batchNormByOps(x, gamma, beta, epsilon);
  if (x.dtype === 'float32' && batchNormKernelsActive()) return withClosedFormGradient(x, gamma, beta, kernelsForward(epsilon, false));
  return withClosedFormGradient(x, gamma, beta, opsForward(epsilon, x.shape[0] * x.shape[1] * x.shape[2]));
}

/** Whether batchNormReluTraining can fuse for `x`: float32, with both BatchNorm kernels and StudioReluGrad on the active backend. */
export function batchNormReluFusable(x: tf.Tensor): boolean {
  return x.dtype === 'float32' && batchNormKernelsActive() && reluGradKernelActive();
}

/**
 * relu(BatchNorm(x)) in training mode with the ReLU inside StudioBatchNormForward's last pass (one
 * launch, a full-size read and write fewer than a separate ReLU). Its gradient masks dy by y > 0
 * (StudioReluGrad) and runs StudioBatchNormBackward on that: what the two ops' gradients do.
 * Needs batchNormReluFusable().
 */
export function batchNormReluTraining(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  if (!batchNormReluFusable(x)) throw new Error(`${BATCH_NORM_FORWARD_KERNEL} with ReLU: needs float32 input and the BatchNorm and ReLU-gradient kernels on the active backend`);
  return withClosedFormGradient(x, gamma, beta, kernelsForward(epsilon, true));
}

/** One direction's work: y and the batch statistics, and the gradient of (x, gamma, beta) given dy. */
type ClosedForm = (
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  save: tf.GradSaveFunc,
) => { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** y with `forward`'s own gradient (tf.customGrad), and the batch statistics kept for the caller. */
function withClosedFormGradient(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, forward: ClosedForm): BatchNormTrainingResult {
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;
  const normalize = (input: tf.Tensor, gammaIn: tf.Tensor, betaIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const { y, mean, variance, gradFunc } = forward(input, gammaIn, betaIn, save);
    stats = { mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) };
    return { value: y, gradFunc };
  };
  // customGrad's type has every argument as Tensor | GradSaveFunc; the engine passes the tensors, then save.
  const y = tf.customGrad(normalize as unknown as Parameters<typeof tf.customGrad>[0])(x, gamma, beta) as tf.Tensor4D;
  return { y, ...stats! };
}

/** The closed form as ops (n: the values per channel). */
function opsForward(epsilon: number, count: number): ClosedForm {
  return (input, gammaIn, betaIn, save) => {
    const { mean, centered, variance } = batchMoments(input);
    const varPlusEps = tf.add(variance, epsilon);
    const scale = tf.mul(gammaIn, tf.rsqrt(varPlusEps));
    const y = tf.add(tf.mul(centered, scale), betaIn);
    save([centered, varPlusEps, scale]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [c, ve, s] = saved;
      const g = dy as tf.Tensor4D;
      const dBeta = tf.sum(g, AXES);
      const gc = tf.sum(tf.mul(g, c), AXES);
      const dGamma = tf.mul(gc, tf.rsqrt(ve));
      // dx = g*s + c*b + d, with b = -s*gc/(n*ve) and d = -s*dbeta/n.
      const b = tf.neg(tf.div(tf.mul(s, gc), tf.mul(ve, count)));
      const d = tf.neg(tf.div(tf.mul(s, dBeta), count));
      const dx = tf.add(tf.add(tf.mul(g, s), tf.mul(c, b)), d);
      return [dx, dGamma, dBeta];
    };
    return { y, mean, variance, gradFunc };
  };
}

/** The closed form as the backend's two kernels (see the top of this file); `relu`: y = max(0, y), dy masked by y > 0. */
function kernelsForward(epsilon: number, relu: boolean): ClosedForm {
  const attrs = { epsilon, relu } as unknown as tf.NamedAttrMap;
  return (input, gammaIn, betaIn, save) => {
    const forwardInputs: BatchNormForwardInputs<tf.Tensor> = { x: input, gamma: gammaIn, beta: betaIn };
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_FORWARD_KERNEL, forwardInputs as unknown as tf.NamedTensorMap, attrs) as unknown as tf.Tensor[];
    save(relu ? [input, mean, variance, gammaIn, y] : [input, mean, variance, gammaIn]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ms, vs, gs, ys] = saved;
      const backwardInputs: BatchNormBackwardInputs<tf.Tensor> = { dy: ys ? reluGrad({ dy, y: ys }) : dy, x: xs, mean: ms, variance: vs, gamma: gs };
      return tf.engine().runKernel(BATCH_NORM_BACKWARD_KERNEL, backwardInputs as unknown as tf.NamedTensorMap, attrs) as unknown as tf.Tensor[];
    };
    return { y, mean, variance, gradFunc };
  };
}

/** Per-channel batch mean, the input minus it, and the biased variance (two passes, for precision). */
function batchMoments(x: tf.Tensor): { mean: tf.Tensor1D; centered: tf.Tensor; variance: tf.Tensor1D } {
  const mean = tf.mean(x, AXES) as tf.Tensor1D;
  const centered = tf.sub(x, mean);
  return { mean, centered, variance: tf.mean(tf.square(centered), AXES) as tf.Tensor1D };
}

/** The same forward as ops that TensorFlow.js differentiates one by one. */
function batchNormByOps(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  const { mean, centered, variance } = batchMoments(x);
  const y = tf.add(tf.mul(centered, tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)))), beta) as tf.Tensor4D;
  return { y, mean: tf.keep(mean), variance: tf.keep(variance) };
}
