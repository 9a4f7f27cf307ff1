/**
 * Training targets from class indices: one-hot float32 [N, H, W, C], built where it is cheapest.
 *
 * As float32 one-hot values a batch of eight 320x800 targets is 24.6 MB written in JavaScript and
 * uploaded every step. Where the backend has `StudioOneHotClasses` (WebGPU:
 * src/backend/webgpuKernels/oneHotClasses.ts) the class indices go up as bytes, four to a word
 * (2 MB), and one launch writes the one-hot values on the device. Elsewhere: JavaScript and one
 * upload, as before.
 */
import * as tf from '@tensorflow/tfjs';
import { packBytes } from '../inference/framePixelsKernel';

export const ONE_HOT_CLASSES_KERNEL = 'StudioOneHotClasses';

export interface OneHotClassesAttrs {
  /** Pixels (class indices) in the packed bytes. */
  pixels: number;
  /** C: one-hot values per pixel. */
  classes: number;
}

export interface OneHotClassesInputs<T> {
  /** The class indices, one byte each, four to an int32 word (little-endian), zero-padded. */
  packed: T;
}

/** One-hot float32 values (C per pixel) of class indices in [0, C). */
export function oneHotValues(classes: Uint8Array, classCount: number): Float32Array {
  const out = new Float32Array(classes.length * classCount);
  for (let i = 0; i < classes.length; i++) {
    const k = classes[i]!;
    if (k >= classCount) throw new Error(`pixel ${i} has class ${k}; the model has ${classCount} classes`);
    out[i * classCount + k] = 1;
  }
  return out;
}

/** [N, H, W] class indices -> one-hot float32 targets [N, H, W, C] on the active backend. */
export function oneHotTargets(classes: Uint8Array, shape: readonly [number, number, number], classCount: number): tf.Tensor4D {
  const [n, h, w] = shape;
  if (classes.length !== n * h * w) throw new Error(`${classes.length} class indices for targets of ${n}x${h}x${w}`);
  const out: [number, number, number, number] = [n, h, w, classCount];
  if (tf.getKernel(ONE_HOT_CLASSES_KERNEL, tf.getBackend()) === undefined) return tf.tensor4d(oneHotValues(classes, classCount), out, 'float32');
  const packed = tf.tensor1d(packBytes([{ data: classes }]), 'int32');
  try {
    const attrs: OneHotClassesAttrs = { pixels: classes.length, classes: classCount };
    return tf.tidy(() => tf.reshape(tf.engine().runKernel(ONE_HOT_CLASSES_KERNEL, { packed } as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor, out));
  } finally {
    packed.dispose();
  }
}
