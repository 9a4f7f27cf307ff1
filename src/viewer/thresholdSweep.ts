/**
 * Threshold and morphology search: the challenge score (micro-averaged over every pixel of every
 * frame; F0.5 road, F2 vehicle) for a grid of thresholds per class, from crop-sized probabilities
 * and the frames' truth masks. The classes are independent (road's F depends only on road's
 * settings), so each class is swept alone. Without morphology one pass per frame fills, per class,
 * a histogram of the probabilities of truth-positive and truth-negative pixels over the grid's
 * bins; cumulative sums then give TP/FP/FN for every threshold at once. With morphology the few
 * candidates are evaluated directly (threshold, paste, morphology, hood) as the CPU reference does.
 */
import { fbeta, type ClassCounts } from '../metrics/grader';
import type { ClassChannels, CropPlacement } from '../postprocess/masks';
import { morphologyCpu } from '../postprocess/morphologyCpu';
import type { ChallengeClass, Morphology } from '../postprocess/settings';
import { SLIDER_STEPS, sliderToThreshold } from './thresholdScale';

/** The search scores every slider position without morphology, every 100th with it. */
export const SWEEP_STRIDE = 1;
export const CANDIDATE_STRIDE = 100;

export const CLASS_BETA: Record<ChallengeClass, number> = { car: 2, road: 0.5 };

/** A morphology tried at a few thresholds. */
export interface MorphologyCandidate {
  morphology: Morphology;
  thresholds: readonly number[];
}

export interface SweepOptions {
  placement: CropPlacement;
  /** Channels per pixel of the crop probabilities (HWC). */
  channelCount: number;
  channels: ClassChannels;
  /** Ascending thresholds swept without morphology. */
  thresholds: Record<ChallengeClass, readonly number[]>;
  candidates: Record<ChallengeClass, readonly MorphologyCandidate[]>;
}

/** One curve of a class's surface: F (and counts) per threshold, for one morphology (null: none). */
export interface SweepCurve {
  morphology: Morphology | null;
  thresholds: number[];
  counts: ClassCounts[];
  f: number[];
}

export interface ClassBest {
  threshold: number;
  morphology: Morphology | null;
  f: number;
}

export interface SweepResult {
  frames: number;
  car: SweepCurve[];
  road: SweepCurve[];
  best: { car: ClassBest; road: ClassBest; score: number };
}

/** Slider positions 0, stride, 2*stride, ..., SLIDER_STEPS as thresholds (ascending). */
export function sliderGrid(cls: ChallengeClass, stride: number): number[] {
  const out: number[] = [];
  for (let pos = 0; pos <= SLIDER_STEPS; pos += stride) out.push(sliderToThreshold(cls, pos));
  if ((SLIDER_STEPS % stride) !== 0) out.push(sliderToThreshold(cls, SLIDER_STEPS));
  return out;
}

/** Number of (float32) thresholds strictly below p, i.e. p > t[k] exactly for k below it. */
function binOf(p: number, t: Float32Array): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface ClassHistogram {
  thresholds: number[];
  fround: Float32Array;
  positives: Float64Array;
  negatives: Float64Array;
  /** Truth-positive pixels that are never predicted (outside the crop, or under the removed hood). */
  fixedFn: number;
}

/** True when `values` ascend strictly. */
function ascending(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (!(values[i]! > values[i - 1]!)) return false;
  return true;
}

export class ThresholdSweep {
  private readonly histograms: Record<ChallengeClass, ClassHistogram>;
  private readonly candidateCounts: Record<ChallengeClass, ClassCounts[][]>;
  private frameCount = 0;

  constructor(private readonly options: SweepOptions) {
    const make = (cls: ChallengeClass): ClassHistogram => {
      const t = options.thresholds[cls];
      if (t.length === 0 || !ascending(t)) throw new Error(`the ${cls} thresholds must be a non-empty ascending list`);
      return { thresholds: [...t], fround: Float32Array.from(t), positives: new Float64Array(t.length + 1), negatives: new Float64Array(t.length + 1), fixedFn: 0 };
    };
    this.histograms = { car: make('car'), road: make('road') };
    const zeros = (cls: ChallengeClass) => options.candidates[cls].map((c) => c.thresholds.map(() => ({ tp: 0, fp: 0, fn: 0 })));
    this.candidateCounts = { car: zeros('car'), road: zeros('road') };
  }

