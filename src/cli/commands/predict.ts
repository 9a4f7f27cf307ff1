/** `predict`: car and road masks (and optionally probabilities) for PNG frames, one at a time. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NEUTRAL_THRESHOLDS, type ClassThresholds } from '../../inference/frameMasks';
import { encodeMaskPng } from '../../io/png';
import { encodeNpyFloat32 } from '../../io/npy';
import { maskStats } from '../../data/hoodMask';
import { listPngInputs, readMaskPng, readPng, stemOf } from '../../node/imageFiles';
import { loadModelWithFile } from '../../node/modelFiles';
import { activateBackend, BACKEND_OPTION, CLI_BACKENDS } from '../backend';
import { FramePredictor, type ClassMorphology } from '../framePredictor';
import { settingsLabel } from '../../postprocess/settings';
import { postprocessFromMetadata } from '../../weights/postprocessMetadata';
import { choiceOption, CliError, errorMessage, numberOption, requiredString, stringOption, type CliIo, type Command, type OptionSpec, type ParsedValues } from '../framework';

export const THRESHOLD_OPTIONS: Record<string, OptionSpec> = {
  'car-threshold': { type: 'string', value: 'T', description: `a pixel is car where P(vehicle) > T (default ${NEUTRAL_THRESHOLDS.car}; the original ended at 1e-5)` },
  'road-threshold': { type: 'string', value: 'T', description: `a pixel is road where P(road) > T (default ${NEUTRAL_THRESHOLDS.road}; the original ended at 0.99999)` },
};

export function thresholdsFrom(values: ParsedValues): ClassThresholds {
  return {
    car: numberOption(values, 'car-threshold', NEUTRAL_THRESHOLDS.car, { min: 0, max: 1 }),
    road: numberOption(values, 'road-threshold', NEUTRAL_THRESHOLDS.road, { min: 0, max: 1 }),
  };
}

const POSTPROCESS_CHOICES = ['options', 'model'] as const;

export const POSTPROCESS_OPTION: OptionSpec = {
  type: 'string',
  value: 'FROM',
  description: "options (default): the thresholds above, no morphology; model: the thresholds and morphology the model file carries (saved by the studio's viewer), the threshold options still overriding",
};

export interface ResolvedPostprocess {
  thresholds: ClassThresholds;
  morphology: ClassMorphology | null;
  /** With --postprocess model: what is applied, in one line (the hood as `hood` says); else null. */
  label: string | null;
}

/**
 * Reads the threshold and --postprocess options (now, so a bad one stops the command before any
 * work); the returned function gives what to apply once the model file's metadata is known: the
 * options', or with --postprocess model the file's thresholds and morphology, threshold options
 * overriding. `hood`: whether a hood is removed (for the label).
 */
export function postprocessOptions(values: ParsedValues): (metadata: Record<string, string>, modelPath: string, hood: boolean) => ResolvedPostprocess {
  const given = thresholdsFrom(values);
  const fromModel = choiceOption(values, 'postprocess', POSTPROCESS_CHOICES, 'options') === 'model';
  const overridden = { car: values['car-threshold'] !== undefined, road: values['road-threshold'] !== undefined };
  return (metadata, modelPath, hood) => {
    if (!fromModel) return { thresholds: { ...given }, morphology: null, label: null };
    const carried = postprocessFromMetadata(metadata);
    if (!carried.settings) {
      throw new CliError(`--postprocess model: ${modelPath} ${carried.problem ? `has ${carried.problem}` : 'carries no post-processing (metadata "postprocess")'}`);
    }
    const s = carried.settings;
    const thresholds = { car: overridden.car ? given.car : s.car.threshold, road: overridden.road ? given.road : s.road.threshold };
    const applied = { car: { ...s.car, threshold: thresholds.car }, road: { ...s.road, threshold: thresholds.road }, hood };
    return { thresholds, morphology: { car: s.car.morphology, road: s.road.morphology }, label: settingsLabel(applied) };
  };
}

export interface PredictSummary {
  frames: number;
  failed: string[];
  seconds: number;
  leakedTensors: number;
}

