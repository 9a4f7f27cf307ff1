import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, type ModelConfig } from '../../src/model/config';
import { initialValues, initialValuesBySlice } from '../../src/model/initialization';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { paramSpecs } from '../../src/model/shapeWalk';
import { seededRandom } from '../../src/util/seededRandom';
import { tasksDuring } from '../support/tasksDuring';

const config: ModelConfig = defaultModelConfig({ encoder: 'resnet18', classes: ['a', 'b', 'c'] });

function bytesOf(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

async function sameWeights(a: LinkNetModel, b: LinkNetModel): Promise<string[]> {
  const wa = await a.readTorchWeights();
  const wb = await b.readTorchWeights();
  expect([...wb.keys()]).toEqual([...wa.keys()]);
  return [...wa].filter(([name, values]) => !bytesOf(values).equals(bytesOf(wb.get(name)!))).map(([name]) => name);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('initial values by slice', () => {
  it('draws the same values in the same order whatever the slice length, pausing between slices', () => {
    const specs = paramSpecs(config);
    const conv = specs.find((s) => s.name === 'encoder4.1.conv2.weight')!; // 512x512x3x3, Kaiming normal
    const deconv = specs.find((s) => s.name === 'decoder4.deconv2.weight')!; // uniform
    const bn = specs.find((s) => s.name === 'encoder1.0.bn1.weight')!; // constant 1
    for (const spec of [conv, deconv, bn]) {
      const whole = initialValues(spec, seededRandom(11));
      for (const slice of [1000, 65536, 1 << 30]) {
        const slices = initialValuesBySlice(spec, seededRandom(11), slice);
        let pauses = 0;
        let next = slices.next();
        while (!next.done) {
          pauses++;
          next = slices.next();
        }
        expect(bytesOf(next.value).equals(bytesOf(whole)), `${spec.name}, slices of ${slice}`).toBe(true);
        const random = spec.role === 'weight' || spec.role === 'bias';
        expect(pauses, `${spec.name}, slices of ${slice}`).toBe(random ? Math.ceil(whole.length / slice) - 1 : 0);
      }
    }
    expect(initialValues(bn, seededRandom(0)).every((v) => v === 1)).toBe(true);
  });
});

describe('building a model in steps', () => {
  it('createInSteps makes the same model as create and lets the page run tasks while it builds', async () => {
    const reference = LinkNetModel.create(config, 5);
    const before = tf.memory().numTensors;
    const blocking = await tasksDuring(() => LinkNetModel.create(config, 5));
    expect(blocking.tasks).toBe(0);
    blocking.result.dispose();
    const { result: stepped, tasks } = await tasksDuring(() => LinkNetModel.createInSteps(config, 5, 0));
    expect(tasks).toBeGreaterThan(10);
    expect(await sameWeights(reference, stepped)).toEqual([]);
    expect(tf.memory().numTensors - before).toBe(stepped.specs.length);
    stepped.dispose();
    reference.dispose();
  });

  it('fromTorchWeightsInSteps makes the model of the weights; a missing tensor fails and leaves no tensor behind', async () => {
    const source = LinkNetModel.create(config, 2);
    const weights = await source.readTorchWeights();
    const { result: stepped, tasks } = await tasksDuring(() => LinkNetModel.fromTorchWeightsInSteps(config, weights, 0));
    expect(tasks).toBeGreaterThan(10);
    expect(await sameWeights(source, stepped)).toEqual([]);
    stepped.dispose();

    const before = tf.memory().numTensors;
    const partial = new Map(weights);
    partial.delete('finalconv3.bias');
    await expect(LinkNetModel.fromTorchWeightsInSteps(config, partial, 0)).rejects.toThrow('missing tensor "finalconv3.bias"');
    expect(tf.memory().numTensors).toBe(before);
    source.dispose();
  });

  it('createWithInSteps equals create with the given weights assigned; an unknown name fails before anything is built', async () => {
    const other = LinkNetModel.create(config, 9);
    const encoder = new Map([...(await other.readTorchWeights())].filter(([name]) => name.startsWith('encoder1.')));
    other.dispose();
    const reference = LinkNetModel.create(config, 4);
    reference.assignTorchWeights(encoder);
    const before = tf.memory().numTensors;
    const { result: stepped, tasks } = await tasksDuring(() => LinkNetModel.createWithInSteps(config, 4, encoder, 0));
    expect(tasks).toBeGreaterThan(10);
    expect(await sameWeights(reference, stepped)).toEqual([]);
    stepped.dispose();
    await expect(LinkNetModel.createWithInSteps(config, 4, new Map([['layer1.0.conv1.weight', new Float32Array(1)]]), 0)).rejects.toThrow(
      'no parameter named "layer1.0.conv1.weight"',
    );
    expect(tf.memory().numTensors).toBe(before);
    reference.dispose();
  });
});
