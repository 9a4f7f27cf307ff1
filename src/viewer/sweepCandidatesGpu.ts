/**
 * The search's morphology candidates with TensorFlow.js ops (on the GPU when the backend is one):
 * for each threshold, the class's crop probabilities are thresholded, pasted into the frame,
 * put through the morphology and the hood, and TP/FP/FN summed on the backend; one readback
 * brings the counts of every threshold. Same definition as the CPU reference (masks.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassCounts } from '../metrics/grader';
import type { CropPlacement } from '../postprocess/masks';
import { greaterAsFloat, morphologyGpu } from '../postprocess/morphologyGpu';
import type { Morphology } from '../postprocess/settings';

/**
 * Counts of one class for `thresholds`: `probs` is the class's crop probabilities [rows, W],
 * `truth` the frame's truth mask [H, W] float32 0/1, `hood` the removed hood [H, W] 0/1 or null.
 */
export async function candidateCountsGpu(
  probs: tf.Tensor2D,
  truth: tf.Tensor2D,
  hood: tf.Tensor2D | null,
  placement: CropPlacement,
  morphology: Morphology,
  thresholds: readonly number[],
): Promise<ClassCounts[]> {
  const { frameHeight: h, cropTop, cropBottom } = placement;
  const counts = tf.tidy(() => {
    const keep = hood ? tf.sub(tf.scalar(1, 'float32'), hood) : null;
    const rows = thresholds.map((t) => {
      const crop = greaterAsFloat(probs, t) as tf.Tensor2D;
      let mask = tf.pad(crop, [
        [cropTop, h - cropBottom],
        [0, 0],
      ]) as tf.Tensor2D;
      if (morphology.op !== 'none') mask = morphologyGpu(mask, morphology);
      if (keep) mask = tf.mul(mask, keep);
      const tp = tf.sum(tf.mul(mask, truth));
      return tf.stack([tp, tf.sub(tf.sum(mask), tp), tf.sub(tf.sum(truth), tp)]);
    });
    return tf.stack(rows);
  });
  const values = await counts.data();
  counts.dispose();
  return thresholds.map((_, k) => ({ tp: Math.round(values[3 * k]!), fp: Math.round(values[3 * k + 1]!), fn: Math.round(values[3 * k + 2]!) }));
}
