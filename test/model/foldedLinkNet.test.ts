import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig } from '../../src/model/config';
import { buildFoldedGraph } from '../../src/model/foldedGraph';
import { weightLookup } from '../../src/weights/weightLookup';
import { FoldedLinkNet } from '../../src/model/foldedLinkNet';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { readSafetensorsModel } from '../../src/weights/modelFile';
import { FIXTURES_DIR } from '../paths';
import { nhwcFixture } from '../support/fixtures';
import { perturbBatchNorm, sharpenHead } from '../onnx/support';
import { tasksDuring } from '../support/tasksDuring';

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [await a.data(), await b.data()];
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}

describe('FoldedLinkNet (BatchNorm folded, fused conv + bias + ReLU) on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('fromModelInSteps makes the network fromModel makes (the same outputs to the bit), letting the page run tasks meanwhile', async () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18', classes: ['a', 'b', 'c'] }), 3);
    const atOnce = await FoldedLinkNet.fromModel(model);
    const before = tf.memory().numTensors;
    const { result: stepped, tasks } = await tasksDuring(() => FoldedLinkNet.fromModelInSteps(model, 0));
    expect(tasks).toBeGreaterThan(20);
    const input = tf.randomUniform([1, 64, 96, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const [a, b] = [atOnce.predict(input), stepped.predict(input)];
    expect(Buffer.from((await a.data()).buffer).equals(Buffer.from((await b.data()).buffer))).toBe(true);
    tf.dispose([input, a, b]);
    stepped.dispose();
    expect(tf.memory().numTensors).toBe(before);
    atOnce.dispose();
    model.dispose();
  });

  it('equals LinkNetModel.predict within 1e-5 with the PyTorch fixture weights (resnet34)', async () => {
    const loaded = readSafetensorsModel(new Uint8Array(readFileSync(resolve(FIXTURES_DIR, 'linknet34_weights.safetensors'))));
    const model = LinkNetModel.fromTorchWeights(loaded.config, loaded.weights);
    const folded = await FoldedLinkNet.fromModel(model);
    const input = nhwcFixture('linknet34_forward.safetensors', '64x96.input');
    const expected = model.predict(input);
    const before = tf.memory().numTensors;
    const actual = folded.predict(input);
    expect(tf.memory().numTensors).toBe(before + 1); // only the result survives
    expect(await maxDiff(actual, expected)).toBeLessThan(1e-5);
    tf.dispose([input, expected, actual]);
    folded.dispose();
    model.dispose();
  });

  it('equals predict within 1e-5 for resnet18 with non-trivial BatchNorm statistics, sigmoid, batch 2', async () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18', final: 'sigmoid' }), 5);
    perturbBatchNorm(model, 50);
    sharpenHead(model, 150);
    const folded = await FoldedLinkNet.fromModel(model);
    const input = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const [expected, actual] = [model.predict(input), folded.predict(input)];
    expect(await maxDiff(actual, expected)).toBeLessThan(1e-5);
    // The folded copy is independent: changing the model's weights afterwards does not change it.
    sharpenHead(model, 0);
    const again = folded.predict(input);
    expect(await maxDiff(again, actual)).toBe(0);
    tf.dispose([input, expected, actual, again]);
    folded.dispose();
    model.dispose();
    expect(() => folded.predict(input)).toThrow(/disposed/);
  });

  it('folds every BatchNorm and attaches ReLUs: resnet34 runs as 46 conv, 5 deconv, 19 add and 1 max-pool ops', () => {
    const config = defaultModelConfig({ encoder: 'resnet34' });
    const model = LinkNetModel.create(config, 1);
    const weights = new Map(model.specs.map((s) => [s.name, new Float32Array(s.torchShape.reduce((a, b) => a * b, 1)).fill(1)]));
    model.dispose();
    const graph = buildFoldedGraph(config, weightLookup(weights));
    const kinds: Record<string, number> = {};
    for (const op of graph.ops) kinds[op.kind] = (kinds[op.kind] ?? 0) + 1;
    expect(kinds).toEqual({ conv: 46, deconv: 5, add: 19, maxPool: 1 });
    const bnCount = model.specs.filter((s) => s.role === 'running-mean').length;
    expect(graph.ops.filter((op) => (op.kind === 'conv' || op.kind === 'deconv') && op.foldedBatchNorm !== null)).toHaveLength(bnCount);
  });

  it('rejects a bad input the way predict does', async () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18' }), 1);
    const folded = await FoldedLinkNet.fromModel(model);
    const odd = tf.zeros([1, 40, 64, 3]) as tf.Tensor4D;
    expect(() => folded.predict(odd)).toThrow(/multiple of 32/);
    tf.dispose(odd);
    folded.dispose();
    model.dispose();
  });
  it('using(): folds the weights of the moment, returns what the pass returns, frees the folded copy even when the pass throws', async () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18' }), 2);
    const input = tf.randomUniform([1, 32, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const expected = model.predict(input);
    const before = tf.memory().numTensors;
    const diff = await FoldedLinkNet.using(model, async (net) => {
      const y = net.predict(input);
      const d = await maxDiff(y, expected);
      y.dispose();
      return d;
    });
    expect(diff).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    let leaked: FoldedLinkNet | null = null;
    await expect(
      FoldedLinkNet.using(model, async (net) => {
        leaked = net;
        throw new Error('the pass failed');
      }),
    ).rejects.toThrow('the pass failed');
    expect(tf.memory().numTensors).toBe(before);
    expect(() => leaked!.predict(input)).toThrow(/disposed/);
    tf.dispose([input, expected]);
    model.dispose();
  });
});
