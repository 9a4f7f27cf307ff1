import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADD_SQUARED_NORM_KERNEL, squaredNorm } from '../../src/training/gradientNorm';

describe('squaredNorm (the gradient norm of a step)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('sums the squares of every tensor (ops where the backend has no kernel); zero for none', async () => {
    expect(tf.getKernel(ADD_SQUARED_NORM_KERNEL, 'cpu')).toBeUndefined();
    const a = tf.tensor2d([[1, -2], [3, 0.5]]);
    const b = tf.tensor1d([4]);
    const before = tf.memory().numTensors;
    const total = squaredNorm([a, b]);
    expect(total.shape).toEqual([]);
    expect(await total.data()).toEqual(new Float32Array([1 + 4 + 9 + 0.25 + 16]));
    total.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const none = squaredNorm([]);
    expect(await none.data()).toEqual(new Float32Array([0]));
    tf.dispose([a, b, none]);
  });

  it('is NaN where any value is NaN and Infinity where one is infinite, so the run loop stops', async () => {
    const ok = tf.tensor1d([1, 2]);
    for (const [bad, check] of [
      [Number.NaN, Number.isNaN],
      [Number.POSITIVE_INFINITY, (v: number) => v === Number.POSITIVE_INFINITY],
    ] as const) {
      const t = tf.tensor1d([0, bad]);
      const total = squaredNorm([ok, t]);
      expect(check((await total.data())[0])).toBe(true);
      tf.dispose([t, total]);
    }
    ok.dispose();
  });
});
