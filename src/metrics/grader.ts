/**
 * The Lyft Perception Challenge grader as a plain-TypeScript accumulator (no tf).
 *
 * Each class is binarized, TP/FP/FN are summed over ALL pixels of ALL frames (a micro-average,
 * not a mean of per-frame scores), then F = (1+b2) P R / (b2 P + R), beta 0.5 for road and 2 for
 * car; score = (F_road + F_car) / 2; final = 100 * score - max(0, 10 - FPS).
 */

export interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
}

export interface GraderResult {
  fRoad: number;
  fCar: number;
  /** (fRoad + fCar) / 2, in [0, 1]. */
  score: number;
  precisionRoad: number;
  recallRoad: number;
  precisionCar: number;
  recallCar: number;
  /** Number of frames accumulated. */
  frames: number;
  /** 100 * score - max(0, 10 - fps) when fps was given, else null. */
  finalScore: number | null;
}

/** tp / (tp + fp); 0 when there is no positive prediction (0/0). */
export function precision(c: ClassCounts): number {
  const d = c.tp + c.fp;
  return d > 0 ? c.tp / d : 0;
}

/** tp / (tp + fn); 0 when there is no positive truth pixel (0/0). */
export function recall(c: ClassCounts): number {
  const d = c.tp + c.fn;
  return d > 0 ? c.tp / d : 0;
}

/**
 * F-beta = (1+b2) P R / (b2 P + R) from micro-averaged counts.
 * Edge cases (as in a grader that computes precision and recall first with 0/0 -> 0):
 * - no predicted pixel: P = 0, so F = 0 (even when there is no truth pixel either: empty vs
 *   empty gives 0, not 1);
 * - no truth pixel: R = 0, so F = 0;
 * - P = R = 0 (0/0 in the formula): F = 0.
 */
export function fbeta(counts: ClassCounts, beta: number): number {
  const p = precision(counts);
  const r = recall(counts);
  const b2 = beta * beta;
  const den = b2 * p + r;
  return den > 0 ? ((1 + b2) * p * r) / den : 0;
}

/** 100 * score - max(0, 10 - fps): the challenge's final score (score in [0, 1]). */
export function finalChallengeScore(score: number, fps: number): number {
  return 100 * score - Math.max(0, 10 - fps);
}

export interface BinaryMasks {
  car: ArrayLike<number>;
  road: ArrayLike<number>;
}

/** Adds the counts of one binary class (any non-zero value is positive) into `acc`. */
function accumulateMasks(pred: ArrayLike<number>, truth: ArrayLike<number>, acc: ClassCounts): void {
  const n = truth.length;
  let tp = 0;
  let np = 0;
  let nt = 0;
  for (let i = 0; i < n; i++) {
    const p = pred[i] !== 0 ? 1 : 0;
    const t = truth[i] !== 0 ? 1 : 0;
    np += p;
    nt += t;
    tp += p & t;
  }
  acc.tp += tp;
  acc.fp += np - tp;
  acc.fn += nt - tp;
}

/** Adds the counts of `probs[i*channels+channel] > threshold` against `truth` into `acc`. */
function accumulateProbs(
  probs: Float32Array,
  channels: number,
  channel: number,
  threshold: number,
  truth: ArrayLike<number>,
  acc: ClassCounts,
): void {
  const n = truth.length;
  let tp = 0;
  let np = 0;
  let nt = 0;
  for (let i = 0, j = channel; i < n; i++, j += channels) {
    const p = probs[j] > threshold ? 1 : 0;
    const t = truth[i] !== 0 ? 1 : 0;
    np += p;
    nt += t;
    tp += p & t;
  }
  acc.tp += tp;
  acc.fp += np - tp;
  acc.fn += nt - tp;
}

export class GraderAccumulator {
  readonly roadBeta: number;
  readonly carBeta: number;
  private road: ClassCounts = { tp: 0, fp: 0, fn: 0 };
  private car: ClassCounts = { tp: 0, fp: 0, fn: 0 };
  private frameCount = 0;

