/**
 * Morphology as TensorFlow.js ops (they run on whatever backend is active: WebGPU, WebGL, wasm,
 * CPU). Masks are float32 0/1 tensors (never int32/bool: see the WebGPU cast pitfall).
 * Dilation: convolution with the footprint (ones), zero padding, then > 0.
 * Erosion: convolution with the footprint normalised to sum 1, then > 1 - 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { kernelFootprint, kernelPadding, morphologyPasses, type Morphology } from './settings';

const EROSION_TOLERANCE = 1e-4;

function kernelTensor(size: number, footprint: Uint8Array, normalised: boolean): tf.Tensor4D {
  const count = footprint.reduce((a, b) => a + b, 0);
  const values = new Float32Array(size * size);
  for (let i = 0; i < values.length; i++) values[i] = footprint[i] ? (normalised ? 1 / count : 1) : 0;
  return tf.tensor4d(values, [size, size, 1, 1], 'float32');
}

/** x > t as float32 0/1 (step of x - t: exact for float32 inputs). */
export function greaterAsFloat(x: tf.Tensor, t: number): tf.Tensor {
  return tf.step(tf.sub(x, tf.scalar(t, 'float32')));
}

/** One pass on a [H, W] float32 0/1 mask. */
export function morphologyPass(mask: tf.Tensor2D, size: number, footprint: Uint8Array, op: 'dilate' | 'erode'): tf.Tensor2D {
  return tf.tidy(() => {
    const [h, w] = mask.shape;
    const [before, after] = kernelPadding(size);
    const padded = tf.pad(mask.reshape([1, h, w, 1]), [
      [0, 0],
      [before, after],
      [before, after],
      [0, 0],
    ]) as tf.Tensor4D;
    const sums = tf.conv2d(padded, kernelTensor(size, footprint, op === 'erode'), 1, 'valid');
    const out = op === 'dilate' ? greaterAsFloat(sums, 0.5) : greaterAsFloat(sums, 1 - EROSION_TOLERANCE);
    return out.reshape([h, w]) as tf.Tensor2D;
  });
}

/** Applies a morphology (all its passes) to a [H, W] float32 0/1 mask; returns a new tensor. */
export function morphologyGpu(mask: tf.Tensor2D, m: Morphology): tf.Tensor2D {
  return tf.tidy(() => {
    const footprint = kernelFootprint(m.size, m.shape);
    let cur: tf.Tensor2D = tf.clone(mask);
    for (const pass of morphologyPasses(m)) cur = morphologyPass(cur, m.size, footprint, pass);
    return cur;
  });
}
