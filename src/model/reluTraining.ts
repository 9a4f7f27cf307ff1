/**
 * ReLU for training, with its gradient as one kernel where the backend has `StudioReluGrad`
 * (WebGPU: src/backend/webgpuKernels/reluGrad.ts): dx = dy where y > 0, else 0, read from the
 * output y. TensorFlow.js differentiates Relu as dy * step(x): two launches, and a full-size mask
 * written and read in between, for each of LinkNet34's 47 ReLUs per step. The model's training
 * forward takes reluTraining only where the kernel is (tensorOps); elsewhere reluGrad runs those two
 * ops (step(y) is step(x): y > 0 exactly where x > 0).
 */
import * as tf from '@tensorflow/tfjs';

export const RELU_GRAD_KERNEL = 'StudioReluGrad';

export interface ReluGradInputs<T> {
  dy: T;
  /** The ReLU's output. */
  y: T;
}

/** Whether the active backend has the kernel (elsewhere training keeps tf.relu and its own gradient). */
export function reluGradKernelActive(): boolean {
  return tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
}

/** dy where y > 0, else 0: the kernel where the active backend has it, else TensorFlow.js's ops. */
export function reluGrad(inputs: ReluGradInputs<tf.Tensor>): tf.Tensor {
  if (!reluGradKernelActive()) return tf.mul(inputs.dy, tf.step(inputs.y));
  return tf.engine().runKernel(RELU_GRAD_KERNEL, inputs as unknown as tf.NamedTensorMap, {}) as tf.Tensor;
}

/** tf.relu with the gradient above (for training: under tf.grad the values are the same). */
export function reluTraining<T extends tf.Tensor>(x: T): T {
  const relu = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.relu(input);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => reluGrad({ dy, y: saved[0] }) };
  };
  // customGrad's type has every argument as Tensor | GradSaveFunc; the engine passes the tensor, then save.
  return tf.customGrad(relu as unknown as Parameters<typeof tf.customGrad>[0])(x) as T;
}