  get frames(): number {
    return this.frameCount;
  }

  /** Morphology candidates of a class. */
  candidateCount(cls: ChallengeClass): number {
    return this.options.candidates[cls].length;
  }

  /** Evaluations one frame costs with morphology (each a threshold, a morphology and a count). */
  get candidateEvaluations(): number {
    let n = 0;
    for (const cls of ['car', 'road'] as const) for (const c of this.options.candidates[cls]) n += c.thresholds.length;
    return n;
  }

  private check(probs: Float32Array, truth: { car: ArrayLike<number>; road: ArrayLike<number> }, hood: Uint8Array | null): void {
    const { frameWidth: w, frameHeight: h, cropTop, cropBottom } = this.options.placement;
    const rows = cropBottom - cropTop;
    if (probs.length !== rows * w * this.options.channelCount) throw new Error(`expected ${rows}x${w}x${this.options.channelCount} probabilities, got ${probs.length} values`);
    if (truth.car.length !== w * h || truth.road.length !== w * h) throw new Error(`the truth masks have ${truth.car.length} and ${truth.road.length} pixels, the frame ${w}x${h}`);
    if (hood && hood.length !== w * h) throw new Error(`the hood has ${hood.length} pixels, the frame ${w * h}`);
  }

  /**
   * Adds one frame without morphology: crop probabilities (HWC), the frame's truth masks, and the
   * hood removed from the predictions (null: none removed).
   */
  addFrame(probs: Float32Array, truth: { car: ArrayLike<number>; road: ArrayLike<number> }, hood: Uint8Array | null): void {
    this.check(probs, truth, hood);
    const { frameWidth: w, frameHeight: h, cropTop, cropBottom } = this.options.placement;
    const c = this.options.channelCount;
    for (const cls of ['car', 'road'] as const) {
      const hist = this.histograms[cls];
      const t = truth[cls];
      const ch = this.options.channels[cls];
      for (let i = 0; i < w * h; i++) {
        const y = (i / w) | 0;
        const inCrop = y >= cropTop && y < cropBottom && !(hood && hood[i]);
        if (!inCrop) {
          if (t[i]) hist.fixedFn++;
          continue;
        }
        const b = binOf(probs[(i - cropTop * w) * c + ch]!, hist.fround);
        if (t[i]) hist.positives[b]!++;
        else hist.negatives[b]!++;
      }
    }
    this.frameCount++;
  }

  /** Adds one frame's counts for every morphology candidate of `cls` (the frame's addFrame counts it). */
  addCandidates(cls: ChallengeClass, probs: Float32Array, truth: { car: ArrayLike<number>; road: ArrayLike<number> }, hood: Uint8Array | null): void {
    for (let ci = 0; ci < this.options.candidates[cls].length; ci++) this.addCandidate(cls, ci, probs, truth, hood);
  }

  /** Adds one frame's counts for morphology candidate `ci` of `cls`, at each of its thresholds. */
  addCandidate(cls: ChallengeClass, ci: number, probs: Float32Array, truth: { car: ArrayLike<number>; road: ArrayLike<number> }, hood: Uint8Array | null): void {
    const cand = this.options.candidates[cls][ci];
    if (!cand) throw new Error(`there is no ${cls} morphology candidate ${ci}`);
    for (let ti = 0; ti < cand.thresholds.length; ti++) this.addCandidateAt(cls, ci, ti, probs, truth, hood);
  }

  /** Thresholds of morphology candidate `ci` of `cls`. */
  candidateThresholds(cls: ChallengeClass, ci: number): number {
    return this.options.candidates[cls][ci]?.thresholds.length ?? 0;
  }

  /** Adds counts computed elsewhere (e.g. on the GPU) for candidate `ci` of `cls`, one per threshold. */
  addCandidateCounts(cls: ChallengeClass, ci: number, counts: readonly ClassCounts[]): void {
    const acc = this.candidateCounts[cls][ci];
    if (!acc || acc.length !== counts.length) throw new Error(`candidate ${ci} of ${cls} has ${acc?.length ?? 0} thresholds, got ${counts.length} counts`);
    counts.forEach((c, k) => {
      acc[k]!.tp += c.tp;
      acc[k]!.fp += c.fp;
      acc[k]!.fn += c.fn;
    });
  }

  /** The morphology candidates of a class. */
  candidatesOf(cls: ChallengeClass): readonly MorphologyCandidate[] {
    return this.options.candidates[cls];
  }

