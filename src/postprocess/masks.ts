/**
 * Probabilities + post-processing settings -> the two challenge masks (car, road), without running
 * the network: threshold each class (p > threshold) on the crop, paste the crop into a zero frame,
 * apply the class's morphology on the frame, then remove the hood. `probabilitiesToMasks` does it
 * with TensorFlow.js ops (on the GPU when the backend is one); `probabilitiesToMasksCpu` is the
 * plain reference with the same definition.
 */
import * as tf from '@tensorflow/tfjs';
import { morphologyCpu } from './morphologyCpu';
import { greaterAsFloat, morphologyGpu } from './morphologyGpu';
import type { ChallengeClass, PostprocessSettings } from './settings';

/** Where the crop sits in the frame. */
export interface CropPlacement {
  frameWidth: number;
  frameHeight: number;
  cropTop: number;
  cropBottom: number;
}

/** Output channels of the challenge classes. */
export interface ClassChannels {
  car: number;
  road: number;
}

function checkPlacement(rows: number, width: number, p: CropPlacement): void {
  if (p.cropBottom - p.cropTop !== rows || p.frameWidth !== width) {
    throw new Error(`probabilities are ${rows}x${width}, the crop is ${p.cropBottom - p.cropTop}x${p.frameWidth}`);
  }
  if (p.cropTop < 0 || p.cropBottom > p.frameHeight) throw new Error(`crop rows ${p.cropTop}-${p.cropBottom} lie outside a ${p.frameHeight}-row frame`);
}

/** One class's probabilities [rows, W] -> its frame mask [H, W] float32 0/1 (before the hood). */
function classMaskGpu(probs: tf.Tensor2D, threshold: number, settings: PostprocessSettings[ChallengeClass], p: CropPlacement): tf.Tensor2D {
  return tf.tidy(() => {
    const crop = greaterAsFloat(probs, threshold) as tf.Tensor2D;
    const frame = tf.pad(crop, [
      [p.cropTop, p.frameHeight - p.cropBottom],
      [0, 0],
    ]) as tf.Tensor2D;
    return settings.morphology.op === 'none' ? frame : morphologyGpu(frame, settings.morphology);
  });
}

/**
 * Crop-sized probabilities [rows, W, C] -> masks [H, W, 2] float32 0/1 (channel 0 car, 1 road).
 * `hood` is a [H, W] float32 0/1 tensor (1 = hood) or null.
 */
export function probabilitiesToMasks(
  cropProbs: tf.Tensor3D,
  channels: ClassChannels,
  placement: CropPlacement,
  settings: PostprocessSettings,
  hood: tf.Tensor2D | null,
): tf.Tensor3D {
  const [rows, width, c] = cropProbs.shape;
  checkPlacement(rows, width, placement);
  if (hood && (hood.shape[0] !== placement.frameHeight || hood.shape[1] !== placement.frameWidth)) {
    throw new Error(`the hood is ${hood.shape[1]}x${hood.shape[0]}, the frame ${placement.frameWidth}x${placement.frameHeight}`);
  }
  return tf.tidy(() => {
    const channel = (i: number) => tf.slice(cropProbs, [0, 0, i], [rows, width, 1]).reshape([rows, width]) as tf.Tensor2D;
    if (channels.car >= c || channels.road >= c) throw new Error(`the probabilities have ${c} channels`);
    let car = classMaskGpu(channel(channels.car), settings.car.threshold, settings.car, placement);
    let road = classMaskGpu(channel(channels.road), settings.road.threshold, settings.road, placement);
    if (settings.hood && hood) {
      const keep = tf.sub(tf.scalar(1, 'float32'), hood);
      car = tf.mul(car, keep);
      road = tf.mul(road, keep);
    }
    return tf.stack([car, road], 2) as tf.Tensor3D;
  });
}

export interface CpuMasks {
  car: Uint8Array;
  road: Uint8Array;
}

/** The CPU reference of probabilitiesToMasks: crop-sized probabilities (HWC, C channels) -> 0/1 frame masks. */
export function probabilitiesToMasksCpu(
  cropProbs: Float32Array,
  c: number,
  channels: ClassChannels,
  placement: CropPlacement,
  settings: PostprocessSettings,
  hood: Uint8Array | null,
): CpuMasks {
  const { frameWidth: w, frameHeight: h, cropTop } = placement;
  const rows = placement.cropBottom - cropTop;
  if (cropProbs.length !== rows * w * c) throw new Error(`expected ${rows}x${w}x${c} probabilities, got ${cropProbs.length} values`);
  checkPlacement(rows, w, placement);
  if (hood && hood.length !== w * h) throw new Error(`the hood has ${hood.length} pixels, the frame ${w * h}`);
  const one = (cls: ChallengeClass): Uint8Array => {
    const t = Math.fround(settings[cls].threshold);
    const ch = channels[cls];
    let mask: Uint8Array = new Uint8Array(w * h);
    for (let i = 0; i < rows * w; i++) mask[cropTop * w + i] = cropProbs[i * c + ch] > t ? 1 : 0;
    if (settings[cls].morphology.op !== 'none') mask = morphologyCpu(mask, w, h, settings[cls].morphology);
    if (settings.hood && hood) for (let i = 0; i < mask.length; i++) if (hood[i]) mask[i] = 0;
    return mask;
  };
  return { car: one('car'), road: one('road') };
}

/** Splits a read-back [H, W, 2] masks tensor's values into 0/1 car and road masks. */
export function splitMaskValues(values: ArrayLike<number>, pixels: number): CpuMasks {
  const car = new Uint8Array(pixels);
  const road = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    car[i] = values[2 * i] > 0.5 ? 1 : 0;
    road[i] = values[2 * i + 1] > 0.5 ? 1 : 0;
  }
  return { car, road };
}

/**
 * One channel of crop-sized probabilities (HWC, C channels) placed in a zero frame [H, W]: the
 * heat view's values, as the backend path pads them.
 */
export function channelInFrame(cropProbs: Float32Array, c: number, channel: number, placement: CropPlacement): Float32Array {
  const { frameWidth: w, frameHeight: h, cropTop } = placement;
  const rows = placement.cropBottom - cropTop;
  if (cropProbs.length !== rows * w * c) throw new Error(`expected ${rows}x${w}x${c} probabilities, got ${cropProbs.length} values`);
  if (channel < 0 || channel >= c) throw new Error(`the probabilities have ${c} channels, not channel ${channel}`);
  checkPlacement(rows, w, placement);
  const out = new Float32Array(w * h);
  const start = cropTop * w;
  for (let i = 0; i < rows * w; i++) out[start + i] = cropProbs[i * c + channel]!;
  return out;
}
