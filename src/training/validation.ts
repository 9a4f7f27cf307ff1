/**
 * Scores the validation split with the challenge grader at the input resolution: the class masks
 * at the given thresholds, the hood removed from the predictions (it is already out of the vehicle
 * truth), TP/FP/FN summed over all pixels of all frames. Also makes a few preview images (frame at
 * input size with the predicted road and vehicle overlaid).
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassThresholds } from '../inference/frameMasks';
import { challengeChannels } from '../inference/frameMasks';
import { framesToInput, type FramePixels } from '../inference/frameInput';
import { GraderAccumulator, type ClassCounts } from '../metrics/grader';
import { FoldedLinkNet } from '../model/foldedLinkNet';
import type { LinkNetModel } from '../model/linkNetModel';
import type { ValidationReport } from '../worker/trainingProtocol';
import { croppedSpec, type BatchPipeline } from './batchPipeline';
import { nearestSourceIndices } from './trainingTargets';

export interface ValidationOptions {
  thresholds: ClassThresholds;
  /** Hood mask at the input size (0/1), or null. */
  hoodAtInput: Uint8Array | null;
  batchSize: number;
  previews: number;
  /** Called between batches (a chance to yield or to stop). */
  onBatch?: () => Promise<void>;
}

/** Frame (already cropped) -> RGBA at the input size (nearest) with road green, vehicle red overlaid. */
export function previewRgba(frame: FramePixels, width: number, height: number, road: Uint8Array, car: Uint8Array): Uint8ClampedArray {
  const rows = nearestSourceIndices(frame.height, height);
  const cols = nearestSourceIndices(frame.width, width);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (rows[y] * frame.width + cols[x]) * frame.channels;
      const i = y * width + x;
      let r = frame.data[s];
      let g = frame.data[s + 1];
      let b = frame.data[s + 2];
      if (car[i]) [r, g, b] = [(r + 255) / 2, g / 2, b / 2];
      else if (road[i]) [r, g, b] = [r / 2, (g + 255) / 2, b / 2];
      out.set([r, g, b, 255], i * 4);
    }
  }
  return out;
}

/** What one grading pass at the input resolution gives: the report and the grader's pixel counts. */
export interface InputGrading {
  report: Omit<ValidationReport, 'step' | 'epoch'>;
  counts: ReturnType<GraderAccumulator['counts']>;
}

/** The validation report of the run loop (see gradeAtInputSize). */
export async function validate(
  model: LinkNetModel,
  pipeline: BatchPipeline,
  indices: readonly number[],
  options: ValidationOptions,
): Promise<Omit<ValidationReport, 'step' | 'epoch'>> {
  return (await gradeAtInputSize(model, pipeline, indices, options)).report;
}

/**
 * Grades the pipeline's pairs `indices` at the input resolution (the pipeline crops and resizes
 * frames and labels exactly as for training). Used by the run loop's validation and by `cli eval
 * --grade-at input`, so both give the same score for the same model, frames, hood and thresholds.
 */
export async function gradeAtInputSize(
  model: LinkNetModel,
  pipeline: BatchPipeline,
  indices: readonly number[],
  options: ValidationOptions,
): Promise<InputGrading> {
  const spec = model.config.input;
  const cropSpec = croppedSpec(spec);
  const roles = challengeChannels(model.config.classes);
  const c = model.config.classes.length;
  const n = spec.inputHeight * spec.inputWidth;
  const grader = new GraderAccumulator();
  const perClass: ClassCounts[] = Array.from({ length: c }, () => ({ tp: 0, fp: 0, fn: 0 }));
  const thresholdOf = (ch: number) => (ch === roles.road ? options.thresholds.road : ch === roles.car ? options.thresholds.car : 0.5);
  const previews: ValidationReport['previews'] = [];
  const hood = options.hoodAtInput;
  // The network with BatchNorm folded, as the viewer runs it (1.4x on WebGPU): same results up to
  // float rounding, folded once per pass because the weights change between passes.
  await FoldedLinkNet.using(model, async (net) => {
    for (let start = 0; start < indices.length; start += options.batchSize) {
      const part = indices.slice(start, start + options.batchSize);
      const batch = await pipeline.batch(part);
      const probsT = tf.tidy(() => net.predict(framesToInput(batch.frames, cropSpec)));
      let probs: Float32Array;
      try {
        probs = (await probsT.data()) as Float32Array;
      } finally {
        probsT.dispose();
      }
      for (let b = 0; b < part.length; b++) {
        const pred = { road: new Uint8Array(n), car: new Uint8Array(n) };
        const truth = { road: new Uint8Array(n), car: new Uint8Array(n) };
        const base = b * n * c;
        for (let i = 0; i < n; i++) {
          const p = base + i * c;
          const masked = hood !== null && hood[i] === 1;
          for (let ch = 0; ch < c; ch++) {
            const t = batch.classes[b * n + i] === ch;
            const predicted = !masked && probs[p + ch] > thresholdOf(ch);
            const counts = perClass[ch];
            if (predicted && t) counts.tp++;
            else if (predicted) counts.fp++;
            else if (t) counts.fn++;
            if (ch === roles.road) {
              truth.road[i] = t ? 1 : 0;
              pred.road[i] = predicted ? 1 : 0;
            } else if (ch === roles.car) {
              truth.car[i] = t ? 1 : 0;
              pred.car[i] = predicted ? 1 : 0;
            }
          }
        }
        grader.addMasks(pred, truth);
        if (previews.length < options.previews) {
          previews.push({
            index: part[b],
            name: batch.names[b],
            width: spec.inputWidth,
            height: spec.inputHeight,
            rgba: previewRgba(batch.frames[b], spec.inputWidth, spec.inputHeight, pred.road, pred.car),
          });
        }
      }
      await options.onBatch?.();
    }
  });
  const r = grader.result();
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const report = {
    frames: r.frames,
    fRoad: r.fRoad,
    fCar: r.fCar,
    score: r.score,
    precision: perClass.map((k) => ratio(k.tp, k.tp + k.fp)),
    recall: perClass.map((k) => ratio(k.tp, k.tp + k.fn)),
    thresholds: { ...options.thresholds },
    previews,
  };
  return { report, counts: grader.counts() };
}
