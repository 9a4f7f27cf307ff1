import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { readSafetensorsModel } from '../../src/weights/modelFile';
import { nhwcToNchw } from '../../src/weights/pytorchLayout';
import { FIXTURES_DIR } from '../paths';
import { fixture, maxAbsError, nhwcFixture, relativeMaxError } from './fixtures';

const FORWARD = 'linknet34_forward.safetensors';

/** The forward fixture on the current backend; the backend is chosen by `setup`. */
export function describeForwardParity(backend: string, setup: () => Promise<void>): void {
describe(`LinkNet34 forward pass matches PyTorch (${backend}, eval mode)`, () => {
  let model: LinkNetModel;
  let outputs: Record<string, Float32Array>;
  let shapes: Record<string, number[]>;

  beforeAll(async () => {
    await setup();
    const loaded = readSafetensorsModel(new Uint8Array(readFileSync(resolve(FIXTURES_DIR, 'linknet34_weights.safetensors'))));
    model = LinkNetModel.fromTorchWeights(loaded.config, loaded.weights);
    const input = nhwcFixture(FORWARD, '64x96.input');
    const result = model.forward(input);
    outputs = {};
    shapes = {};
    for (const key of ['e1', 'e2', 'e3', 'e4', 'd4', 'd3', 'd2', 'd1', 'logits', 'probs'] as const) {
      const t = result[key];
      shapes[key] = t.shape;
      outputs[key] = nhwcToNchw((await t.data()) as Float32Array, t.shape);
    }
    tf.dispose([input, ...Object.values(result)]);
  });
  afterAll(() => model.dispose());

  it('reads the fixture weights as a 3-class resnet34 LinkNet', () => {
    expect(model.config.encoder).toBe('resnet34');
    expect(model.config.classes).toHaveLength(3);
  });

  for (const key of ['e1', 'e2', 'e3', 'e4', 'd4', 'd3', 'd2', 'd1', 'logits']) {
    it(`${key} within 1e-3 relative`, () => {
      const [n, c, h, w] = fixture(FORWARD).entries.get(`64x96.${key}`)!.shape;
      expect(shapes[key]).toEqual([n, h, w, c]);
      expect(relativeMaxError(outputs[key], fixture(FORWARD).readFloat32(`64x96.${key}`))).toBeLessThan(1e-3);
    });
  }

  it('probabilities within 1e-4 absolute', () => {
    expect(maxAbsError(outputs.probs, fixture(FORWARD).readFloat32('64x96.probs'))).toBeLessThan(1e-4);
  });
});
}
