/**
 * PyTorch's BatchNorm running-statistics update, running' = running * (1 - momentum) + (batch *
 * correction) * momentum (correction: n / (n - 1) turns the batch's biased variance into the unbiased
 * one PyTorch keeps; 1 for the mean), as one kernel, `StudioRunningAverage`, where the backend has it.
 *
 * As TensorFlow.js ops it is 3 kernel calls for the mean and 4 for the variance, per BatchNorm layer
 * and step, each uploading its scalar: 336 small launches per step for LinkNet34's 48 layers. The
 * kernel (WebGPU: src/backend/webgpuKernels/runningAverage.ts) is one launch per statistic, with
 * the constants as uniforms. Backends without it run the ops, in the same order.
 */
import * as tf from '@tensorflow/tfjs';

export const RUNNING_AVERAGE_KERNEL = 'StudioRunningAverage';

export interface RunningAverageAttrs {
  /** 1 - momentum, momentum and the batch statistic's correction factor (float32 as the ops round them). */
  decay: number;
  momentum: number;
  correction: number;
}

export interface RunningAverageInputs<T> {
  running: T;
  batch: T;
}

export function runningAverageAttrs(momentum: number, correction = 1): RunningAverageAttrs {
  return { decay: Math.fround(1 - momentum), momentum: Math.fround(momentum), correction: Math.fround(correction) };
}

/** The update as TensorFlow.js ops (a correction of 1 is left out: batch * 1 is batch). */
export function runningAverageOps({ running, batch }: RunningAverageInputs<tf.Tensor>, a: RunningAverageAttrs): tf.Tensor {
  return tf.tidy(() => {
    const corrected = a.correction === 1 ? batch : tf.mul(batch, a.correction);
    return tf.add(tf.mul(running, a.decay), tf.mul(corrected, a.momentum));
  });
}

/** The new running statistic: the kernel where the active backend has it, else the ops. */
export function runningAverage(inputs: RunningAverageInputs<tf.Tensor>, a: RunningAverageAttrs): tf.Tensor {
  const { running, batch } = inputs;
  if (!tf.util.arraysEqual(running.shape, batch.shape)) throw new Error(`${RUNNING_AVERAGE_KERNEL}: batch statistic [${batch.shape}] differs from the running one [${running.shape}]`);
  if (tf.getKernel(RUNNING_AVERAGE_KERNEL, tf.getBackend()) === undefined) return runningAverageOps(inputs, a);
  return tf.engine().runKernel(RUNNING_AVERAGE_KERNEL, inputs as unknown as tf.NamedTensorMap, a as unknown as tf.NamedAttrMap) as tf.Tensor;
}
