/** Model files on disk: safetensors, TensorFlow.js folders, encoder-only weights, convert, and their errors. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { loadModel, loadModelFile, saveTfjsModelDir } from '../../src/node/modelFiles';
import { ModelFileError } from '../../src/weights/modelFileError';
import { parseSafetensors, serializeSafetensors } from '../../src/weights/safetensors';
import { modelToArtifacts } from '../../src/weights/tfjsFormat';
import { LYFT_REAL_DIR } from '../paths';
import { cli, makeTempDir, smallConfig, writeSmallModel } from './support';

const tmp = makeTempDir('files');
let modelPath: string;

beforeAll(async () => {
  modelPath = await writeSmallModel(tmp.dir);
});
afterAll(() => tmp.cleanup());

/** A plain Uint8Array copy (parseSafetensors must not get a Node Buffer: Buffer.slice does not copy). */
const bytesOf = (path: string) => new Uint8Array(readFileSync(path));

const sameFloats = (x: Float32Array, y: Float32Array | undefined) =>
  y !== undefined && Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength));

function sameTensors(a: Uint8Array, b: Uint8Array): void {
  const pa = parseSafetensors(a);
  const pb = parseSafetensors(b);
  expect([...pb.entries.keys()]).toEqual([...pa.entries.keys()]);
  for (const [name, entry] of pa.entries) {
    expect(pb.entries.get(name)!.shape, name).toEqual(entry.shape);
    expect(pb.entries.get(name)!.dtype, name).toBe(entry.dtype);
    const x = pa.readFloat32(name);
    const y = pb.readFloat32(name);
    expect(sameFloats(x, y), name).toBe(true);
  }
  expect(pb.metadata).toEqual(pa.metadata);
}

describe('loadModelFile / saveTfjsModelDir / loadModel', () => {
  it('reads a safetensors file, a TensorFlow.js folder and its model.json alike', async () => {
    const st = loadModelFile(modelPath);
    expect(st.format).toBe('safetensors');
    expect(st.kind).toBe('linknet');
    expect(st.config).toEqual(smallConfig());
    expect(st.metadata.trained_by).toBe('cli test');

    const model = LinkNetModel.fromTorchWeights(st.config, st.weights);
    const dir = join(tmp.dir, 'tfjs-direct');
    const saved = saveTfjsModelDir(dir, await modelToArtifacts(model, { trained_by: 'cli test' }));
    model.dispose();
    const json = JSON.parse(readFileSync(saved.modelJson, 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.format).toBe('segmentation-studio-linknet');
    expect(json.userDefinedMetadata.linknet.encoder).toBe('resnet18');

    for (const path of [dir, saved.modelJson]) {
      const loaded = loadModelFile(path);
      expect(loaded.format).toBe('tfjs');
      expect(loaded.config).toEqual(st.config);
      expect([...loaded.weights.keys()]).toEqual([...st.weights.keys()]);
      for (const [name, values] of st.weights) expect(sameFloats(values, loaded.weights.get(name)), name).toBe(true);
    }
  });

  it('loads encoder-only torchvision weights into a fresh model and says so', async () => {
    const st = loadModelFile(modelPath);
    const shapes = parseSafetensors(bytesOf(modelPath)).entries;
    const torchvision = [...st.weights].flatMap(([name, data]) => {
      const renamed = name.replace(/^firstconv\./, 'conv1.').replace(/^firstbn\./, 'bn1.').replace(/^encoder([1-4])\./, 'layer$1.');
      return renamed === name ? [] : [{ name: renamed, shape: shapes.get(name)!.shape, data }];
    });
    const path = join(tmp.dir, 'resnet18.safetensors');
    writeFileSync(path, serializeSafetensors(torchvision));
    const notes: string[] = [];
    const model = loadModel(path, { onNotice: (m) => notes.push(m) });
    try {
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/only a torchvision resnet18 encoder: the decoder and head are freshly initialised/);
      const weights = await model.readTorchWeights();
      expect(sameFloats(st.weights.get('encoder3.1.conv2.weight')!, weights.get('encoder3.1.conv2.weight'))).toBe(true);
      expect(sameFloats(st.weights.get('firstbn.running_var')!, weights.get('firstbn.running_var'))).toBe(true);
      // The decoder is not the file's (the file has none): freshly initialised with seed 0, not seed 1.
      expect(sameFloats(st.weights.get('decoder4.conv1.weight')!, weights.get('decoder4.conv1.weight'))).toBe(false);
    } finally {
      model.dispose();
    }
  });

  const broken = (name: string, content: string | Uint8Array) => {
    const path = join(tmp.dir, name);
    writeFileSync(path, content);
    return path;
  };

  it.each([
    ['a missing file', () => join(tmp.dir, 'missing.safetensors'), /^model file .*missing\.safetensors does not exist$/],
    ['a folder without model.json', () => (mkdirSync(join(tmp.dir, 'empty'), { recursive: true }), join(tmp.dir, 'empty')), /is a folder without a model\.json/],
    ['a PNG', () => join(LYFT_REAL_DIR, 'val/CameraRGB/NikolasEnt_val_1.png'), /is a PNG image, not a model file/],
    ['random bytes', () => broken('junk.safetensors', 'hello, this is not a model at all'), /junk\.safetensors is not a usable model: .*safetensors/],
    ['a model.json that is not JSON', () => broken('bad.json', '{ nope'), /is not valid JSON/],
    ['a model.json without weights', () => broken('noweights.json', '{"format": "x"}'), /has no "weightsManifest"/],
  ])('refuses %s with a clear message', (_what, makePath, message) => {
    const path = makePath();
    expect(() => loadModelFile(path)).toThrow(ModelFileError);
    expect(() => loadModelFile(path)).toThrow(message);
  });

  it('refuses a truncated weights.bin and a missing one, naming the problem', async () => {
    const r = await cli('convert', '--model', modelPath, '--to', 'tfjs', '--out', join(tmp.dir, 'trunc'));
    expect(r.code).toBe(0);
    const bin = join(tmp.dir, 'trunc', 'weights.bin');
    const bytes = readFileSync(bin);
    writeFileSync(bin, bytes.subarray(0, bytes.length - 1000));
    expect(() => loadModelFile(join(tmp.dir, 'trunc'))).toThrow(/truncated file\?/);
    writeFileSync(join(tmp.dir, 'trunc', 'model.json'), readFileSync(join(tmp.dir, 'trunc', 'model.json'), 'utf8').replace('weights.bin', 'other.bin'));
    expect(() => loadModelFile(join(tmp.dir, 'trunc'))).toThrow(/other\.bin does not exist/);
  });
});

