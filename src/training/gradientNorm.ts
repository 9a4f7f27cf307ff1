/**
 * The squared L2 norm of a set of tensors (the gradients of a step: the run loop's NaN check and its
 * reported gradient norm), summed into one scalar on the device.
 *
 * As ops that is a square, a full sum and an add per tensor: 3 launches and a full-size squared
 * copy for each of LinkNet34's 162 gradients. Where the backend has `StudioAddSquaredNorm` (WebGPU:
 * src/backend/webgpuKernels/squaredNorm.ts) each tensor is one kernel call, total' = total + sum(x^2)
 * (one launch, two for a large tensor), with nothing written but partial sums.
 * (Summed pairwise rather than with tf.addN: TensorFlow.js 4.22's WebGPU addN of scalars returns
 * garbage.)
 */
import * as tf from '@tensorflow/tfjs';

export const ADD_SQUARED_NORM_KERNEL = 'StudioAddSquaredNorm';

export interface AddSquaredNormInputs<T> {
  /** The running total, shape [1]. */
  total: T;
  x: T;
}

/** sum over `tensors` of sum(x^2), as a scalar; NaN or Infinity where any value is. */
export function squaredNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  if (tensors.length === 0) return tf.scalar(0);
  if (tf.getKernel(ADD_SQUARED_NORM_KERNEL, tf.getBackend()) === undefined) {
    return tf.tidy(() => tensors.map((t) => tf.sum(tf.square(t))).reduce((a, b) => tf.add(a, b)) as tf.Scalar);
  }
  return tf.tidy(() => {
    let total: tf.Tensor = tf.zeros([1]);
    for (const x of tensors) {
      if (x.dtype !== 'float32') throw new Error(`${ADD_SQUARED_NORM_KERNEL}: expected float32, got ${x.dtype}`);
      total = tf.engine().runKernel(ADD_SQUARED_NORM_KERNEL, { total, x } as unknown as tf.NamedTensorMap, {}) as tf.Tensor;
    }
    return tf.reshape(total, []) as tf.Scalar;
  });
}
