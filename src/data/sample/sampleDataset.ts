/**
 * The built-in sample dataset: generated frames and labels in the Lyft challenge layout
 * (`train|val/CameraRGB/N.png`, `train|val/CameraSeg/N.png`), produced lazily one pair at a time so
 * the page, a worker and the CLI can all use it without holding the whole set in memory.
 */
import { encodeRgbPng } from '../../io/png';
import { generateSampleFrame, SAMPLE_FRAME_HEIGHT, SAMPLE_FRAME_WIDTH } from './generateFrame';

export type SampleSplit = 'train' | 'val';

export interface SampleDatasetOptions {
  /** Default 1. */
  seed?: number;
  /** Default 800x600 (the challenge's frame size). */
  width?: number;
  height?: number;
  /** Share of the frames that go to val (the last ones); default 0.2. */
  valFraction?: number;
}

export const SAMPLE_DATASET_DEFAULTS = {
  count: 60,
  seed: 1,
  width: SAMPLE_FRAME_WIDTH,
  height: SAMPLE_FRAME_HEIGHT,
  valFraction: 0.2,
} as const;

export interface SampleFileDescriptor {
  split: SampleSplit;
  /** File name in CameraRGB/ and CameraSeg/: `<index>.png`. */
  name: string;
  /** Frame index (the generator's input). */
  index: number;
  width: number;
  height: number;
  /** width * height * 3 RGB. */
  rgb: Uint8Array;
  /** width * height * 3, class id (CARLA) in red, green = blue = 0. */
  label: Uint8Array;
}

/** How many frames go to train and to val. Val gets round(count * valFraction), at least one when the fraction is > 0 and count >= 2. */
export function sampleSplitCounts(count: number, valFraction: number = SAMPLE_DATASET_DEFAULTS.valFraction): { train: number; val: number } {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`sample count must be a whole number >= 0, got ${count}`);
  if (!(valFraction >= 0 && valFraction <= 1)) throw new RangeError(`val fraction must be in [0, 1], got ${valFraction}`);
  let val = Math.round(count * valFraction);
  if (valFraction > 0 && count >= 2) val = Math.max(1, val);
  if (valFraction < 1 && count >= 2) val = Math.min(count - 1, val);
  return { train: count - val, val };
}

/**
 * The dataset's `count` pairs, generated lazily in index order: indices 0..train-1 are train, the
 * rest val. Each pair is generated when the iterator reaches it.
 */
export function* sampleDatasetFiles(count: number = SAMPLE_DATASET_DEFAULTS.count, options: SampleDatasetOptions = {}): Generator<SampleFileDescriptor, void, undefined> {
  const seed = options.seed ?? SAMPLE_DATASET_DEFAULTS.seed;
  const width = options.width ?? SAMPLE_DATASET_DEFAULTS.width;
  const height = options.height ?? SAMPLE_DATASET_DEFAULTS.height;
  const { train } = sampleSplitCounts(count, options.valFraction ?? SAMPLE_DATASET_DEFAULTS.valFraction);
  for (let index = 0; index < count; index++) {
    const frame = generateSampleFrame(index, { seed, width, height });
    yield { split: index < train ? 'train' : 'val', name: `${index}.png`, index, width, height, rgb: frame.rgb, label: frame.label };
  }
}

/** Where a pair goes, relative to the dataset folder (always with forward slashes). */
export function samplePairPaths(file: Pick<SampleFileDescriptor, 'split' | 'name'>): { rgb: string; label: string } {
  return { rgb: `${file.split}/CameraRGB/${file.name}`, label: `${file.split}/CameraSeg/${file.name}` };
}

/** The pair as PNG files: an RGB frame and an RGB label (id in red), as the challenge ships them. */
export function encodeSamplePair(file: Pick<SampleFileDescriptor, 'width' | 'height' | 'rgb' | 'label'>): { rgbPng: Uint8Array; labelPng: Uint8Array } {
  return { rgbPng: encodeRgbPng(file.rgb, file.width, file.height), labelPng: encodeRgbPng(file.label, file.width, file.height) };
}
