/**
 * Model files made in Node for the e2e tests: a LinkNet (or torchvision ResNet) state_dict with
 * deterministic values, serialised as safetensors with the studio's metadata.
 */
import { defaultModelConfig, originalInputSpec, type EncoderName, type ModelConfig } from '../../src/model/config';
import { paramSpecs, type ParamSpec } from '../../src/model/shapeWalk';
import { configToMetadata } from '../../src/weights/modelMetadata';
import { serializeSafetensors, type TensorToWrite, type WritableDtype } from '../../src/weights/safetensors';

/** A small LinkNet: resnet18, 2 classes, a 256-row crop (so the panel visibly changes on import). */
export function smallConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return defaultModelConfig({
    encoder: 'resnet18',
    classes: ['background', 'road'],
    input: { ...originalInputSpec(), cropTop: 208, cropBottom: 464, inputHeight: 256, inputWidth: 800 },
    ...overrides,
  });
}

function valuesFor(spec: ParamSpec, seed: number): Float32Array {
  const n = spec.torchShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let state = (seed * 2654435761 + spec.name.length * 97) >>> 0;
  const scale = spec.role === 'weight' ? 0.05 : 0.1;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 4294967296 - 0.5;
    out[i] = spec.role === 'running-var' || spec.role === 'bn-weight' ? 1 + u * 0.2 : u * scale;
  }
  return out;
}

export interface MadeTensors {
  tensors: TensorToWrite[];
  metadata: Record<string, string>;
}

/** Every parameter and buffer of a LinkNet, by PyTorch name, with the model metadata. */
export function linkNetTensors(config: ModelConfig, seed = 1): MadeTensors {
  const tensors = paramSpecs(config).map((spec) => ({ name: spec.name, shape: [...spec.torchShape], data: valuesFor(spec, seed) }));
  return { tensors, metadata: configToMetadata(config) };
}

/** A torchvision ResNet state_dict (conv1, bn1, layer1-4, fc) without metadata. */
export function torchvisionTensors(encoder: EncoderName, seed = 2): MadeTensors {
  const tensors: TensorToWrite[] = [];
  for (const spec of paramSpecs({ encoder, classes: ['a'] })) {
    let name: string | null = null;
    if (spec.name.startsWith('firstconv.')) name = spec.name.replace(/^firstconv\./, 'conv1.');
    else if (spec.name.startsWith('firstbn.')) name = spec.name.replace(/^firstbn\./, 'bn1.');
    else {
      const m = /^encoder([1-4])\.(.*)$/.exec(spec.name);
      if (m) name = `layer${m[1]}.${m[2]}`;
    }
    if (name) tensors.push({ name, shape: [...spec.torchShape], data: valuesFor(spec, seed) });
  }
  const features = encoder === 'resnet18' || encoder === 'resnet34' ? 512 : 2048;
  tensors.push({ name: 'fc.weight', shape: [1000, features], data: new Float32Array(1000 * features).fill(0.01) });
  tensors.push({ name: 'fc.bias', shape: [1000], data: new Float32Array(1000) });
  return { tensors, metadata: {} };
}

export function toSafetensors(made: MadeTensors, dtype: WritableDtype = 'F16'): Uint8Array {
  return serializeSafetensors(made.tensors, { dtype, metadata: Object.keys(made.metadata).length > 0 ? made.metadata : undefined });
}

/** Trainable parameter count (as the panel shows it). */
export function trainableCount(config: Pick<ModelConfig, 'encoder' | 'classes'>): number {
  return paramSpecs(config)
    .filter((s) => s.trainable)
    .reduce((n, s) => n + s.torchShape.reduce((a, b) => a * b, 1), 0);
}
