import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { RELU_GRAD_KERNEL, reluTraining } from '../../src/model/reluTraining';

describe('reluTraining', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("gives tf.relu's values and TensorFlow.js's gradient (0 at and below 0), without the kernel on the cpu backend", async () => {
    expect(tf.getKernel(RELU_GRAD_KERNEL, 'cpu')).toBeUndefined();
    const x = tf.tensor2d([[-2, -0.5, 0, 0.25], [1, 3, -1e-8, 1e-8]]);
    const dy = tf.tensor2d([[1, 2, 3, 4], [-5, 6, 7, -8]]);
    const ours = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reluTraining(a), dy)))(x);
    const reference = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))(x);
    expect(Array.from(await ours.data())).toEqual(Array.from(await reference.data()));
    expect(Array.from(await ours.data())).toEqual([0, 0, 0, 4, -5, 6, 0, -8]);
    const y = reluTraining(x);
    expect(Array.from(await y.data())).toEqual(Array.from(await tf.relu(x).data()));
    tf.dispose([x, dy, ours, reference, y]);
  });
});
