/**
 * Before/after of the training augmentation on a few small frames, for the person to see what
 * the ranges do: the same draws (sampleAugmentParams with a seeded generator) and the same tensor
 * ops (applyAugmentation) as the training step, on RGBA pixels; label overlays are flipped with
 * their frames.
 */
import * as tf from '@tensorflow/tfjs';
import { createSeededRng } from '../data/split';
import { applyAugmentation, describeParams, sampleAugmentParams, type AugmentConfig, type ImageAugmentParams } from './augment';

export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export interface AugmentPreview {
  after: RgbaImage[];
  /** The overlays moved like their frames (flip), or null when none were given. */
  overlaysAfter: RgbaImage[] | null;
  params: ImageAugmentParams[];
  /** One line per frame, e.g. "gamma 0.81, brightness 1.42". */
  descriptions: string[];
}

function stackRgba(images: readonly RgbaImage[]): tf.Tensor4D {
  const { width, height } = images[0]!;
  const data = new Float32Array(images.length * width * height * 4);
  images.forEach((img, i) => {
    if (img.width !== width || img.height !== height) throw new RangeError(`preview frames differ in size: ${img.width}x${img.height} and ${width}x${height}`);
    data.set(img.data, i * width * height * 4);
  });
  return tf.tensor4d(data, [images.length, height, width, 4], 'float32');
}

async function unstackRgba(x: tf.Tensor4D): Promise<RgbaImage[]> {
  const [n, height, width] = x.shape;
  const values = await x.data();
  const size = width * height * 4;
  return Array.from({ length: n }, (_, i) => ({ data: Uint8ClampedArray.from(values.subarray(i * size, (i + 1) * size), (v) => Math.round(v)), width, height }));
}

/** Augments `frames` (same size) as one batch drawn from `seed`. */
export async function augmentPreview(frames: readonly RgbaImage[], overlays: readonly RgbaImage[] | null, config: AugmentConfig, seed: number): Promise<AugmentPreview> {
  if (frames.length === 0) return { after: [], overlaysAfter: overlays ? [] : null, params: [], descriptions: [] };
  if (overlays && overlays.length !== frames.length) throw new RangeError(`${overlays.length} overlays for ${frames.length} frames`);
  const params = sampleAugmentParams(config, frames.length, createSeededRng(seed));
  const [images, overlayOut] = tf.tidy(() => {
    const rgba = stackRgba(frames);
    const [n, h, w] = rgba.shape;
    const rgb = tf.div(tf.slice(rgba, [0, 0, 0, 0], [n, h, w, 3]), 255) as tf.Tensor4D;
    const alpha = tf.slice(rgba, [0, 0, 0, 3], [n, h, w, 1]);
    // The alpha channel rides along as a "target", so it is flipped with its frame but not recoloured.
    const targets = overlays ? tf.concat([alpha, stackRgba(overlays)], 3) : alpha;
    const out = applyAugmentation(rgb, targets, params);
    const t = out.targets!;
    const framesOut = tf.concat([tf.mul(out.images, 255), tf.slice(t, [0, 0, 0, 0], [n, h, w, 1])], 3) as tf.Tensor4D;
    const overlaysOut = overlays ? (tf.slice(t, [0, 0, 0, 1], [n, h, w, 4]) as tf.Tensor4D) : null;
    return overlaysOut ? [framesOut, overlaysOut] : [framesOut];
  }) as [tf.Tensor4D, tf.Tensor4D?];
  try {
    return {
      after: await unstackRgba(images),
      overlaysAfter: overlayOut ? await unstackRgba(overlayOut) : null,
      params,
      descriptions: params.map(describeParams),
    };
  } finally {
    tf.dispose([images, ...(overlayOut ? [overlayOut] : [])]);
  }
}