describe('convert', () => {
  it('safetensors -> tfjs -> safetensors gives identical tensors and metadata', async () => {
    const dir = join(tmp.dir, 'round');
    const a = await cli('convert', '--model', modelPath, '--to', 'tfjs', '--out', dir);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('model.json');
    const back = join(tmp.dir, 'round.safetensors');
    const b = await cli('convert', '--model', join(dir, 'model.json'), '--to', 'safetensors', '--out', back);
    expect(b.code, b.stderr).toBe(0);
    sameTensors(bytesOf(modelPath), bytesOf(back));
    expect(parseSafetensors(bytesOf(back)).metadata.trained_by).toBe('cli test');
  });

  it('F16 keeps every value within half precision', async () => {
    const out = join(tmp.dir, 'half.safetensors');
    const r = await cli('convert', '--model', modelPath, '--to', 'safetensors', '--out', out, '--dtype', 'f16');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(F16)');
    const full = parseSafetensors(bytesOf(modelPath));
    const half = parseSafetensors(bytesOf(out));
    expect(readFileSync(out).length).toBeLessThan(readFileSync(modelPath).length * 0.51);
    let worst = 0;
    for (const name of full.entries.keys()) {
      expect(half.entries.get(name)!.dtype).toBe('F16');
      const x = full.readFloat32(name);
      const y = half.readFloat32(name);
      for (let i = 0; i < x.length; i++) {
        // Round to nearest: relative error <= 2^-11 for normal values, absolute <= 2^-25 below 2^-14.
        const err = Math.abs(x[i] - y[i]) - Math.abs(x[i]) * 2 ** -11 - 2 ** -25;
        worst = Math.max(worst, err);
      }
    }
    expect(worst).toBeLessThanOrEqual(0);
    expect(loadModelFile(out).config).toEqual(smallConfig());
  });

  it('refuses a non-float32 TensorFlow.js output and unknown targets (exit 2)', async () => {
    const a = await cli('convert', '--model', modelPath, '--to', 'tfjs', '--out', join(tmp.dir, 'x'), '--dtype', 'F16');
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--dtype F16 is for safetensors');
    const b = await cli('convert', '--model', modelPath, '--to', 'keras', '--out', join(tmp.dir, 'x'));
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--to must be one of safetensors, tfjs, onnx, got "keras"');
  });
});
