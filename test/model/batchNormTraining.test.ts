import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTraining } from '../../src/model/batchNormTraining';
import { seededRandom } from '../../src/util/seededRandom';

const EPSILON = 1e-5;

function values(n: number, seed: number, offset: number, spread: number): Float32Array {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: n }, () => offset + (rnd() - 0.5) * spread);
}

/** The forward ops that autodiff differentiates one by one (the definition). */
function byOps(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const mean = tf.mean(x, [0, 1, 2]);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), [0, 1, 2]);
  return tf.add(tf.mul(centered, tf.mul(gamma, tf.rsqrt(tf.add(variance, EPSILON)))), beta) as tf.Tensor4D;
}

function maxRelative(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let mag = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    mag = Math.max(mag, Math.abs(b[i]));
  }
  return err / mag;
}

describe('batchNormTraining (closed-form gradient)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("'autodiff' is the definition itself: the same values to the bit, the statistics kept", async () => {
    const shape: [number, number, number, number] = [2, 3, 5, 4];
    const x = tf.tensor4d(values(120, 5, 2, 3), shape);
    const gamma = tf.tensor1d(values(4, 6, 1, 1));
    const beta = tf.tensor1d(values(4, 7, 0, 1));
    const viaMode = tf.grad((a: tf.Tensor) => {
      const r = batchNormTraining(a as tf.Tensor4D, gamma, beta, EPSILON, 'autodiff');
      tf.dispose([r.mean, r.variance]);
      return tf.sum(tf.square(r.y));
    })(x);
    const direct = tf.grad((a: tf.Tensor) => tf.sum(tf.square(byOps(a as tf.Tensor4D, gamma, beta))))(x);
    expect(Array.from(await viaMode.data())).toEqual(Array.from(await direct.data()));
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, EPSILON, 'autodiff');
    expect(mean.isDisposed || variance.isDisposed).toBe(false);
    tf.dispose([x, gamma, beta, viaMode, direct, y, mean, variance]);
  });

  for (const shape of [
    [2, 5, 7, 4],
    [1, 1, 3, 6],
    [3, 4, 4, 1],
  ] as [number, number, number, number][]) {
    it(`gives the definition's output and gradients for x, gamma and beta, ${shape.join('x')}`, async () => {
      const c = shape[3];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor4d(values(n, 1, 3, 4), shape);
      const gamma = tf.tensor1d(values(c, 2, 1, 1));
      const beta = tf.tensor1d(values(c, 3, 0, 1));
      // A loss that weighs every output differently, so dy is not uniform.
      const weights = tf.tensor4d(values(n, 4, 0, 2), shape);
      const loss = (f: (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor4D) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.square(f(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D)), weights)) as tf.Scalar;
      const before = tf.memory().numTensors;
      const ours = tf.grads(loss((a, g, b) => {
        const r = batchNormTraining(a, g, b, EPSILON);
        tf.dispose([r.mean, r.variance]);
        return r.y;
      }))([x, gamma, beta]);
      const reference = tf.grads(loss(byOps))([x, gamma, beta]);
      for (let i = 0; i < 3; i++) {
        const got = (await ours[i].data()) as Float32Array;
        const want = (await reference[i].data()) as Float32Array;
        expect(ours[i].shape).toEqual(reference[i].shape);
        expect(maxRelative(got, want), ['dx', 'dgamma', 'dbeta'][i]).toBeLessThan(2e-5);
      }
      tf.dispose([...ours, ...reference]);
      expect(tf.memory().numTensors).toBe(before);

      const { y, mean, variance } = batchNormTraining(x, gamma, beta, EPSILON);
      const yRef = byOps(x, gamma, beta);
      expect(maxRelative((await y.data()) as Float32Array, (await yRef.data()) as Float32Array)).toBeLessThan(1e-6);
      const meanRef = tf.mean(x, [0, 1, 2]);
      const varRef = tf.moments(x, [0, 1, 2]).variance;
      expect(Array.from(await mean.data())).toEqual(Array.from(await meanRef.data()));
      expect(maxRelative((await variance.data()) as Float32Array, (await varRef.data()) as Float32Array)).toBeLessThan(1e-6);
      tf.dispose([x, gamma, beta, weights, y, mean, variance, yRef, meanRef, varRef]);
    });
  }
});
