import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, type ModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { exportLinkNetOnnx, linkNetOnnxModel, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../../src/onnx/exportOnnx';
import { ONNX_IR_VERSION, ONNX_OPSET } from '../../src/onnx/onnxMessages';
import { readSafetensorsModel } from '../../src/weights/modelFile';
import { nhwcToNchw } from '../../src/weights/pytorchLayout';
import { seededRandom } from '../../src/util/seededRandom';
import { FIXTURES_DIR } from '../paths';
import { fixture } from '../support/fixtures';
import { readFields, sub, text } from './protoReader';
import { perturbBatchNorm, sharpenHead } from './support';

const FORWARD = 'linknet34_forward.safetensors';

function randomNchw(seed: number, shape: [number, number, number, number]): Float32Array {
  const rng = seededRandom(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng());
}

/** Runs the model's ONNX export in ONNX Runtime and LinkNetModel.predict on the same NCHW input. */
async function runBoth(model: LinkNetModel, inputNchw: Float32Array, shape: [number, number, number, number]) {
  const [n, c, h, w] = shape;
  const session = await ort.InferenceSession.create(await exportLinkNetOnnx(model));
  try {
    const result = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', inputNchw, shape) });
    const onnx = result[ONNX_OUTPUT_NAME];
    const probs = tf.tidy(() => model.predict(tf.tensor4d(inputNchw, shape).transpose([0, 2, 3, 1]) as tf.Tensor4D));
    const studio = nhwcToNchw((await probs.data()) as Float32Array, [n, h, w, model.config.classes.length]);
    probs.dispose();
    expect(c).toBe(3);
    return { onnx: onnx.data as Float32Array, onnxDims: onnx.dims, studio, inputNames: session.inputNames, outputNames: session.outputNames };
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function spread(a: Float32Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) { min = Math.min(min, v); max = Math.max(max, v); }
  return max - min;
}

describe('ONNX export run in ONNX Runtime (node, CPU)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('resnet34 with the PyTorch fixture weights: ONNX Runtime equals predict and PyTorch within 1e-4', async () => {
    const loaded = readSafetensorsModel(new Uint8Array(readFileSync(resolve(FIXTURES_DIR, 'linknet34_weights.safetensors'))));
    const model = LinkNetModel.fromTorchWeights(loaded.config, loaded.weights);
    try {
      const shape = fixture(FORWARD).entries.get('64x96.input')!.shape as [number, number, number, number];
      const { onnx, onnxDims, studio, inputNames, outputNames } = await runBoth(model, fixture(FORWARD).readFloat32('64x96.input'), shape);
      expect(onnxDims).toEqual([shape[0], 3, shape[2], shape[3]]);
      expect(inputNames).toEqual([ONNX_INPUT_NAME]);
      expect(outputNames).toEqual([ONNX_OUTPUT_NAME]);
      expect(spread(studio)).toBeGreaterThan(0.3); // a meaningful comparison, not near-uniform outputs
      expect(maxAbsDiff(onnx, studio)).toBeLessThan(1e-4);
      expect(maxAbsDiff(onnx, fixture(FORWARD).readFloat32('64x96.probs'))).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });

  it('resnet18 (BatchNorm statistics perturbed, batch 2, 64x96): ONNX Runtime equals predict within 1e-4', async () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18' }), 3);
    try {
      perturbBatchNorm(model, 103);
      sharpenHead(model, 150);
      const shape: [number, number, number, number] = [2, 3, 64, 96];
      const { onnx, studio } = await runBoth(model, randomNchw(5, shape), shape);
      expect(spread(studio)).toBeGreaterThan(0.25);
      expect(maxAbsDiff(onnx, studio)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });

  it('a sigmoid model with two classes and a non-square input matches too', async () => {
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18', final: 'sigmoid', classes: ['road', 'vehicle'] }), 9);
    try {
      perturbBatchNorm(model, 109);
      sharpenHead(model, 150);
      const shape: [number, number, number, number] = [1, 3, 32, 128];
      const { onnx, onnxDims, studio } = await runBoth(model, randomNchw(6, shape), shape);
      expect(onnxDims).toEqual([1, 2, 32, 128]);
      expect(spread(studio)).toBeGreaterThan(0.25);
      expect(maxAbsDiff(onnx, studio)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});

describe('ONNX export structure', () => {
  const weightsOf = (config: ModelConfig) => {
    const model = LinkNetModel.create(config, 1);
    return { model, weights: model.readTorchWeights() };
  };

  it('resnet34: folded convolutions, no BatchNormalization, the expected operator counts', async () => {
    const config = defaultModelConfig({ encoder: 'resnet34' });
    const { model, weights } = weightsOf(config);
    const onnx = linkNetOnnxModel(config, await weights);
    model.dispose();
    const counts: Record<string, number> = {};
    for (const n of onnx.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
    // 1 stem + 16 basic blocks x 2 + 3 downsamples + 4 decoders x 2 + 2 head convs.
    expect(counts).toEqual({ Conv: 46, ConvTranspose: 5, Relu: 47, MaxPool: 1, Add: 19, Softmax: 1 });
    // Every conv has its (folded) bias; BatchNorm tensors are gone.
    expect(onnx.initializers).toHaveLength(2 * (46 + 5));
    expect(onnx.initializers.some((t) => t.name.includes('running_'))).toBe(false);
    const deconv = onnx.nodes.find((n) => n.name === 'decoder4.deconv2')!;
    expect(deconv.attributes).toMatchObject({ strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1], kernel_shape: [3, 3] });
    expect(onnx.initializers.find((t) => t.name === 'decoder4.deconv2.weight')!.dims).toEqual([128, 128, 3, 3]);
    expect(onnx.nodes.find((n) => n.name === 'finaldeconv1')!.attributes).toMatchObject({ pads: [0, 0, 0, 0], output_padding: [0, 0] });
    expect(onnx.nodes.at(-1)).toMatchObject({ opType: 'Softmax', outputs: [ONNX_OUTPUT_NAME], attributes: { axis: 1 } });
  });

  it('the file declares IR version, opset 17, NCHW input and the preprocessing in metadata_props', async () => {
    const config = defaultModelConfig({ encoder: 'resnet18' });
    const model = LinkNetModel.create(config, 2);
    const bytes = await exportLinkNetOnnx(model, { note: 'kept' });
    model.dispose();
    const top = readFields(bytes);
    expect(top.find((f) => f.field === 1)?.value).toBe(ONNX_IR_VERSION);
    const opset = readFields(sub(top, 8)[0]);
    expect(opset.find((f) => f.field === 2)?.value).toBe(ONNX_OPSET);
    const metadata = Object.fromEntries(sub(top, 14).map((entry) => {
      const [key, value] = sub(readFields(entry), 1).concat(sub(readFields(entry), 2));
      return [text(key), text(value)];
    }));
    expect(metadata).toMatchObject({ encoder: 'resnet18', final: 'softmax', channel_order: 'bgr', note: 'kept' });
    expect(metadata.input_layout).toMatch(/NCHW float32 \[batch, 3, height, width\].*BGR/);
    expect(metadata.preprocessing).toMatch(/rows 205\.\.524 of the 600x800 frame.*1\/255|rows 205\.\.524 of the 600x800 frame.*0\.0039/);
    const graph = readFields(sub(top, 7)[0]);
    const input = readFields(sub(graph, 11)[0]);
    expect(text(sub(input, 1)[0])).toBe(ONNX_INPUT_NAME);
  });
});
