/**
 * Per-class pixel fractions of a dataset, from class-index maps (decodeLabel in labelScheme.ts),
 * accumulated frame by frame, separately for train and val. Optionally restricted to the crop rows
 * the network sees, and with the ego car's hood counted as the class it becomes in training targets
 * (vehicle AND NOT hood: hood pixels of the vehicle class count as background).
 */
import type { LabelScheme } from './labelScheme';
import type { SplitName } from './pairing';

export interface ClassMapOptions {
  /** Count only rows [top, bottom) (e.g. the crop); default all rows. Needs `width`. */
  rows?: { top: number; bottom: number };
  /** Image width, needed with `rows` (and to check the hood mask's size). */
  width?: number;
  /** 0/1 hood mask, same size as the map: its pixels of class `hoodClass` count as `hoodTo`. */
  hood?: ArrayLike<number> | null;
  hoodClass?: number;
  /** The class hood pixels count as (default 0, background). */
  hoodTo?: number;
}

export interface ClassSummary {
  name: string;
  pixels: number;
  /** pixels / all counted pixels (0 when nothing was counted). */
  fraction: number;
  /** Frames with at least one pixel of the class. */
  frames: number;
  /** frames / all frames. */
  frameFraction: number;
}

export interface ClassStatsSummary {
  frames: number;
  pixels: number;
  classes: ClassSummary[];
}

/** The class index that holds the scheme's hood value (CARLA: vehicle), or null. */
export function hoodClassIndex(scheme: LabelScheme): number | null {
  if (scheme.hoodValue === null) return null;
  const i = scheme.classes.findIndex((c) => c.values.includes(scheme.hoodValue!));
  return i < 0 ? null : i;
}

/** Pixel counts per class of one class-index map (values >= numClasses are an error). */
export function classPixelCounts(classMap: ArrayLike<number>, numClasses: number, options: ClassMapOptions = {}): Float64Array {
  const counts = new Float64Array(numClasses);
  let from = 0;
  let to = classMap.length;
  if (options.rows) {
    const w = options.width;
    if (!w || !Number.isInteger(w) || classMap.length % w !== 0) throw new RangeError(`classStats: rows need the map's width (got ${w})`);
    const h = classMap.length / w;
    const { top, bottom } = options.rows;
    if (!(Number.isInteger(top) && Number.isInteger(bottom) && top >= 0 && bottom <= h && top < bottom)) {
      throw new RangeError(`classStats: rows ${top}-${bottom} do not fit a map of ${h} rows`);
    }
    from = top * w;
    to = bottom * w;
  }
  const hood = options.hood ?? null;
  if (hood && hood.length !== classMap.length) throw new RangeError(`classStats: hood mask has ${hood.length} pixels, the map ${classMap.length}`);
  const hoodClass = options.hoodClass ?? -1;
  const hoodTo = options.hoodTo ?? 0;
  for (let i = from; i < to; i++) {
    let c = classMap[i];
    if (hood && c === hoodClass && hood[i]) c = hoodTo;
    if (!(c >= 0 && c < numClasses)) throw new RangeError(`classStats: class index ${c} at pixel ${i} is not below ${numClasses}`);
    counts[c]++;
  }
  return counts;
}

/** Accumulates class pixel counts over frames. */
export class ClassStatsAccumulator {
  readonly pixels: Float64Array;
  /** Frames containing each class. */
  readonly framesWithClass: Float64Array;
  private frameCount = 0;

  constructor(readonly classNames: readonly string[]) {
    if (classNames.length === 0) throw new RangeError('classStats: no classes');
    this.pixels = new Float64Array(classNames.length);
    this.framesWithClass = new Float64Array(classNames.length);
  }

  get numClasses(): number {
    return this.classNames.length;
  }

  get frames(): number {
    return this.frameCount;
  }

  /** Adds one frame's class-index map. */
  add(classMap: ArrayLike<number>, options: ClassMapOptions = {}): void {
    this.addCounts(classPixelCounts(classMap, this.numClasses, options));
  }

  /** Adds one frame's per-class pixel counts (e.g. computed in a worker). */
  addCounts(counts: ArrayLike<number>): void {
    if (counts.length !== this.numClasses) throw new RangeError(`classStats: ${counts.length} counts for ${this.numClasses} classes`);
    for (let c = 0; c < counts.length; c++) {
      this.pixels[c] += counts[c];
      if (counts[c] > 0) this.framesWithClass[c]++;
    }
    this.frameCount++;
  }

  /** Adds another accumulator's totals (same classes). */
  merge(other: ClassStatsAccumulator): void {
    if (other.numClasses !== this.numClasses) throw new RangeError('classStats: merging different class counts');
    for (let c = 0; c < this.numClasses; c++) {
      this.pixels[c] += other.pixels[c];
      this.framesWithClass[c] += other.framesWithClass[c];
    }
    this.frameCount += other.frameCount;
  }

  /** Fractions of all counted pixels per class (zeros before any frame). */
  fractions(): number[] {
    const total = this.pixels.reduce((a, b) => a + b, 0);
    return Array.from(this.pixels, (p) => (total > 0 ? p / total : 0));
  }

  summary(): ClassStatsSummary {
    const total = this.pixels.reduce((a, b) => a + b, 0);
    const fractions = this.fractions();
    return {
      frames: this.frameCount,
      pixels: total,
      classes: this.classNames.map((name, c) => ({
        name,
        pixels: this.pixels[c],
        fraction: fractions[c],
        frames: this.framesWithClass[c],
        frameFraction: this.frameCount > 0 ? this.framesWithClass[c] / this.frameCount : 0,
      })),
    };
  }
}

/** Class statistics of a dataset, train and val kept apart. */
export class DatasetClassStats {
  readonly train: ClassStatsAccumulator;
  readonly val: ClassStatsAccumulator;

  constructor(classNames: readonly string[]) {
    this.train = new ClassStatsAccumulator(classNames);
    this.val = new ClassStatsAccumulator(classNames);
  }

  add(split: SplitName, classMap: ArrayLike<number>, options: ClassMapOptions = {}): void {
    (split === 'train' ? this.train : this.val).add(classMap, options);
  }

  summary(): { train: ClassStatsSummary; val: ClassStatsSummary } {
    return { train: this.train.summary(), val: this.val.summary() };
  }
}
