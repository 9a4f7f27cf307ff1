/** The model session in Node: replacing and disposing models, imports that fail changing nothing, exports that read back. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { linkNetTensors, smallConfig, toSafetensors, torchvisionTensors } from '../../e2e/support/modelFiles';
import { reregisterBackend } from '../../src/backend/deviceLoss';
import type { LinkNetModel } from '../../src/model/linkNetModel';
import { ModelSession } from '../../src/state/modelSession';
import { readPickedFiles } from '../../src/weights/pickedFiles';
import { fileBytes } from '../../src/util/browserDownload';
import { parseSafetensors } from '../../src/weights/safetensors';

const config = smallConfig();
let good: Uint8Array;

beforeAll(async () => {
  await tf.setBackend('cpu');
  good = toSafetensors(linkNetTensors(config));
});

describe('ModelSession', () => {
  it('replaces the model, disposing the old one; a failed import changes nothing', async () => {
    const session = new ModelSession();
    const before = tf.memory().numTensors;
    const first = await session.createNew(smallConfig({ classes: ['a', 'b', 'c'] }), 3);
    expect(first.origin).toEqual({ kind: 'new', seed: 3 });
    expect(tf.memory().numTensors - before).toBe(session.linkNet!.specs.length);

    const { info, notice } = await session.importFiles([{ name: 'road2.safetensors', bytes: good }], config, 0);
    expect(notice).toBe('road2.safetensors: LinkNet18 with 2 classes imported');
    expect(info.origin).toEqual({ kind: 'file', file: 'road2.safetensors', format: 'safetensors' });
    expect(tf.memory().numTensors - before).toBe(session.linkNet!.specs.length);

    const model = session.linkNet;
    const bad = linkNetTensors(config);
    const t = bad.tensors.find((x) => x.name === 'decoder4.deconv2.weight')!;
    t.shape = [t.shape[0]!, t.shape[1]!, 1, 1];
    t.data = new Float32Array(t.shape[0]! * t.shape[1]!);
    await expect(session.importFiles([{ name: 'model.safetensors', bytes: toSafetensors(bad) }], config, 0)).rejects.toThrow(
      'model.safetensors: tensor "decoder4.deconv2.weight" has shape [128, 128, 1, 1], expected [128, 128, 3, 3]',
    );
    expect(session.linkNet).toBe(model);
    expect(session.current).toBe(info);
    expect(tf.memory().numTensors - before).toBe(session.linkNet!.specs.length);

    session.clear();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('restore() rebuilds each kind of model from page memory on a backend made anew, with the same weights', async () => {
    const session = new ModelSession();
    const told: boolean[] = [];
    session.onChange((_info, restored) => told.push(restored));
    expect(await session.restore()).toBeNull();
    const trained = Object.fromEntries(await weightsOfNewModel(session, () => session.createNew(config, 5)));
    const origins: [string, () => Promise<unknown>][] = [
      ['new', () => session.createNew(smallConfig({ classes: ['a', 'b', 'c'] }), 3)],
      ['file', () => session.importFiles([{ name: 'road2.safetensors', bytes: good }], config, 0)],
      ['encoder', () => session.importFiles([{ name: 'resnet18.safetensors', bytes: toSafetensors(torchvisionTensors('resnet18'), 'F32') }], config, 7)],
      ['training', () => session.adoptTrainedWeights(config, trained, { name: 'run 1', runId: 'r1', step: 12 })],
    ];
    for (const [kind, make] of origins) {
      await make();
      const old = session.linkNet!;
      const info = session.current!;
      expect(info.origin.kind).toBe(kind);
      const before = await old.readTorchWeights();
      // What a lost device leaves: the backend removed with every tensor on it, a new one in its place.
      reregisterBackend('cpu');
      await tf.setBackend('cpu');
      const tensorsBefore = tf.memory().numTensors;
      told.length = 0;
      const restored = (await session.restore())!;
      expect(told).toEqual([true]);
      expect(session.linkNet).not.toBe(old);
      expect(restored.origin).toEqual(info.origin);
      expect(restored.label).toBe(info.label);
      const after = await session.linkNet!.readTorchWeights();
      expect([...after.keys()]).toEqual([...before.keys()]);
      const differing = [...before].filter(([name, values]) => !bytesOf(values).equals(bytesOf(after.get(name)!))).map(([name]) => name);
      expect(differing, kind).toEqual([]);
      // The old model's tensors leave the engine's count as the new model's arrive: nothing leaks.
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    }
    session.clear();
    expect(told.at(-1)).toBe(false);
  });

  it('builds asked one after another apply in that order, even when the first takes longer', async () => {
    const session = new ModelSession();
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    session.onChange((info) => seen.push(info ? info.label : 'none'));
    // The LinkNet34 takes longer to build than the LinkNet18 file asked after it.
    const slow = session.createNew(smallConfig({ encoder: 'resnet34', classes: ['a', 'b', 'c'] }), 1);
    const fast = session.importFiles([{ name: 'road2.safetensors', bytes: good }], config, 0);
    const [first, second] = await Promise.all([slow, fast]);
    expect(seen).toEqual([first.label, second.info.label]);
    expect(session.current).toBe(second.info);
    expect(session.linkNet!.config.encoder).toBe('resnet18');
    expect(tf.memory().numTensors - before).toBe(session.linkNet!.specs.length);
    // A failed build does not stop the ones after it.
    const failing = session.adoptTrainedWeights(config, { 'firstconv.weight': new Float32Array(64 * 3 * 7 * 7) }, { name: 'run 2', runId: 'r2', step: 3 });
    const after = session.createNew(smallConfig({ classes: ['a', 'b', 'c'] }), 2);
    await expect(failing).rejects.toThrow('missing tensor');
    expect(session.current).toBe(second.info);
    expect((await after).origin).toEqual({ kind: 'new', seed: 2 });
    session.clear();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('makes a torchvision ResNet the encoder of a model with the given settings', async () => {
    const session = new ModelSession();
    const panel = smallConfig({ encoder: 'resnet34', classes: ['a', 'b', 'c', 'd'] });
    const resnet = toSafetensors(torchvisionTensors('resnet18'), 'F32');
    const { info, notice } = await session.importFiles([{ name: 'resnet18.safetensors', bytes: resnet }], panel, 7);
    expect(notice).toBe('resnet18.safetensors: resnet18 encoder weights imported, decoder initialised (seed 7)');
    expect(info.config.encoder).toBe('resnet18');
    expect(info.config.classes).toEqual(['a', 'b', 'c', 'd']);
    const weights = await session.linkNet!.readTorchWeights();
    const source = parseSafetensors(resnet);
    expect(Array.from(weights.get('encoder3.1.conv2.weight')!)).toEqual(Array.from(source.readFloat32('layer3.1.conv2.weight')));
    session.clear();
  });

  it('exports safetensors and TensorFlow.js files that import back unchanged', async () => {
    const session = new ModelSession();
    await session.importFiles([{ name: 'road2.safetensors', bytes: good }], config, 0);
    const [st] = await session.exportFiles('BF16');
    expect(st!.name).toBe('road2-bf16.safetensors');
    expect(parseSafetensors(await fileBytes(st!)).entries.get('finalconv3.weight')!.dtype).toBe('BF16');

    const files = await session.exportFiles('tfjs');
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
    const picked = readPickedFiles(await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await fileBytes(f) }))));
    expect(picked.format).toBe('tfjs');
    expect(picked.loaded.config).toEqual(session.current!.config);
    const source = parseSafetensors(good);
    for (const name of ['firstconv.weight', 'decoder1.deconv2.weight', 'finalconv3.bias']) {
      expect(Array.from(picked.loaded.weights.get(name)!), name).toEqual(Array.from(source.readFloat32(name)));
    }
    session.clear();
  });

  it('names the file in every refusal', () => {
    const read = (files: { name: string; bytes: Uint8Array }[]) => () => readPickedFiles(files);
    expect(read([{ name: 'w.bin', bytes: new Uint8Array(8) }])).toThrow('w.bin: TensorFlow.js weights need their model.json');
    expect(read([{ name: 'empty.safetensors', bytes: new Uint8Array(0) }])).toThrow('empty.safetensors: the file is empty');
    expect(read([{ name: 'ckpt.pth', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0]) }])).toThrow('ckpt.pth: this is a zip archive');
    expect(read([{ name: 'a.safetensors', bytes: good }, { name: 'b.safetensors', bytes: good }])).toThrow(
      'a.safetensors, b.safetensors: pick one .safetensors file',
    );
    expect(read([{ name: 'model.json', bytes: new TextEncoder().encode('{"modelTopology": {}}') }])).toThrow(
      'model.json: no "weightsManifest": not a TensorFlow.js model.json',
    );
    expect(read([{ name: 'cut.safetensors', bytes: good.slice(0, 1000) }])).toThrow(/^cut\.safetensors: header length \d+ bytes runs past the end of the file \(1000 bytes; truncated file/);
  });
});

function bytesOf(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** The weights of a model made by `make` (then dropped), as trained weights arrive from the worker. */
async function weightsOfNewModel(session: ModelSession, make: () => Promise<unknown>): Promise<Map<string, Float32Array>> {
  await make();
  const model: LinkNetModel = session.linkNet!;
  const weights = await model.readTorchWeights();
  session.clear();
  return weights;
}
