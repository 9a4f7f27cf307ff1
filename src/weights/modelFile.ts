/**
 * LinkNet weights in safetensors with PyTorch names: validated reading (all or nothing) and writing.
 * Also reads a torchvision ResNet state_dict as encoder-only weights.
 */
import type { EncoderName, ModelConfig } from '../model/config';
import type { LinkNetModel, TorchWeights } from '../model/linkNetModel';
import { weightLookup } from './weightLookup';
import { paramSpecs, type ParamSpec } from '../model/shapeWalk';
import { configFromMetadata, configToMetadata } from './modelMetadata';
import { ModelFileError } from './modelFileError';
import { parseSafetensors, serializeSafetensors, type WritableDtype } from './safetensors';

/** Named tensors in PyTorch layout, from any container (safetensors, TensorFlow.js format). */
export interface TensorSource {
  metadata: Record<string, string>;
  entries: Map<string, { shape: number[] }>;
  readFloat32(name: string): Float32Array;
}

export interface LoadedModelFile {
  config: ModelConfig;
  weights: TorchWeights;
  /** 'encoder-only': a torchvision ResNet; the decoder keeps its initial values. */
  kind: 'linknet' | 'encoder-only';
  metadata: Record<string, string>;
}

export interface ReadOptions {
  /** The class count the caller needs (the label scheme's); a different one is refused. */
  expectedClasses?: number;
}

const IGNORED = /(^|\.)num_batches_tracked$/;
const BLOCKS_IN_LAYER3: Record<number, EncoderName[]> = { 2: ['resnet18'], 6: ['resnet34', 'resnet50'], 23: ['resnet101'], 36: ['resnet152'] };

/** Which encoder a set of LinkNet (or torchvision) names belongs to, from the block counts. */
export function inferEncoder(names: Iterable<string>, layerPrefix: string): EncoderName {
  let maxBlock = -1;
  let bottleneck = false;
  const blockPattern = new RegExp(`^${layerPrefix}3\\.(\\d+)\\.`);
  for (const name of names) {
    const m = blockPattern.exec(name);
    if (m) maxBlock = Math.max(maxBlock, Number(m[1]));
    if (name.startsWith(`${layerPrefix}1.0.conv3.`)) bottleneck = true;
  }
  const candidates = BLOCKS_IN_LAYER3[maxBlock + 1];
  if (!candidates) {
    throw new ModelFileError(maxBlock < 0
      ? `no tensor named ${layerPrefix}3.*: this is not a ResNet-based LinkNet`
      : `${layerPrefix}3 has ${maxBlock + 1} blocks, which matches no supported ResNet (2, 6, 23 or 36)`);
  }
  return candidates.length === 1 ? candidates[0] : bottleneck ? 'resnet50' : 'resnet34';
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Reads every expected tensor, checking presence, shape and values; throws before returning anything. */
function collectWeights(file: TensorSource, specs: readonly ParamSpec[], nameInFile: (name: string) => string | null): TorchWeights {
  const weights: TorchWeights = new Map();
  const used = new Set<string>();
  const missing: string[] = [];
  for (const spec of specs) {
    const fileName = nameInFile(spec.name);
    if (fileName === null) continue;
    const entry = file.entries.get(fileName);
    if (!entry) {
      missing.push(spec.name);
      continue;
    }
    used.add(fileName);
    if (entry.shape.length !== spec.torchShape.length || entry.shape.some((d, i) => d !== spec.torchShape[i])) {
      throw new ModelFileError(
        `tensor "${fileName}" has shape ${shapeText(entry.shape)}, expected ${shapeText(spec.torchShape)}`,
        fileName,
      );
    }
    const data = file.readFloat32(fileName);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new ModelFileError(`tensor "${fileName}" holds a non-finite value (${data[i]}) at index ${i}`, fileName);
    }
    weights.set(spec.name, data);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((n) => `"${n}"`).join(', ');
    throw new ModelFileError(`missing tensor${missing.length > 1 ? 's' : ''} ${shown}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`, missing[0]);
  }
  return weights;
}

