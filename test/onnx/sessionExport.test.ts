import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, originalInputSpec } from '../../src/model/config';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../../src/onnx/exportOnnx';
import { EXPORT_TARGETS, ModelSession } from '../../src/state/modelSession';
import { fileBytes } from '../../src/util/browserDownload';

describe("the studio's model export: ONNX", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('offers ONNX and exports <name>.onnx that ONNX Runtime runs', async () => {
    expect(EXPORT_TARGETS).toContain('onnx');
    const session = new ModelSession();
    const config = defaultModelConfig({ encoder: 'resnet18', classes: ['road', 'car'], input: { ...originalInputSpec(), inputHeight: 32, inputWidth: 64 } });
    await session.createNew(config, 3);
    const files = await session.exportFiles('onnx');
    expect(files).toHaveLength(1);
    expect(files[0].name).toMatch(/\.onnx$/);
    const onnx = await ort.InferenceSession.create(await fileBytes(files[0]));
    const out = (await onnx.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', new Float32Array(3 * 32 * 64).fill(0.25), [1, 3, 32, 64]) }))[ONNX_OUTPUT_NAME];
    expect(out.dims).toEqual([1, 2, 32, 64]);
    await onnx.release();
    session.clear();
  });
});
