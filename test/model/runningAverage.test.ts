import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNNING_AVERAGE_KERNEL, runningAverage, runningAverageAttrs } from '../../src/model/runningAverage';

describe('runningAverage (BatchNorm running statistics)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("is PyTorch's update, running * (1 - m) + batch * n/(n-1) * m, as the ops compute it in float32", async () => {
    const running = tf.tensor1d([1, -2, 0.5, 3]);
    const batch = tf.tensor1d([2, 4, -1, 0.25]);
    const n = 10;
    const got = await runningAverage({ running, batch }, runningAverageAttrs(0.1, n / (n - 1))).data();
    const f = Math.fround;
    const want = [1, -2, 0.5, 3].map((r, i) => f(f(r * f(0.9)) + f(f([2, 4, -1, 0.25][i] * f(n / (n - 1))) * f(0.1))));
    expect(Array.from(got)).toEqual(want);
    // The mean's update has no correction.
    const mean = await runningAverage({ running, batch }, runningAverageAttrs(0.1)).data();
    expect(Array.from(mean)).toEqual([1, -2, 0.5, 3].map((r, i) => f(f(r * f(0.9)) + f([2, 4, -1, 0.25][i] * f(0.1)))));
    tf.dispose([running, batch]);
  });

  it('runs as ops where the backend has no kernel, and refuses statistics of different shapes', () => {
    expect(tf.getKernel(RUNNING_AVERAGE_KERNEL, 'cpu')).toBeUndefined();
    const a = tf.zeros([4]);
    const b = tf.zeros([5]);
    expect(() => runningAverage({ running: a, batch: b }, runningAverageAttrs(0.1))).toThrow(/\[5\] differs from the running one \[4\]/);
    tf.dispose([a, b]);
  });
});
