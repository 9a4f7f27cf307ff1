import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../../src/onnx/exportOnnx';
import { cli, makeTempDir, writeSmallModel } from '../cli/support';

const tmp = makeTempDir('onnx');
afterAll(() => tmp.cleanup());

describe('convert --to onnx', () => {
  it('writes an ONNX file that ONNX Runtime loads and runs at the model input size', async () => {
    const modelPath = await writeSmallModel(tmp.dir);
    const out = join(tmp.dir, 'small.onnx');
    const r = await cli('convert', '--model', modelPath, '--to', 'onnx', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote onnx');
    const session = await ort.InferenceSession.create(readFileSync(out));
    const input = new ort.Tensor('float32', new Float32Array(3 * 64 * 160).fill(0.5), [1, 3, 64, 160]);
    const probs = (await session.run({ [ONNX_INPUT_NAME]: input }))[ONNX_OUTPUT_NAME];
    expect(probs.dims).toEqual([1, 3, 64, 160]);
    const data = probs.data as Float32Array;
    // Softmax over channels: the three channels of each pixel sum to 1.
    for (const pixel of [0, 777, 64 * 160 - 1]) expect(data[pixel] + data[pixel + 64 * 160] + data[pixel + 2 * 64 * 160]).toBeCloseTo(1, 5);
    await session.release();
  });

  it('refuses --dtype F16 for ONNX (exit 2)', async () => {
    const modelPath = await writeSmallModel(tmp.dir, 2);
    const r = await cli('convert', '--model', modelPath, '--to', 'onnx', '--out', join(tmp.dir, 'x.onnx'), '--dtype', 'F16');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ONNX export here stores float32/);
  });
});
