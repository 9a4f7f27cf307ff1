/**
 * Training data on disk for the CLI (Node): the train/val split of challenge pairs, the input spec
 * for the frames' size, the hood from the train labels, and seeded batches decoded lazily.
 */
import { CARLA_SCHEME, valueMask, type LabelScheme } from '../data/labelScheme';
import { HoodEstimator } from '../data/hoodMask';
import type { DecodedImage } from '../io/png';
import { originalInputSpec, type InputSpec } from '../model/config';
import { readPng, type ChallengePair } from '../node/imageFiles';

export interface TrainValSplit {
  train: ChallengePair[];
  val: ChallengePair[];
  /** 'folders' when train/ and val/ folders said so, else 'last 10 %'. */
  how: string;
}

const segmentsOf = (name: string) => name.split(/[\\/]/).map((s) => s.toLowerCase());

/** Pairs under train/ and val/ folders when both exist; otherwise the last 10 % (at least one of 2+) as val. */
export function splitTrainVal(pairs: ChallengePair[], valFraction = 0.1): TrainValSplit {
  const train = pairs.filter((p) => segmentsOf(p.name).slice(0, -2).includes('train'));
  const val = pairs.filter((p) => segmentsOf(p.name).slice(0, -2).includes('val'));
  if (train.length > 0 && val.length > 0) return { train, val, how: 'train/ and val/ folders' };
  const nVal = pairs.length < 2 ? 0 : Math.max(1, Math.round(pairs.length * valFraction));
  return { train: pairs.slice(0, pairs.length - nVal), val: pairs.slice(pairs.length - nVal), how: `last ${Math.round(valFraction * 100)} %` };
}

/** The original's spec for 800x600 frames; other frame sizes get the same crop rows proportionally. */
export function inputSpecFor(frameWidth: number, frameHeight: number, inputHeight: number, inputWidth: number): InputSpec {
  const o = originalInputSpec();
  const cropTop = Math.round((o.cropTop / o.frameHeight) * frameHeight);
  const cropBottom = Math.round((o.cropBottom / o.frameHeight) * frameHeight);
  return { ...o, frameWidth, frameHeight, cropTop, cropBottom, inputHeight, inputWidth };
}

/** The hood (full-frame 0/1 mask) estimated from the labels' vehicle pixels, or null; reads labels one at a time. */
export function estimateHoodFromPairs(pairs: ChallengePair[], width: number, height: number, scheme: LabelScheme = CARLA_SCHEME): { mask: Uint8Array | null; labels: number } {
  const estimator = new HoodEstimator(width, height);
  const value = scheme.hoodValue;
  if (value === null) return { mask: null, labels: 0 };
  for (const pair of pairs) {
    const label = readPng(pair.seg);
    if (label.width !== width || label.height !== height) continue;
    estimator.addVehicleMask(valueMask(label.data, label.channels, width, height, scheme, value));
  }
  return { mask: estimator.result(), labels: estimator.frameCount };
}

/** Seeded batch order (browser-safe module, re-exported for the CLI). */
export { BatchOrder } from './batchOrder';

/** Decodes one pair and checks that frame and label have the spec's frame size. */
export function readPair(pair: ChallengePair, spec: InputSpec): { frame: DecodedImage; label: DecodedImage } {
  const frame = readPng(pair.rgb);
  const label = readPng(pair.seg);
  for (const [what, img] of [['frame', frame], ['label', label]] as const) {
    if (img.width !== spec.frameWidth || img.height !== spec.frameHeight) {
      throw new Error(`${pair.name}: the ${what} is ${img.width}x${img.height}, expected ${spec.frameWidth}x${spec.frameHeight} like the first pair`);
    }
  }
  return { frame, label };
}
