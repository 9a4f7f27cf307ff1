/**
 * Network output -> the challenge's per-frame masks: probabilities for the crop are brought back
 * to the crop's size, binarised per class, pasted into a zero frame, and the hood is removed.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputSpec } from '../model/config';

export interface ClassThresholds {
  /** A pixel is road when P(road) > road. */
  road: number;
  /** A pixel is vehicle when P(vehicle) > car. */
  car: number;
}

/** The original's final thresholds were car 1e-5, road 1 - 1e-5; 0.5 is the neutral default. */
export const NEUTRAL_THRESHOLDS: ClassThresholds = { road: 0.5, car: 0.5 };

export interface FrameMasks {
  width: number;
  height: number;
  /** 0/1 per frame pixel. */
  road: Uint8Array;
  car: Uint8Array;
}

/** Output channels of road and vehicle, by class name. */
export function challengeChannels(classes: readonly string[]): { road: number; car: number } {
  const road = classes.indexOf('road');
  let car = classes.indexOf('vehicle');
  if (car < 0) car = classes.indexOf('car');
  if (road < 0 || car < 0) {
    throw new Error(`the model's classes (${classes.join(', ')}) need a "road" and a "vehicle" (or "car") class for the challenge's masks`);
  }
  return { road, car };
}

/** [N, inputH, inputW, C] probabilities -> [N, cropRows, frameWidth, C] (bilinear when resized). */
export function probabilitiesAtCropSize(probs: tf.Tensor4D, spec: InputSpec): tf.Tensor4D {
  const rows = spec.cropBottom - spec.cropTop;
  if (probs.shape[1] === rows && probs.shape[2] === spec.frameWidth) return tf.clone(probs);
  return tf.image.resizeBilinear(probs, [rows, spec.frameWidth], false, true);
}

/** Binarises crop-sized probabilities [rows, width, C] (HWC, one frame) into full-frame masks. */
export function cropProbabilitiesToMasks(
  probs: Float32Array,
  channels: number,
  spec: InputSpec,
  roles: { road: number; car: number },
  thresholds: ClassThresholds,
  hood: Uint8Array | null,
): FrameMasks {
  const { frameWidth: width, frameHeight: height, cropTop } = spec;
  const rows = spec.cropBottom - cropTop;
  if (probs.length !== rows * width * channels) throw new Error(`expected ${rows}x${width}x${channels} probabilities, got ${probs.length} values`);
  if (hood && hood.length !== width * height) throw new Error(`the hood mask has ${hood.length} pixels, the frame ${width * height}`);
  const road = new Uint8Array(width * height);
  const car = new Uint8Array(width * height);
  const offset = cropTop * width;
  for (let i = 0; i < rows * width; i++) {
    const p = i * channels;
    const f = offset + i;
    if (hood && hood[f]) continue;
    road[f] = probs[p + roles.road] > thresholds.road ? 1 : 0;
    car[f] = probs[p + roles.car] > thresholds.car ? 1 : 0;
  }
  return { width, height, road, car };
}
