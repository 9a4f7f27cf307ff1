import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, originalInputSpec, type ModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { paramSpecs } from '../../src/model/shapeWalk';
import { readSafetensorsModel, writeSafetensorsModel } from '../../src/weights/modelFile';
import { configToMetadata } from '../../src/weights/modelMetadata';
import { ModelFileError } from '../../src/weights/modelFileError';
import { serializeSafetensors, type TensorToWrite } from '../../src/weights/safetensors';
import { loadedFromArtifacts, modelToArtifacts } from '../../src/weights/tfjsFormat';

const R18 = defaultModelConfig({ encoder: 'resnet18' });

/** Every tensor of a LinkNet in PyTorch layout, filled with distinct values. */
function linkNetTensors(config: ModelConfig): TensorToWrite[] {
  let k = 0;
  return paramSpecs(config).map((s) => {
    const data = new Float32Array(s.torchShape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = s.role === 'running-var' ? 1 + ((k++ % 97) / 97) : Math.sin(k++) * 0.1;
    return { name: s.name, shape: s.torchShape, data };
  });
}

function fileOf(tensors: TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  return serializeSafetensors(tensors, { dtype: 'F32', metadata });
}

function errorOf(fn: () => unknown): ModelFileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ModelFileError) return e;
    throw e;
  }
  throw new Error('expected a ModelFileError');
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('reading LinkNet safetensors', () => {
  it('reads every tensor with its PyTorch name and infers encoder and classes without metadata', () => {
    const tensors = linkNetTensors(R18);
    const loaded = readSafetensorsModel(fileOf(tensors));
    expect(loaded.kind).toBe('linknet');
    expect(loaded.config.encoder).toBe('resnet18');
    expect(loaded.config.classes).toEqual(['background', 'road', 'vehicle']);
    // Without metadata: the original's conventions.
    expect(loaded.config.input).toEqual(originalInputSpec());
    for (const t of tensors) expect(loaded.weights.get(t.name)!.every((v, i) => v === t.data[i]), t.name).toBe(true);
  });

  it('tells resnet34 from resnet50 and reads the metadata input spec', () => {
    const config = defaultModelConfig({ encoder: 'resnet50', classes: ['bg', 'road', 'car', 'person'], final: 'sigmoid', input: { ...originalInputSpec(), channelOrder: 'rgb', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], inputHeight: 160, inputWidth: 416 } });
    const loaded = readSafetensorsModel(fileOf(linkNetTensors(config), configToMetadata(config)));
    expect(loaded.config).toEqual(config);
  });

  it('ignores num_batches_tracked', () => {
    const tensors = linkNetTensors(R18);
    tensors.push({ name: 'firstbn.num_batches_tracked', shape: [], data: new Float32Array([7]) });
    expect(readSafetensorsModel(fileOf(tensors)).weights.has('firstbn.num_batches_tracked')).toBe(false);
  });

  it('a missing tensor is named', () => {
    const tensors = linkNetTensors(R18).filter((t) => t.name !== 'decoder2.norm2.running_var');
    const e = errorOf(() => readSafetensorsModel(fileOf(tensors)));
    expect(e.message).toBe('missing tensor "decoder2.norm2.running_var"');
    expect(e.tensor).toBe('decoder2.norm2.running_var');
  });

  it('an extra tensor is named', () => {
    const tensors = linkNetTensors(R18);
    tensors.push({ name: 'decoder0.conv1.weight', shape: [2], data: new Float32Array(2) });
    expect(errorOf(() => readSafetensorsModel(fileOf(tensors))).message).toMatch(/unexpected tensor "decoder0.conv1.weight"/);
  });

  it('a wrong shape names the tensor and both shapes', () => {
    const tensors = linkNetTensors(R18);
    const i = tensors.findIndex((t) => t.name === 'decoder4.deconv2.weight');
    tensors[i] = { name: tensors[i].name, shape: [64, 128, 3, 3], data: new Float32Array(64 * 128 * 9) };
    expect(errorOf(() => readSafetensorsModel(fileOf(tensors))).message).toBe('tensor "decoder4.deconv2.weight" has shape [64, 128, 3, 3], expected [128, 128, 3, 3]');
  });

  it('a model for another class count is refused with both counts', () => {
    const four = defaultModelConfig({ encoder: 'resnet18', classes: ['a', 'b', 'c', 'd'] });
    const bytes = fileOf(linkNetTensors(four));
    expect(readSafetensorsModel(bytes).config.classes).toHaveLength(4);
    expect(errorOf(() => readSafetensorsModel(bytes, { expectedClasses: 3 })).message).toMatch(/predicts 4 classes but the label scheme has 3/);
    expect(errorOf(() => readSafetensorsModel(fileOf(linkNetTensors(R18), { classes: '5' }))).message).toMatch(/metadata says 5 classes but finalconv3.weight has 3/);
  });

  it('a non-finite weight, a truncated file and a bad header are refused', () => {
    const tensors = linkNetTensors(R18);
    tensors[3].data[2] = NaN;
    expect(errorOf(() => readSafetensorsModel(fileOf(tensors))).message).toMatch(/"firstbn.running_mean" holds a non-finite value/);
    const good = fileOf(linkNetTensors(R18));
    expect(errorOf(() => readSafetensorsModel(good.subarray(0, good.length - 100))).message).toMatch(/truncated/);
    expect(errorOf(() => readSafetensorsModel(new TextEncoder().encode('not a model file at all'))).message.length).toBeGreaterThan(10);
    expect(errorOf(() => readSafetensorsModel(fileOf(linkNetTensors(R18), { encoder: 'vgg16' }))).message).toMatch(/encoder "vgg16"/);
  });

  it('a torchvision ResNet state_dict imports as encoder-only weights', () => {
    const toTorchvision = (n: string) => n.replace(/^firstconv\./, 'conv1.').replace(/^firstbn\./, 'bn1.').replace(/^encoder(\d)\./, 'layer$1.');
    const encoder = linkNetTensors(R18).filter((t) => /^(firstconv|firstbn|encoder)/.test(t.name));
    const tv = encoder.map((t) => ({ ...t, name: toTorchvision(t.name) }));
    tv.push({ name: 'fc.weight', shape: [1000, 512], data: new Float32Array(512000) }, { name: 'fc.bias', shape: [1000], data: new Float32Array(1000) });
    tv.push({ name: 'layer1.0.bn1.num_batches_tracked', shape: [], data: new Float32Array([1]) });
    const loaded = readSafetensorsModel(fileOf(tv));
    expect(loaded.kind).toBe('encoder-only');
    expect(loaded.config.encoder).toBe('resnet18');
    expect(loaded.weights.size).toBe(encoder.length);
    expect(loaded.weights.get('encoder3.1.bn2.running_var')).toEqual(encoder.find((t) => t.name === 'encoder3.1.bn2.running_var')!.data);
    expect(loaded.weights.has('decoder1.conv1.weight')).toBe(false);
  });
});