  constructor(options?: { roadBeta?: number; carBeta?: number }) {
    this.roadBeta = options?.roadBeta ?? 0.5;
    this.carBeta = options?.carBeta ?? 2;
    for (const [name, b] of [
      ['roadBeta', this.roadBeta],
      ['carBeta', this.carBeta],
    ] as const) {
      if (!(b > 0) || !Number.isFinite(b)) throw new RangeError(`GraderAccumulator: ${name} must be a positive number, got ${b}`);
    }
  }

  /** Adds one frame of 0/1 masks (any non-zero value counts as 1); all four must have equal length. */
  addMasks(pred: BinaryMasks, truth: BinaryMasks): void {
    const n = truth.car.length;
    if (truth.road.length !== n || pred.car.length !== n || pred.road.length !== n) {
      throw new RangeError(
        `GraderAccumulator.addMasks: mask lengths differ (pred car ${pred.car.length}, pred road ${pred.road.length}, ` +
          `truth car ${truth.car.length}, truth road ${truth.road.length})`,
      );
    }
    accumulateMasks(pred.road, truth.road, this.road);
    accumulateMasks(pred.car, truth.car, this.car);
    this.frameCount++;
  }

  /**
   * Adds one frame of class probabilities, HWC with `channels` channels; a class is predicted
   * where its probability is strictly greater than its threshold.
   */
  addProbabilities(
    probs: Float32Array,
    channels: number,
    roadChannel: number,
    carChannel: number,
    thresholds: { road: number; car: number },
    truth: BinaryMasks,
  ): void {
    const n = truth.car.length;
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`GraderAccumulator.addProbabilities: bad channel count ${channels}`);
    }
    for (const ch of [roadChannel, carChannel]) {
      if (!Number.isInteger(ch) || ch < 0 || ch >= channels) {
        throw new RangeError(`GraderAccumulator.addProbabilities: channel ${ch} out of range [0, ${channels})`);
      }
    }
    if (truth.road.length !== n || probs.length !== n * channels) {
      throw new RangeError(
        `GraderAccumulator.addProbabilities: ${probs.length} probabilities for ${n} pixels x ${channels} channels ` +
          `(truth road has ${truth.road.length} pixels)`,
      );
    }
    accumulateProbs(probs, channels, roadChannel, thresholds.road, truth.road, this.road);
    accumulateProbs(probs, channels, carChannel, thresholds.car, truth.car, this.car);
    this.frameCount++;
  }

  /** Adds counts computed elsewhere (e.g. on the GPU) as `frames` frames. */
  addCounts(counts: { road: ClassCounts; car: ClassCounts }, frames = 1): void {
    this.road.tp += counts.road.tp;
    this.road.fp += counts.road.fp;
    this.road.fn += counts.road.fn;
    this.car.tp += counts.car.tp;
    this.car.fp += counts.car.fp;
    this.car.fn += counts.car.fn;
    this.frameCount += frames;
  }

  get frames(): number {
    return this.frameCount;
  }

  counts(): { road: ClassCounts; car: ClassCounts } {
    return { road: { ...this.road }, car: { ...this.car } };
  }

  reset(): void {
    this.road = { tp: 0, fp: 0, fn: 0 };
    this.car = { tp: 0, fp: 0, fn: 0 };
    this.frameCount = 0;
  }

  result(fps?: number): GraderResult {
    const fRoad = fbeta(this.road, this.roadBeta);
    const fCar = fbeta(this.car, this.carBeta);
    const score = (fRoad + fCar) / 2;
    return {
      fRoad,
      fCar,
      score,
      precisionRoad: precision(this.road),
      recallRoad: recall(this.road),
      precisionCar: precision(this.car),
      recallCar: recall(this.car),
      frames: this.frameCount,
      finalScore: fps === undefined ? null : finalChallengeScore(score, fps),
    };
  }
}