  /** Adds one frame's counts for morphology candidate `ci` of `cls` at its threshold `ti` (one CPU reference evaluation). */
  addCandidateAt(cls: ChallengeClass, ci: number, ti: number, probs: Float32Array, truth: { car: ArrayLike<number>; road: ArrayLike<number> }, hood: Uint8Array | null): void {
    this.check(probs, truth, hood);
    const cand = this.options.candidates[cls][ci];
    const threshold = cand?.thresholds[ti];
    if (!cand || threshold === undefined) throw new Error(`there is no ${cls} morphology candidate ${ci} threshold ${ti}`);
    const { frameWidth: w, frameHeight: h, cropTop, cropBottom } = this.options.placement;
    const c = this.options.channelCount;
    const ch = this.options.channels[cls];
    const t = truth[cls];
    const ft = Math.fround(threshold);
    let mask: Uint8Array = new Uint8Array(w * h);
    for (let i = 0; i < (cropBottom - cropTop) * w; i++) mask[cropTop * w + i] = probs[i * c + ch]! > ft ? 1 : 0;
    mask = morphologyCpu(mask, w, h, cand.morphology);
    const acc = this.candidateCounts[cls][ci]![ti]!;
    for (let i = 0; i < w * h; i++) {
      const p = mask[i] && !(hood && hood[i]) ? 1 : 0;
      const tv = t[i] ? 1 : 0;
      acc.tp += p & tv;
      acc.fp += p & (1 - tv);
      acc.fn += tv & (1 - p);
    }
  }

  /** TP/FP/FN per threshold of the no-morphology sweep of `cls`. */
  histogramCounts(cls: ChallengeClass): ClassCounts[] {
    const hist = this.histograms[cls];
    const k = hist.thresholds.length;
    let totalPos = 0;
    for (const v of hist.positives) totalPos += v;
    const out: ClassCounts[] = new Array(k);
    // Predicted at threshold k: bins k+1..K (p above t[k]); accumulate from the top.
    let tp = 0;
    let fp = 0;
    for (let i = k - 1; i >= 0; i--) {
      tp += hist.positives[i + 1]!;
      fp += hist.negatives[i + 1]!;
      out[i] = { tp, fp, fn: totalPos - tp + hist.fixedFn };
    }
    return out;
  }

  result(): SweepResult {
    const curves = (cls: ChallengeClass): SweepCurve[] => {
      const beta = CLASS_BETA[cls];
      const base = this.histogramCounts(cls);
      const out: SweepCurve[] = [{ morphology: null, thresholds: [...this.histograms[cls].thresholds], counts: base, f: base.map((c) => fbeta(c, beta)) }];
      this.options.candidates[cls].forEach((cand, ci) => {
        const counts = this.candidateCounts[cls][ci]!.map((c) => ({ ...c }));
        out.push({ morphology: cand.morphology, thresholds: [...cand.thresholds], counts, f: counts.map((c) => fbeta(c, beta)) });
      });
      return out;
    };
    const car = curves('car');
    const road = curves('road');
    const best = (list: SweepCurve[]): ClassBest => {
      let b: ClassBest = { threshold: list[0]!.thresholds[0]!, morphology: null, f: -1 };
      for (const curve of list) curve.f.forEach((f, i) => {
        if (f > b.f) b = { threshold: curve.thresholds[i]!, morphology: curve.morphology, f };
      });
      return b;
    };
    const bc = best(car);
    const br = best(road);
    return { frames: this.frameCount, car, road, best: { car: bc, road: br, score: (bc.f + br.f) / 2 } };
  }
}

/** The morphology candidates tried by default: vehicle dilated 3x3 (square, cross) once, as the original; road opened/closed 3x3. */
export function defaultCandidates(stride: number): Record<ChallengeClass, MorphologyCandidate[]> {
  const m = (op: Morphology['op'], shape: Morphology['shape']): Morphology => ({ op, size: 3, shape, iterations: 1 });
  return {
    car: [
      { morphology: m('dilate', 'square'), thresholds: sliderGrid('car', stride) },
      { morphology: m('dilate', 'cross'), thresholds: sliderGrid('car', stride) },
    ],
    road: [
      { morphology: m('open', 'square'), thresholds: sliderGrid('road', stride) },
      { morphology: m('close', 'square'), thresholds: sliderGrid('road', stride) },
    ],
  };
}
