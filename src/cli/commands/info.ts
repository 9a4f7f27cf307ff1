/** `info`: what a model file holds (architecture, classes, input spec, size and compute). */
import { summarizeModel } from '../../model/summary';
import { loadModelFile } from '../../node/modelFiles';
import { configToMetadata } from '../../weights/modelMetadata';
import type { Command } from '../framework';
import { requiredString } from '../framework';
import { settingsLabel, type PostprocessSettings } from '../../postprocess/settings';
import { postprocessFromMetadata } from '../../weights/postprocessMetadata';

export interface ModelInfo {
  file: string;
  format: 'safetensors' | 'tfjs';
  kind: 'linknet' | 'encoder-only';
  architecture: string;
  encoder: string;
  classes: string[];
  finalActivation: string;
  input: {
    channelOrder: string;
    scale: number;
    mean: number[];
    std: number[];
    cropRows: [number, number];
    frame: { height: number; width: number };
    size: { height: number; width: number };
    resized: boolean;
  };
  parameters: number;
  buffers: number;
  gmac: number;
  output: { height: number; width: number };
  /** Metadata beyond the model description (e.g. training notes). */
  extraMetadata: Record<string, string>;
  /** The post-processing the file carries (metadata "postprocess"), and why it is unusable when it is. */
  postprocess: PostprocessSettings | null;
  postprocessProblem: string | null;
}

export function modelInfo(path: string): ModelInfo {
  const file = loadModelFile(path);
  const { config } = file;
  const i = config.input;
  const summary = summarizeModel(config, { height: i.inputHeight, width: i.inputWidth }, 1);
  const own = new Set(Object.keys(configToMetadata(config)));
  const extraMetadata = Object.fromEntries(Object.entries(file.metadata).filter(([k]) => !own.has(k)));
  const carried = postprocessFromMetadata(file.metadata);
  return {
    file: file.path,
    format: file.format,
    kind: file.kind,
    architecture: 'LinkNet',
    encoder: config.encoder,
    classes: [...config.classes],
    finalActivation: config.final,
    input: {
      channelOrder: i.channelOrder,
      scale: i.scale,
      mean: [...i.mean],
      std: [...i.std],
      cropRows: [i.cropTop, i.cropBottom],
      frame: { height: i.frameHeight, width: i.frameWidth },
      size: { height: i.inputHeight, width: i.inputWidth },
      resized: i.inputHeight !== i.cropBottom - i.cropTop || i.inputWidth !== i.frameWidth,
    },
    parameters: summary.parameters,
    buffers: summary.buffers,
    gmac: summary.gmac,
    output: { height: summary.outputHeight, width: summary.outputWidth },
    extraMetadata,
    postprocess: carried.settings,
    postprocessProblem: carried.problem,
  };
}

function formatScale(scale: number): string {
  const inverse = 1 / scale;
  return Math.abs(inverse - Math.round(inverse)) < 1e-6 ? `1/${Math.round(inverse)}` : String(scale);
}

export function formatInfo(info: ModelInfo): string {
  const i = info.input;
  const lines = [
    `file:             ${info.file} (${info.format}${info.kind === 'encoder-only' ? ', encoder-only torchvision weights: decoder untrained' : ''})`,
    `architecture:     ${info.architecture}`,
    `encoder:          ${info.encoder}`,
    `classes:          ${info.classes.length} (${info.classes.join(', ')})`,
    `final activation: ${info.finalActivation}`,
    `input:            ${i.size.height}x${i.size.width} from rows ${i.cropRows[0]}-${i.cropRows[1]} of ${i.frame.width}x${i.frame.height} frames` +
      `${i.resized ? ' (resized)' : ' (no resize)'}`,
    `                  ${i.channelOrder.toUpperCase()}, x * ${formatScale(i.scale)}, mean [${i.mean.join(', ')}], std [${i.std.join(', ')}]`,
    `parameters:       ${info.parameters.toLocaleString('en-US')} (+ ${info.buffers.toLocaleString('en-US')} BatchNorm buffers)`,
    `compute:          ${info.gmac.toFixed(2)} GMAC per ${i.size.height}x${i.size.width} input`,
  ];
  if (info.postprocess) lines.push(`post-processing:  ${settingsLabel(info.postprocess)}`);
  else if (info.postprocessProblem) lines.push(`post-processing:  none usable (${info.postprocessProblem})`);
  const extra = Object.entries(info.extraMetadata);
  if (extra.length > 0) lines.push('metadata:', ...extra.map(([k, v]) => `  ${k}: ${v}`));
  return lines.join('\n') + '\n';
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'Describe a model file: architecture, encoder, classes, input spec, parameters and GMAC.',
  usage: '--model MODEL [--json]',
  options: {
    model: { type: 'string', short: 'm', value: 'MODEL', required: true, description: '.safetensors file, or TensorFlow.js model folder / model.json' },
    json: { type: 'boolean', description: 'print JSON instead of text' },
  },
  examples: ['info --model checkpoints/linknet34.safetensors --json'],
  async run(values, io) {
    const info = modelInfo(requiredString(values, 'model'));
    io.stdout(values.json ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info));
    return 0;
  },
};
