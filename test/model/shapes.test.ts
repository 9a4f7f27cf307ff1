import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, ENCODER_NAMES, inputSizeProblem } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { walkShapes } from '../../src/model/shapeWalk';
import { summarizeModel } from '../../src/model/summary';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LinkNet shapes', () => {
  for (const encoder of ENCODER_NAMES) {
    it(`${encoder}: output size equals input size at 320x800, 160x416 and 64x96 (symbolic)`, () => {
      for (const [h, w] of [[320, 800], [160, 416], [64, 96]]) {
        const { logits, e4 } = walkShapes({ encoder, classes: ['a', 'b', 'c', 'd'] }, h, w).outputs;
        expect([logits.h, logits.w, logits.c]).toEqual([h, w, 4]);
        expect([e4.h, e4.w]).toEqual([h / 32, w / 32]);
      }
    });
  }

  for (const encoder of ['resnet18', 'resnet50', 'resnet101'] as const) {
    it(`${encoder}: a real forward pass has the symbolic shapes and sums to 1 over classes`, async () => {
      const config = defaultModelConfig({ encoder });
      const model = LinkNetModel.create(config, 3);
      const x = tf.randomUniform([1, 64, 96, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const out = model.forward(x);
      const symbolic = walkShapes(config, 64, 96).outputs;
      for (const key of ['e1', 'e2', 'e3', 'e4', 'd4', 'd3', 'd2', 'd1', 'logits'] as const) {
        const s = symbolic[key];
        expect(out[key].shape, key).toEqual([1, s.h, s.w, s.c]);
      }
      const sums = await tf.sum(out.probs, -1).data();
      expect(Math.max(...Array.from(sums, (v) => Math.abs(v - 1)))).toBeLessThan(1e-5);
      tf.dispose([x, ...Object.values(out)]);
      model.dispose();
    });
  }

  it('lists the input of every BatchNorm layer: one per BatchNorm parameter pair, the stem first at half size', () => {
    for (const encoder of ['resnet18', 'resnet34'] as const) {
      const walk = walkShapes({ encoder, classes: ['a', 'b', 'c'] }, 64, 128);
      const layers = walk.params.filter((p) => p.role === 'bn-weight');
      expect(walk.batchNormInputs).toHaveLength(layers.length);
      walk.batchNormInputs.forEach((s, i) => expect(s.c, layers[i].name).toBe(layers[i].torchShape[0]));
      expect(walk.batchNormInputs[0]).toEqual({ n: 1, h: 32, w: 64, c: 64 });
    }
  });

  it('refuses an input whose size is not a multiple of 32, saying so', () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18' }), 1);
    const x = tf.zeros([1, 100, 96, 3]) as tf.Tensor4D;
    expect(() => model.forward(x)).toThrow(/100x96 is not a multiple of 32.*96x96 or 128x96/);
    expect(inputSizeProblem(320, 800)).toBeNull();
    expect(inputSizeProblem(600, 800)).toMatch(/multiple of 32.*use e\.g\. 576x800 or 608x800$/);
    expect(inputSizeProblem(16, 32)).toMatch(/use e\.g\. 32x32$/);
    expect(inputSizeProblem(0, 32)).toMatch(/positive/);
    x.dispose();
    model.dispose();
  });

  it('sigmoid output is per channel, not normalised over classes', async () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18', final: 'sigmoid' }), 2);
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const out = model.forward(x);
    const expected = await tf.sigmoid(out.logits).data();
    const actual = await out.probs.data();
    expect(Array.from(actual)).toEqual(Array.from(expected));
    tf.dispose([x, ...Object.values(out)]);
    model.dispose();
  });
});

describe('model summary', () => {
  it('LinkNet34: 21.64 M parameters and 22.7 GMAC at 320x800 (REFERENCE: about 21.6 M and 22.7)', () => {
    const s = summarizeModel(defaultModelConfig(), { height: 320, width: 800 }, 16);
    expect(s.parameters).toBe(21642659);
    expect(s.gmac).toBeCloseTo(22.69, 1);
    expect([s.outputHeight, s.outputWidth]).toEqual([320, 800]);
  });

  it('parameters agree with the real model, and memory grows with batch and size', () => {
    const config = defaultModelConfig({ encoder: 'resnet18' });
    const model = LinkNetModel.create(config, 1);
    const trainable = model.trainableVariables().reduce((n, v) => n + v.size, 0);
    expect(summarizeModel(config, { height: 64, width: 64 }).parameters).toBe(trainable);
    model.dispose();
    const small = summarizeModel(config, { height: 160, width: 416 }, 1);
    const big = summarizeModel(config, { height: 320, width: 800 }, 1);
    const batch8 = summarizeModel(config, { height: 320, width: 800 }, 8);
    expect(big.gmac).toBeGreaterThan(3.5 * small.gmac);
    expect(batch8.trainingMemoryBytes).toBeGreaterThan(big.trainingMemoryBytes);
    expect(big.trainingMemoryBytes).toBeGreaterThan(big.inferenceMemoryBytes);
  });
});