function rejectExtras(file: TensorSource, known: (name: string) => boolean): void {
  const extra = [...file.entries.keys()].filter((n) => !known(n) && !IGNORED.test(n));
  if (extra.length > 0) {
    const shown = extra.slice(0, 5).map((n) => `"${n}"`).join(', ');
    throw new ModelFileError(`unexpected tensor${extra.length > 1 ? 's' : ''} ${shown}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''} (not part of this LinkNet)`, extra[0]);
  }
}

function isTorchvisionResNet(file: TensorSource): boolean {
  return file.entries.has('conv1.weight') && file.entries.has('layer1.0.conv1.weight') && !file.entries.has('firstconv.weight');
}

/** Parses and validates a LinkNet (or torchvision ResNet) safetensors file. Nothing is returned half-read. */
export function readSafetensorsModel(bytes: Uint8Array, options: ReadOptions = {}): LoadedModelFile {
  return readModelTensors(parseSafetensors(bytes), options);
}

/** Validates named PyTorch-layout tensors as a LinkNet (or torchvision ResNet encoder). */
export function readModelTensors(file: TensorSource, options: ReadOptions = {}): LoadedModelFile {
  if (isTorchvisionResNet(file)) return readTorchvisionEncoder(file, options);

  const names = [...file.entries.keys()];
  const encoder = inferEncoder(names, 'encoder');
  const head = file.entries.get('finalconv3.weight');
  if (!head) throw new ModelFileError('missing tensor "finalconv3.weight" (the classifier head)', 'finalconv3.weight');
  const classCount = head.shape[0];
  if (head.shape.length !== 4 || !(classCount >= 1)) {
    throw new ModelFileError(`tensor "finalconv3.weight" has shape ${shapeText(head.shape)}, expected [classes, 32, 2, 2]`, 'finalconv3.weight');
  }
  if (options.expectedClasses !== undefined && classCount !== options.expectedClasses) {
    throw new ModelFileError(
      `this model predicts ${classCount} classes but the label scheme has ${options.expectedClasses}; ` +
        'pick a matching label scheme or a model trained for it',
      'finalconv3.weight',
    );
  }
  const config = configFromMetadata(file.metadata, { encoder, classCount });
  const specs = paramSpecs(config);
  const known = new Set(specs.map((s) => s.name));
  rejectExtras(file, (n) => known.has(n));
  const weights = collectWeights(file, specs, (n) => n);
  return { config, weights, kind: 'linknet', metadata: file.metadata };
}

function readTorchvisionEncoder(file: TensorSource, options: ReadOptions): LoadedModelFile {
  const encoder = inferEncoder(file.entries.keys(), 'layer');
  const classCount = options.expectedClasses ?? 3;
  const config = configFromMetadata({}, { encoder, classCount });
  const toTorchvision = (name: string): string | null => {
    if (name.startsWith('firstconv.')) return name.replace(/^firstconv\./, 'conv1.');
    if (name.startsWith('firstbn.')) return name.replace(/^firstbn\./, 'bn1.');
    const m = /^encoder([1-4])\.(.*)$/.exec(name);
    return m ? `layer${m[1]}.${m[2]}` : null;
  };
  const specs = paramSpecs(config);
  const known = new Set(specs.map((s) => toTorchvision(s.name)).filter((n): n is string => n !== null));
  rejectExtras(file, (n) => known.has(n) || n.startsWith('fc.'));
  const weights = collectWeights(file, specs, toTorchvision);
  return { config, weights, kind: 'encoder-only', metadata: file.metadata };
}

/** Serialises a model's parameters and BatchNorm buffers with PyTorch names, layout and metadata. */
export async function writeSafetensorsModel(model: LinkNetModel, dtype: WritableDtype = 'F32', extraMetadata: Record<string, string> = {}): Promise<Uint8Array> {
  return safetensorsModelBytes(model.config, await model.readTorchWeights(), dtype, extraMetadata);
}

/** The safetensors file of a LinkNet with `config` and these weights (PyTorch names and layout). */
export function safetensorsModelBytes(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>, dtype: WritableDtype = 'F32', extraMetadata: Record<string, string> = {}): Uint8Array {
  const weight = weightLookup(weights);
  const tensors = paramSpecs(config).map((spec) => ({ name: spec.name, shape: spec.torchShape, data: weight(spec.name) }));
  return serializeSafetensors(tensors, { dtype, metadata: configToMetadata(config, extraMetadata) });
}
