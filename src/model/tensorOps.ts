/** LinkNet's layer operations on TensorFlow.js tensors, with PyTorch semantics (NHWC). */
import * as tf from '@tensorflow/tfjs';
import { deconvOutputSize, type DeconvSpec, type LayerOps } from './architecture';
import { batchNormReluFusable, batchNormReluTraining, batchNormTraining, type BatchNormGradient, type BatchNormTrainingResult } from './batchNormTraining';
import { reluGradKernelActive, reluTraining } from './reluTraining';

/** PyTorch BatchNorm2d defaults. */
export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.1;

/** Batch statistics of one BatchNorm layer in a training-mode forward pass. */
export interface BatchNormStats {
  name: string;
  mean: tf.Tensor1D;
  /** Biased variance (n denominator); PyTorch's running_var takes the unbiased one, variance * n / (n - 1). */
  variance: tf.Tensor1D;
  /** n: the values per channel (N*H*W). */
  count: number;
}

export interface TensorOpsOptions {
  /** Looks up a parameter by PyTorch name (in TensorFlow.js layout). */
  param: (name: string) => tf.Tensor;
  /** Training mode: BatchNorm uses batch statistics and reports them here (kept; caller disposes). */
  training: boolean;
  batchStats?: BatchNormStats[];
  /** How training-mode BatchNorm is differentiated (default 'closed-form'). */
  batchNormGradient?: BatchNormGradient;
  /**
   * Training: a BatchNorm followed by a ReLU as one kernel where the backend can (WebGPU with the
   * studio's kernels; default true; false: the two separately, the "before" of a comparison).
   */
  fuseBatchNormRelu?: boolean;
}

export function tensorOps({ param, training, batchStats, batchNormGradient, fuseBatchNormRelu = true }: TensorOpsOptions): LayerOps<tf.Tensor4D> {
  const relu = (x: tf.Tensor4D) => (training && reluGradKernelActive() ? reluTraining(x) : tf.relu(x));
  /** A training BatchNorm's y, its batch statistics reported (or freed). */
  const keepStats = (name: string, x: tf.Tensor4D, { y, mean, variance }: BatchNormTrainingResult): tf.Tensor4D => {
    if (batchStats) batchStats.push({ name, mean, variance, count: x.shape[0] * x.shape[1] * x.shape[2] });
    else tf.dispose([mean, variance]);
    return y;
  };
  const batchNorm = (name: string, x: tf.Tensor4D): tf.Tensor4D => {
    const gamma = param(`${name}.weight`);
    const beta = param(`${name}.bias`);
    if (!training) {
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(param(`${name}.running_var`), BN_EPSILON)));
      const shift = tf.sub(beta, tf.mul(param(`${name}.running_mean`), scale));
      return tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
    }
    return keepStats(name, x, batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, BN_EPSILON, batchNormGradient));
  };
  return {
    conv(name, x, spec) {
      const filter = param(`${name}.weight`) as tf.Tensor4D;
      if (!spec.bias) return tf.conv2d(x, filter, spec.stride, spec.padding);
      // The bias added in the convolution kernel, not in a pass of its own (differentiable).
      return tf.fused.conv2d({ x, filter, strides: spec.stride, pad: spec.padding, bias: param(`${name}.bias`) });
    },
    deconv(name, x, spec) {
      const y = transposedConv(name, x, param(`${name}.weight`) as tf.Tensor4D, spec);
      return spec.bias ? tf.add(y, param(`${name}.bias`)) : y;
    },
    batchNorm,
    relu,
    batchNormRelu(name, x) {
      const fused = training && fuseBatchNormRelu && batchNormGradient !== 'autodiff' && batchNormReluFusable(x);
      if (!fused) return relu(batchNorm(name, x));
      return keepStats(name, x, batchNormReluTraining(x, param(`${name}.weight`) as tf.Tensor1D, param(`${name}.bias`) as tf.Tensor1D, BN_EPSILON));
    },
    add: (a, b) => tf.add(a, b),
    maxPool: (x, k, s, p) => tf.maxPool(x, k, s, p),
  };
}

/**
 * PyTorch's ConvTranspose2d (no bias) on NHWC: the gradient of a convolution with padding
 * `padding` whose input is the output size PyTorch gives, (h - 1) * stride - 2 * padding + kernel +
 * outputPadding (the extra rows and columns at the bottom and right are reached by the last taps).
 * One kernel, no crop: computing the full ('valid') result and slicing PyTorch's padding off cost
 * a copy of every decoder output, and its gradient a padded copy. `filter` is in TensorFlow.js
 * layout [kh, kw, out, in].
 */
export function transposedConv(name: string, x: tf.Tensor4D, filter: tf.Tensor4D, spec: DeconvSpec): tf.Tensor4D {
  if (spec.outputPadding < 0 || spec.outputPadding >= spec.stride) throw new Error(`${name}: output_padding must be in [0, stride)`);
  const [n, h, w] = x.shape;
  return tf.conv2dTranspose(x, filter, [n, deconvOutputSize(h, spec), deconvOutputSize(w, spec), spec.outChannels], spec.stride, spec.padding);
}
