/**
 * Adam's update of one parameter as a single kernel, `StudioAdamUpdate`: from the parameter, its
 * gradient and its two moments it returns the new parameter and the new moments.
 *
 * TensorFlow.js's AdamOptimizer builds the same update from 14 separate ops per parameter (mul, add,
 * square, div, sqrt, ...), each a kernel launch that writes a full-size intermediate, plus scalar
 * tensors for the constants. LinkNet34 has 162 trainable tensors, so that is 2,268 launches per
 * step; the kernel makes it one per parameter (three passes on WebGPU, one per output).
 *
 * The arithmetic is TensorFlow.js's, operation by operation and rounded to float32 after each, so a
 * backend without the kernel (or with it unregistered, as for a before/after comparison) takes
 * `adamUpdateOps`, and both give the same values:
 *   m' = m*b1 + g*(1-b1)
 *   v' = v*b2 + g^2*(1-b2)
 *   p' = (m'/c1) / (sqrt(v'/c2) + eps) * (-lr) + p,   c1 = 1 - b1^t, c2 = 1 - b2^t
 */
import * as tf from '@tensorflow/tfjs';

export const ADAM_UPDATE_KERNEL = 'StudioAdamUpdate';

/** The kernel's attributes: everything already rounded to float32 as TensorFlow.js's scalars are. */
export interface AdamUpdateAttrs {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 - beta1^t and 1 - beta2^t for this step's t (the bias corrections). */
  biasCorrection1: number;
  biasCorrection2: number;
  epsilon: number;
  negativeLearningRate: number;
}

/** The attributes of one step, rounded as TensorFlow.js rounds its scalars. */
export function adamUpdateAttrs(settings: { learningRate: number; beta1: number; beta2: number; epsilon: number }, accBeta1: number, accBeta2: number): AdamUpdateAttrs {
  const f = Math.fround;
  return {
    beta1: f(settings.beta1),
    oneMinusBeta1: f(1 - settings.beta1),
    beta2: f(settings.beta2),
    oneMinusBeta2: f(1 - settings.beta2),
    biasCorrection1: f(1 - accBeta1),
    biasCorrection2: f(1 - accBeta2),
    epsilon: f(settings.epsilon),
    negativeLearningRate: f(-settings.learningRate),
  };
}

export interface AdamUpdateInputs<T> {
  param: T;
  grad: T;
  m: T;
  v: T;
}

/** New parameter and moments. */
export type AdamUpdateResult = [param: tf.Tensor, m: tf.Tensor, v: tf.Tensor];

/**
 * The update in plain JavaScript over float32 arrays (the CPU kernel): every operation
 * rounded to float32, in TensorFlow.js's order. Output arrays may not alias the inputs.
 */
export function adamUpdateLoop(
  inputs: AdamUpdateInputs<Float32Array>,
  out: { param: Float32Array; m: Float32Array; v: Float32Array },
  a: AdamUpdateAttrs,
): void {
  const f = Math.fround;
  const { param, grad, m, v } = inputs;
  const n = param.length;
  if (grad.length !== n || m.length !== n || v.length !== n || out.param.length !== n || out.m.length !== n || out.v.length !== n) {
    throw new Error(`${ADAM_UPDATE_KERNEL}: arrays of different lengths`);
  }
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection1, biasCorrection2, epsilon, negativeLearningRate } = a;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const m1 = f(f(m[i] * beta1) + f(g * oneMinusBeta1));
    const v1 = f(f(v[i] * beta2) + f(f(g * g) * oneMinusBeta2));
    const denominator = f(f(Math.sqrt(f(v1 / biasCorrection2))) + epsilon);
    out.m[i] = m1;
    out.v[i] = v1;
    out.param[i] = f(f(f(f(m1 / biasCorrection1) / denominator) * negativeLearningRate) + param[i]);
  }
}

/** The update as TensorFlow.js ops (what AdamOptimizer runs): the path of backends without the kernel. */
export function adamUpdateOps(inputs: AdamUpdateInputs<tf.Tensor>, a: AdamUpdateAttrs): AdamUpdateResult {
  return tf.tidy(() => {
    const { param, grad, m, v } = inputs;
    const m1 = tf.add(tf.mul(m, a.beta1), tf.mul(grad, a.oneMinusBeta1));
    const v1 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(grad), a.oneMinusBeta2));
    const mHat = tf.div(m1, tf.scalar(a.biasCorrection1));
    const vHat = tf.div(v1, tf.scalar(a.biasCorrection2));
    const p1 = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), a.epsilon)), a.negativeLearningRate), param);
    return [p1, m1, v1] as AdamUpdateResult;
  });
}

/** Whether the active backend has the kernel (otherwise adamUpdate runs the ops). */
export function adamUpdateKernelActive(): boolean {
  return tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) !== undefined;
}

/** One parameter's update: the kernel where the active backend has it, else the same arithmetic as ops. */
export function adamUpdate(inputs: AdamUpdateInputs<tf.Tensor>, a: AdamUpdateAttrs): AdamUpdateResult {
  const { param, grad, m, v } = inputs;
  for (const t of [grad, m, v]) {
    if (!tf.util.arraysEqual(t.shape, param.shape)) throw new Error(`${ADAM_UPDATE_KERNEL}: shape [${t.shape}] differs from the parameter's [${param.shape}]`);
  }
  if (!adamUpdateKernelActive()) return adamUpdateOps(inputs, a);
  const out = tf.engine().runKernel(ADAM_UPDATE_KERNEL, { param, grad, m, v } as unknown as tf.NamedTensorMap, a as unknown as tf.NamedAttrMap);
  return out as unknown as AdamUpdateResult;
}

/** The CPU backend's kernel: the loop over the tensors' arrays. */
const adamUpdateCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { param, grad, m, v } = inputs as unknown as AdamUpdateInputs<tf.TensorInfo>;
  const read = (t: tf.TensorInfo): Float32Array => {
    if (t.dtype !== 'float32') throw new Error(`${ADAM_UPDATE_KERNEL}: expected float32, got ${t.dtype}`);
    return (backend as tf.KernelBackend).readSync(t.dataId) as Float32Array;
  };
  const n = tf.util.sizeFromShape(param.shape);
  const out = { param: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
  adamUpdateLoop({ param: read(param), grad: read(grad), m: read(m), v: read(v) }, out, attrs as unknown as AdamUpdateAttrs);
  const cpu = backend as unknown as { makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };
  return [cpu.makeTensorInfo(param.shape, 'float32', out.param), cpu.makeTensorInfo(param.shape, 'float32', out.m), cpu.makeTensorInfo(param.shape, 'float32', out.v)];
};

/** Registers the CPU backend's kernel (idempotent). */
export function registerAdamUpdateCpu(): void {
  if (tf.getKernel(ADAM_UPDATE_KERNEL, 'cpu')) return;
  tf.registerKernel({ kernelName: ADAM_UPDATE_KERNEL, backendName: 'cpu', kernelFunc: adamUpdateCpu });
}
