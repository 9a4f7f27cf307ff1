/**
 * Model metadata as stored in safetensors `__metadata__` (string values) and in TensorFlow.js
 * model.json (`userDefinedMetadata`). Weights without metadata get the original's conventions.
 */
import { DEFAULT_CLASSES, ENCODER_NAMES, inputSizeProblem, originalInputSpec, type EncoderName, type InputSpec, type ModelConfig } from '../model/config';
import { ModelFileError } from './modelFileError';

export function configToMetadata(config: ModelConfig, extra: Record<string, string> = {}): Record<string, string> {
  const i = config.input;
  return {
    arch: 'linknet',
    encoder: config.encoder,
    classes: String(config.classes.length),
    class_names: JSON.stringify(config.classes),
    final: config.final,
    channel_order: i.channelOrder,
    scale: String(i.scale),
    mean: JSON.stringify(i.mean),
    std: JSON.stringify(i.std),
    crop: JSON.stringify([i.cropTop, i.cropBottom]),
    frame: JSON.stringify([i.frameHeight, i.frameWidth]),
    input_size: JSON.stringify([i.inputHeight, i.inputWidth]),
    ...extra,
  };
}

function numberList(meta: Record<string, string>, key: string, length: number): number[] | undefined {
  const raw = meta[key];
  if (raw === undefined) return undefined;
  let values: unknown;
  try {
    values = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',').map((v) => Number(v.trim()));
  } catch {
    values = null;
  }
  if (!Array.isArray(values) || values.length !== length || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ModelFileError(`metadata "${key}" should be ${length} numbers, got ${JSON.stringify(raw)}`);
  }
  return values as number[];
}

export function defaultClassNames(count: number): string[] {
  return count === DEFAULT_CLASSES.length ? [...DEFAULT_CLASSES] : Array.from({ length: count }, (_, i) => `class ${i}`);
}

/** Builds a config from metadata; `inferred` holds what the tensors themselves say (encoder, class count). */
export function configFromMetadata(meta: Record<string, string>, inferred: { encoder: EncoderName; classCount: number }): ModelConfig {
  if (meta.arch !== undefined && meta.arch.toLowerCase() !== 'linknet') {
    throw new ModelFileError(`metadata says the architecture is "${meta.arch}", not LinkNet`);
  }
  if (meta.encoder !== undefined && !ENCODER_NAMES.includes(meta.encoder as EncoderName)) {
    throw new ModelFileError(`metadata names encoder "${meta.encoder}"; supported: ${ENCODER_NAMES.join(', ')}`);
  }
  if (meta.encoder !== undefined && meta.encoder !== inferred.encoder) {
    throw new ModelFileError(`metadata says encoder ${meta.encoder} but the tensors are those of a ${inferred.encoder}`);
  }
  if (meta.classes !== undefined && Number(meta.classes) !== inferred.classCount) {
    throw new ModelFileError(
      `metadata says ${meta.classes} classes but finalconv3.weight has ${inferred.classCount} output channels`,
      'finalconv3.weight',
    );
  }
  let classes = defaultClassNames(inferred.classCount);
  if (meta.class_names !== undefined) {
    let names: unknown;
    try { names = JSON.parse(meta.class_names); } catch { names = null; }
    if (!Array.isArray(names) || names.length !== inferred.classCount || !names.every((n) => typeof n === 'string')) {
      throw new ModelFileError(`metadata "class_names" should be a JSON list of ${inferred.classCount} names, got ${meta.class_names}`);
    }
    classes = names as string[];
  }
  const final = meta.final ?? 'softmax';
  if (final !== 'softmax' && final !== 'sigmoid') throw new ModelFileError(`metadata "final" must be softmax or sigmoid, got "${final}"`);
  const order = (meta.channel_order ?? 'bgr').toLowerCase();
  if (order !== 'bgr' && order !== 'rgb') throw new ModelFileError(`metadata "channel_order" must be bgr or rgb, got "${meta.channel_order}"`);

  const base = originalInputSpec();
  const scale = meta.scale !== undefined ? Number(meta.scale) : base.scale;
  if (!Number.isFinite(scale) || scale <= 0) throw new ModelFileError(`metadata "scale" must be a positive number, got "${meta.scale}"`);
  const crop = numberList(meta, 'crop', 2) ?? [base.cropTop, base.cropBottom];
  const frame = numberList(meta, 'frame', 2) ?? [base.frameHeight, base.frameWidth];
  const inputSize = numberList(meta, 'input_size', 2) ?? [crop[1] - crop[0], frame[1]];
  const sizeProblem = inputSizeProblem(inputSize[0], inputSize[1]);
  if (sizeProblem) throw new ModelFileError(`metadata "input_size": ${sizeProblem}`);
  const std = (numberList(meta, 'std', 3) ?? base.std) as [number, number, number];
  if (std.some((s) => s === 0)) throw new ModelFileError('metadata "std" has a zero entry');
  if (!(crop[0] >= 0 && crop[1] > crop[0] && crop[1] <= frame[0])) {
    throw new ModelFileError(`metadata "crop" rows ${crop[0]}-${crop[1]} do not fit a frame of ${frame[0]} rows`);
  }
  const input: InputSpec = {
    channelOrder: order,
    scale,
    mean: (numberList(meta, 'mean', 3) ?? base.mean) as [number, number, number],
    std,
    cropTop: crop[0],
    cropBottom: crop[1],
    frameHeight: frame[0],
    frameWidth: frame[1],
    inputHeight: inputSize[0],
    inputWidth: inputSize[1],
  };
  return { encoder: inferred.encoder, classes, final, input };
}