describe('weight round trips through a model', () => {
  it('safetensors -> model -> safetensors gives identical tensors (F32), F16/BF16 within their precision', async () => {
    const tensors = linkNetTensors(R18);
    const loaded = readSafetensorsModel(fileOf(tensors, configToMetadata(R18)));
    const model = LinkNetModel.fromTorchWeights(loaded.config, loaded.weights);
    const again = readSafetensorsModel(await writeSafetensorsModel(model, 'F32'));
    expect(again.config).toEqual(R18);
    for (const t of tensors) expect(again.weights.get(t.name)!.every((v, i) => v === t.data[i]), t.name).toBe(true);
    for (const [dtype, tol] of [['F16', 2 ** -11], ['BF16', 2 ** -8]] as const) {
      const lossy = readSafetensorsModel(await writeSafetensorsModel(model, dtype));
      let worstExcess = -Infinity;
      for (const t of tensors) {
        const got = lossy.weights.get(t.name)!;
        for (let i = 0; i < got.length; i++) worstExcess = Math.max(worstExcess, Math.abs(got[i] - t.data[i]) - (Math.abs(t.data[i]) * tol + 1e-7));
      }
      expect(worstExcess, dtype).toBeLessThanOrEqual(0);
    }
    model.dispose();
  });

  it('TensorFlow.js format keeps weights and metadata; a wrong-shaped weight is refused', async () => {
    const model = LinkNetModel.create(R18, 5);
    const original = await model.readTorchWeights();
    const artifacts = await modelToArtifacts(model);
    const loaded = loadedFromArtifacts(artifacts);
    expect(loaded.config).toEqual(R18);
    for (const [name, data] of original) expect(loaded.weights.get(name)!.every((v, i) => v === data[i]), name).toBe(true);
    const broken = { ...artifacts, weightSpecs: artifacts.weightSpecs!.map((s) => (s.name === 'finalconv3.bias' ? { ...s, shape: [4] } : s)) };
    expect(() => loadedFromArtifacts(broken)).toThrow(ModelFileError);
    model.dispose();
  });

  it('a bad file leaves an existing model untouched (nothing half-loads)', async () => {
    const model = LinkNetModel.create(R18, 9);
    const before = await model.readTorchWeights();
    const tensors = linkNetTensors(R18).filter((t) => t.name !== 'finalconv3.bias');
    expect(() => model.assignTorchWeights(readSafetensorsModel(fileOf(tensors)).weights)).toThrow(/missing tensor "finalconv3.bias"/);
    const after = await model.readTorchWeights();
    for (const [name, data] of before) expect(after.get(name)!.every((v, i) => v === data[i]), name).toBe(true);
    model.dispose();
  });
});
