/** `convert`: between safetensors (PyTorch names and layout) and the TensorFlow.js model format, or to ONNX. */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadModelWithFile, saveTfjsModelDir } from '../../node/modelFiles';
import { writeSafetensorsModel } from '../../weights/modelFile';
import { configToMetadata } from '../../weights/modelMetadata';
import type { WritableDtype } from '../../weights/safetensors';
import { modelToArtifacts } from '../../weights/tfjsFormat';
import { exportLinkNetOnnx } from '../../onnx/exportOnnx';
import { activateBackend } from '../backend';
import { choiceOption, CliError, requiredString, UsageError, type CliIo, type Command, type ParsedValues } from '../framework';

const TARGETS = ['safetensors', 'tfjs', 'onnx'] as const;
const DTYPES: readonly WritableDtype[] = ['F32', 'F16', 'BF16'];

export interface ConvertResult {
  format: (typeof TARGETS)[number];
  dtype: WritableDtype;
  files: string[];
}

export async function runConvert(values: ParsedValues, io: CliIo): Promise<ConvertResult> {
  const modelPath = requiredString(values, 'model');
  const to = choiceOption(values, 'to', TARGETS, 'safetensors');
  const out = requiredString(values, 'out');
  const dtype = choiceOption(values, 'dtype', DTYPES, 'F32');
  if (to !== 'safetensors' && dtype !== 'F32') {
    throw new UsageError(`--dtype ${dtype} is for safetensors; the ${to === 'tfjs' ? 'TensorFlow.js format' : 'ONNX export'} here stores float32`);
  }

  await activateBackend('cpu', false, io);
  const { model, file } = loadModelWithFile(modelPath, { onNotice: (m) => io.stderr(`note: ${m}\n`) });
  try {
    // Keep metadata the file carries beyond the model description (training notes, thresholds...).
    const own = new Set(Object.keys(configToMetadata(model.config)));
    const extra = Object.fromEntries(Object.entries(file.metadata).filter(([k]) => !own.has(k)));
    if (to === 'tfjs') {
      const dir = basename(out).toLowerCase() === 'model.json' ? dirname(out) : out;
      if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError(`--out ${out} is a file; a TensorFlow.js model is a folder`);
      const saved = saveTfjsModelDir(dir, await modelToArtifacts(model, extra));
      return { format: to, dtype: 'F32', files: [saved.modelJson, saved.weights] };
    }
    let target = out;
    if (existsSync(out) && statSync(out).isDirectory()) target = join(out, to === 'onnx' ? 'model.onnx' : 'model.safetensors');
    mkdirSync(dirname(resolve(target)), { recursive: true });
    writeFileSync(target, to === 'onnx' ? await exportLinkNetOnnx(model, extra) : await writeSafetensorsModel(model, dtype, extra));
    return { format: to, dtype, files: [target] };
  } finally {
    model.dispose();
  }
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a model between safetensors (PyTorch names and layout) and the TensorFlow.js format, or export it to ONNX.',
  usage: '--model MODEL --to safetensors|tfjs|onnx --out PATH [--dtype F32|F16|BF16]',
  description:
    'tfjs writes a folder with model.json and weights.bin; safetensors writes one file (into PATH/model.safetensors\n' +
    'when PATH is an existing folder). Metadata (input spec, classes, extra keys) is carried over.\n' +
    'onnx writes one opset-17 file (PATH/model.onnx for a folder) for inference: BatchNorm folded into the\n' +
    'convolutions, NCHW input [batch,3,H,W] and output [batch,classes,H,W]; its metadata_props say how to\n' +
    'prepare the input (crop, channel order, scale).',
  options: {
    model: { type: 'string', short: 'm', value: 'MODEL', required: true, description: '.safetensors file, or TensorFlow.js model folder / model.json' },
    to: { type: 'string', value: 'FORMAT', required: true, description: 'safetensors, tfjs or onnx' },
    out: { type: 'string', short: 'o', value: 'PATH', required: true, description: 'output file (safetensors, onnx) or folder (tfjs)' },
    dtype: { type: 'string', value: 'DTYPE', description: 'safetensors storage type: F32 (default), F16 or BF16' },
  },
  examples: ['convert --model linknet34.safetensors --to tfjs --out web/model', 'convert --model web/model --to safetensors --out linknet34-f16.safetensors --dtype F16',
    'convert --model linknet34.safetensors --to onnx --out linknet34.onnx'],
  async run(values, io) {
    const result = await runConvert(values, io);
    io.stdout(`wrote ${result.format}${result.format === 'safetensors' ? ` (${result.dtype})` : ''}: ${result.files.join(', ')}\n`);
    return 0;
  },
};
