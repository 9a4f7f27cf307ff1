/**
 * TensorFlow.js's own model format (model.json + binary weights, or IndexedDB), holding LinkNet
 * weights by PyTorch name in TensorFlow.js layout, with the model metadata.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config';
import type { LinkNetModel } from '../model/linkNetModel';
import { weightLookup } from './weightLookup';
import { paramSpecs, tfShapeOf } from '../model/shapeWalk';
import { configToMetadata } from './modelMetadata';
import { ModelFileError } from './modelFileError';
import { readModelTensors, type LoadedModelFile, type ReadOptions, type TensorSource } from './modelFile';
import { tfToTorch } from './pytorchLayout';

export const TFJS_FORMAT = 'segmentation-studio-linknet';

/** The weights file name beside model.json. */
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** A model's artifacts: its weights as the backend holds them (TensorFlow.js layout, `readTfWeights`). */
export async function modelToArtifacts(model: LinkNetModel, extraMetadata: Record<string, string> = {}): Promise<tf.io.ModelArtifacts> {
  return artifactsFromTfWeights(model.config, await model.readTfWeights(), extraMetadata);
}

/** The artifacts of a LinkNet with `config` and these weights in TensorFlow.js layout (by PyTorch name). */
export function artifactsFromTfWeights(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>, extraMetadata: Record<string, string> = {}): tf.io.ModelArtifacts {
  const specs = paramSpecs(config);
  const weight = weightLookup(weights);
  const parts = specs.map((spec) => weight(spec.name));
  const data = new Float32Array(parts.reduce((n, values) => n + values.length, 0));
  let offset = 0;
  for (const values of parts) {
    data.set(values, offset);
    offset += values.length;
  }
  return {
    format: TFJS_FORMAT,
    generatedBy: 'Segmentation Studio',
    convertedBy: null,
    weightSpecs: specs.map((spec) => ({ name: spec.name, shape: tfShapeOf(spec), dtype: 'float32' })),
    weightData: data.buffer,
    userDefinedMetadata: { linknet: configToMetadata(config, extraMetadata) },
  };
}

/** The two files of the TensorFlow.js format: model.json's text (weights manifest, metadata) and weights.bin's bytes. */
export function tfjsModelFiles(artifacts: tf.io.ModelArtifacts): { modelJson: string; weights: Uint8Array } {
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new ModelFileError('the model has no weights to save');
  const raw = artifacts.weightData;
  const data = raw instanceof ArrayBuffer ? raw : tf.io.concatenateArrayBuffers(raw as ArrayBuffer[]);
  const json = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology ?? null,
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  return { modelJson: JSON.stringify(json, null, 1) + '\n', weights: new Uint8Array(data) };
}

function layoutOf(name: string, rank: number): 'conv' | 'vector' {
  // Both conv and transposed-conv weights use the same permutation (see pytorchLayout).
  return rank === 4 && name.endsWith('.weight') ? 'conv' : 'vector';
}

/** Reads artifacts saved by modelToArtifacts, with the same validation as safetensors files. */
export function loadedFromArtifacts(artifacts: tf.io.ModelArtifacts, options: ReadOptions = {}): LoadedModelFile {
  if (artifacts.format !== undefined && artifacts.format !== TFJS_FORMAT) {
    throw new ModelFileError(`model.json has format "${artifacts.format}", not a Segmentation Studio LinkNet ("${TFJS_FORMAT}")`);
  }
  const specs = artifacts.weightSpecs;
  const buffer = artifacts.weightData;
  if (!specs || !buffer) throw new ModelFileError('the TensorFlow.js model has no weights');
  const data = buffer instanceof ArrayBuffer ? buffer : tf.io.concatenateArrayBuffers(buffer as ArrayBuffer[]);
  const meta = (artifacts.userDefinedMetadata as { linknet?: Record<string, string> } | undefined)?.linknet ?? {};
  const entries = new Map<string, { shape: number[]; offset: number; tfShape: number[] }>();
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32') throw new ModelFileError(`weight "${spec.name}" has dtype ${spec.dtype}; float32 expected`, spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + size * 4 > data.byteLength) {
      throw new ModelFileError(`weight "${spec.name}" ends at byte ${offset + size * 4} but the weights hold only ${data.byteLength} bytes (truncated file?)`, spec.name);
    }
    const s = spec.shape;
    const torchShape = s.length === 4 ? [s[3], s[2], s[0], s[1]] : [...s];
    entries.set(spec.name, { shape: torchShape, offset, tfShape: s });
    offset += size * 4;
  }
  if (offset !== data.byteLength) throw new ModelFileError(`the weights hold ${data.byteLength} bytes but the manifest describes ${offset}`);
  const source: TensorSource = {
    metadata: meta,
    entries,
    readFloat32(name) {
      const e = entries.get(name);
      if (!e) throw new ModelFileError(`no weight named "${name}"`, name);
      const values = new Float32Array(data.slice(e.offset, e.offset + e.tfShape.reduce((a, b) => a * b, 1) * 4));
      return tfToTorch(values, e.tfShape, layoutOf(name, e.tfShape.length));
    },
  };
  return readModelTensors(source, options);
}

/**
 * Artifacts from a parsed model.json whose `weightsManifest` is `manifest`: checks each group and
 * weight entry, reads the listed weight files through `weightFile` (in order) and joins them.
 * Messages start with `where` (e.g. the model.json path, or '' when the caller names the file).
 */
export function artifactsFromModelJson(
  doc: Record<string, unknown>,
  manifest: unknown[],
  weightFile: (path: string) => Uint8Array,
  where = '',
): tf.io.ModelArtifacts {
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const [g, group] of manifest.entries()) {
    const paths = (group as { paths?: unknown }).paths;
    const weights = (group as { weights?: unknown }).weights;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string') || !Array.isArray(weights)) {
      throw new ModelFileError(`${where}weightsManifest[${g}] needs "paths" (file names) and "weights" (tensor list)`);
    }
    for (const w of weights) {
      const spec = w as Partial<tf.io.WeightsManifestEntry>;
      if (typeof spec.name !== 'string' || !Array.isArray(spec.shape) || typeof spec.dtype !== 'string') {
        throw new ModelFileError(`${where}a weight entry in weightsManifest[${g}] lacks a name, shape or dtype`);
      }
      if (spec.quantization) throw new ModelFileError(`weight "${spec.name}" is quantized; only float32 weights are supported`, spec.name);
      weightSpecs.push(spec as tf.io.WeightsManifestEntry);
    }
    for (const p of paths as string[]) parts.push(weightFile(p));
  }
  const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  return {
    format: typeof doc.format === 'string' ? doc.format : undefined,
    generatedBy: typeof doc.generatedBy === 'string' ? doc.generatedBy : undefined,
    convertedBy: typeof doc.convertedBy === 'string' ? doc.convertedBy : null,
    modelTopology: doc.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData: data.buffer,
    userDefinedMetadata: doc.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
  };
}
