import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { oneHotTargets, oneHotValues } from '../../src/training/oneHotTargets';

describe('oneHotValues', () => {
  it('writes a 1 at each pixel class and 0 elsewhere', () => {
    expect(Array.from(oneHotValues(Uint8Array.from([0, 2, 1]), 3))).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
    expect(oneHotValues(new Uint8Array(0), 3)).toHaveLength(0);
  });

  it('refuses a class the model does not have instead of writing into the next pixel', () => {
    expect(() => oneHotValues(Uint8Array.from([0, 3]), 3)).toThrow(/pixel 1 has class 3; the model has 3 classes/);
  });
});

describe('oneHotTargets on a backend without the kernel (cpu)', () => {
  it('is the one-hot values as a [N, H, W, C] float32 tensor', async () => {
    await tf.setBackend('cpu');
    const classes = Uint8Array.from([0, 1, 2, 1, 0, 2]);
    const t = oneHotTargets(classes, [2, 1, 3], 3);
    expect(t.shape).toEqual([2, 1, 3, 3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(await t.data())).toEqual(Array.from(oneHotValues(classes, 3)));
    t.dispose();
    expect(() => oneHotTargets(classes, [2, 2, 3], 3)).toThrow(/6 class indices for targets of 2x2x3/);
  });
});