export async function runPredict(values: ParsedValues, io: CliIo): Promise<PredictSummary> {
  const modelPath = requiredString(values, 'model');
  const inputPath = requiredString(values, 'input');
  const outDir = requiredString(values, 'out');
  const postprocessFor = postprocessOptions(values);
  const backend = choiceOption(values, 'backend', CLI_BACKENDS, 'wasm');
  const wantProbs = values.probs === true;
  const hoodPath = stringOption(values, 'hood');
  const inputs = listPngInputs(inputPath);

  await activateBackend(backend, values.backend !== undefined, io);
  const { model, file } = loadModelWithFile(modelPath, { onNotice: (m) => io.stderr(`note: ${m}\n`) });
  let post: ResolvedPostprocess;
  try {
    post = postprocessFor(file.metadata, modelPath, hoodPath !== undefined);
  } catch (e) {
    model.dispose();
    throw e;
  }
  if (post.label) io.stderr(`post-processing from the model: ${post.label}\n`);
  let predictor: FramePredictor | undefined;
  const summary: PredictSummary = { frames: 0, failed: [], seconds: 0, leakedTensors: 0 };
  try {
    const spec = model.config.input;
    const hood = hoodPath ? readMaskPng(hoodPath, spec.frameWidth, spec.frameHeight, 'hood mask') : null;
    if (hood) io.stderr(`hood: ${hoodPath} (${maskStats(hood, spec.frameWidth).pixels} pixels removed from both masks)\n`);
    predictor = await FramePredictor.create(model, post.thresholds, hood, post.morphology);
    mkdirSync(outDir, { recursive: true });
    const { inputHeight, inputWidth } = spec;
    await predictor.warmUp();
    for (const [index, file] of inputs.entries()) {
      const name = basename(file);
      try {
        const frame = readPng(file);
        const result = await predictor.predict(frame, { probs: wantProbs });
        const { masks } = result;
        const stem = stemOf(file);
        writeFileSync(join(outDir, `${stem}_car.png`), encodeMaskPng(masks.car, masks.width, masks.height));
        writeFileSync(join(outDir, `${stem}_road.png`), encodeMaskPng(masks.road, masks.width, masks.height));
        if (result.probsCHW) {
          writeFileSync(join(outDir, `${stem}_probs.npy`), encodeNpyFloat32(result.probsCHW, [predictor.channels, inputHeight, inputWidth]));
        }
        summary.frames++;
        summary.seconds += result.seconds;
        const count = (m: Uint8Array) => m.reduce((n, v) => n + v, 0);
        io.stdout(
          `[${index + 1}/${inputs.length}] ${name}: car ${count(masks.car)} px, road ${count(masks.road)} px, ` +
            `${(result.seconds * 1000).toFixed(0)} ms\n`,
        );
      } catch (e) {
        summary.failed.push(name);
        io.stderr(`error: ${name}: ${errorMessage(e)}\n`);
      }
    }
    summary.leakedTensors = predictor.leakedTensors;
    if (predictor.leakedTensors > 0) io.stderr(`warning: ${predictor.leakedTensors} tensors were not freed\n`);
  } finally {
    predictor?.dispose();
    model.dispose();
  }
  const fps = summary.seconds > 0 ? summary.frames / summary.seconds : 0;
  io.stdout(
    `${summary.frames} frame${summary.frames === 1 ? '' : 's'} written to ${outDir} (${fps.toFixed(2)} FPS, ${tf.getBackend()})` +
      `${summary.failed.length > 0 ? `; ${summary.failed.length} failed: ${summary.failed.join(', ')}` : ''}\n`,
  );
  return summary;
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'Segment PNG frames: writes <stem>_car.png and <stem>_road.png (0/1, full frame size) per frame.',
  usage: '--model MODEL --input IMAGE_OR_FOLDER --out DIR [options]',
  description:
    'Frames are processed one at a time. The masks are single-channel 0/1 PNGs at the frame size, zero outside\n' +
    "the model's crop rows and on the hood when --hood is given. A frame that cannot be read is reported and\n" +
    'skipped; the exit code is then 1 once the others are done.',
  options: {
    model: { type: 'string', short: 'm', value: 'MODEL', required: true, description: '.safetensors file, or TensorFlow.js model folder / model.json' },
    input: { type: 'string', short: 'i', value: 'PATH', required: true, description: 'a PNG frame, or a folder of them (*.png, not recursive)' },
    out: { type: 'string', short: 'o', value: 'DIR', required: true, description: 'output folder (created if needed)' },
    ...THRESHOLD_OPTIONS,
    postprocess: POSTPROCESS_OPTION,
    hood: { type: 'string', value: 'PNG', description: 'hood mask (non-zero = hood, frame size): removed from both masks' },
    probs: { type: 'boolean', description: "also write <stem>_probs.npy: float32 [C, H, W] network probabilities at the model's input size" },
    backend: BACKEND_OPTION,
  },
  examples: ['predict --model linknet34.safetensors --input data/test/CameraRGB --out out/ --car-threshold 0.01 --road-threshold 0.75 --hood hood.png'],
  async run(values, io) {
    const summary = await runPredict(values, io);
    return summary.failed.length > 0 ? 1 : 0;
  },
};
