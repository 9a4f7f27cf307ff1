/**
 * Messages between the page and the dataset worker (datasetWorker.ts). The page lists and pairs
 * the files itself (fast, so counts show at once) and hands the pairs to the worker, which decodes
 * them one by one and answers in batches; one worker serves one loaded dataset (a new load starts
 * a new worker, which is how a running load is cancelled).
 */
import type { DatasetProblem } from '../data/datasetModel';
import type { LabelScheme } from '../data/labelScheme';

/** One pair of files to index; `index` is the pair's index in the pairing result. */
export interface FilePairJob {
  index: number;
  framePath: string;
  labelPath: string;
  frame: File;
  label: File;
}

export type IndexSource =
  | { kind: 'files'; pairs: FilePairJob[] }
  /** The procedural sample dataset: pair i is sample frame i. */
  | { kind: 'sample'; count: number; seed: number; width: number; height: number };

export interface IndexRequest {
  type: 'index';
  jobId: number;
  scheme: LabelScheme;
  /** Thumbnail width in pixels (the height follows the frame's aspect). */
  thumbWidth: number;
  source: IndexSource;
}

export interface PreviewRequest {
  type: 'preview';
  requestId: number;
  /** Pair index. */
  index: number;
}

export interface HoodOverlapRequest {
  type: 'hood-overlaps';
  requestId: number;
  hood: { mask: Uint8Array; width: number; height: number };
}

export type ToWorker = IndexRequest | PreviewRequest | HoodOverlapRequest;

/** A usable pair. */
export interface PairIndexed {
  index: number;
  ok: true;
  width: number;
  height: number;
  counts: number[];
  signature: Float32Array;
  /** Frame thumbnail (JPEG). */
  thumb: Blob;
  /** Label overlay at thumbnail size (PNG with alpha; background transparent). */
  labelThumb: Blob;
}

/** A pair that cannot be used; `problems` name the file(s) and the reason. */
export interface PairRefused {
  index: number;
  ok: false;
  problems: DatasetProblem[];
}

export type PairResult = PairIndexed | PairRefused;

export interface HoodEstimateMessage {
  width: number;
  height: number;
  /** Labels of this size that voted. */
  frames: number;
  /** 0/1, or null when no label had the hood value at its bottom centre. */
  mask: Uint8Array | null;
  /** Fraction of labels a pixel must be hood in. */
  agreement: number;
}

export interface ResultsMessage {
  type: 'results';
  jobId: number;
  results: PairResult[];
  /** Pairs finished so far, of `total`. */
  done: number;
  total: number;
}

export interface DoneMessage {
  type: 'done';
  jobId: number;
  /** The hood estimated over the labels of the most common frame size; null when no label had one. */
  hood: HoodEstimateMessage | null;
  /** Per pair: hood-value pixels inside the estimated hood (NaN where it does not apply); null without a hood. */
  hoodOverlaps: Float64Array | null;
  elapsedMs: number;
  /** Worker time per stage (ms, summed over pairs; stages that wait overlap others). */
  stages: Record<string, number>;
}

export interface JobFailedMessage {
  type: 'failed';
  jobId: number;
  message: string;
}

export interface PreviewMessage {
  type: 'preview';
  requestId: number;
  index: number;
  width: number;
  height: number;
  frame: ImageBitmap;
  /** Class overlay (display colours, background transparent). */
  label: ImageBitmap;
}

export interface PreviewFailedMessage {
  type: 'preview-failed';
  requestId: number;
  message: string;
}

export interface HoodOverlapMessage {
  type: 'hood-overlaps';
  requestId: number;
  overlaps: Float64Array;
}

export type FromWorker = ResultsMessage | DoneMessage | JobFailedMessage | PreviewMessage | PreviewFailedMessage | HoodOverlapMessage;

/** Agreement of the hood estimate: a pixel is hood when at least this fraction of labels say so. */
export const HOOD_AGREEMENT = 0.9;
