import * as tf from '@tensorflow/tfjs';
import type { LinkNetModel } from '../../src/model/linkNetModel';
import { seededRandom } from '../../src/util/seededRandom';

/**
 * Gives every BatchNorm layer non-trivial statistics and affine parameters (a fresh model has
 * mean 0, variance 1, gamma 1, beta 0, which would make folding a no-op), keeping activations in
 * a reasonable range.
 */
export function perturbBatchNorm(model: LinkNetModel, seed: number): void {
  const rng = seededRandom(seed);
  const values = (n: number, low: number, high: number) => Float32Array.from({ length: n }, () => low + (high - low) * rng());
  tf.tidy(() => {
    for (const spec of model.specs) {
      const n = spec.torchShape[0];
      const v = model.variable(spec.name);
      if (spec.role === 'running-mean') v.assign(tf.tensor1d(values(n, -0.2, 0.2)));
      else if (spec.role === 'running-var') v.assign(tf.tensor1d(values(n, 0.5, 2)));
      else if (spec.role === 'bn-weight') v.assign(tf.tensor1d(values(n, 0.6, 1.4)));
      else if (spec.role === 'bn-bias') v.assign(tf.tensor1d(values(n, -0.1, 0.1)));
    }
  });
}

/** Scales the last convolution so the probabilities spread out (a fresh model's are near uniform). */
export function sharpenHead(model: LinkNetModel, factor: number): void {
  tf.tidy(() => {
    const w = model.variable('finalconv3.weight');
    w.assign(tf.mul(w, factor));
  });
}
