/**
 * `eval`: the challenge grader on labelled frames (CameraRGB + CameraSeg): full frames one at a time
 * (default), or at the model's input size exactly as the studio's training validation grades.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { HoodEstimator, maskStats } from '../../data/hoodMask';
import { CARLA_SCHEME, labelValueAt, valueMask } from '../../data/labelScheme';
import type { ClassThresholds } from '../../inference/frameMasks';
import type { DecodedImage } from '../../io/png';
import { AnswerFileWriter } from '../../io/answerFile';
import { GraderAccumulator } from '../../metrics/grader';
import type { LinkNetModel } from '../../model/linkNetModel';
import { ChallengePairSource } from '../../node/challengePairSource';
import { findChallengePairs, readMaskPng, readPng, type ChallengePair } from '../../node/imageFiles';
import { loadModelWithFile } from '../../node/modelFiles';
import { BatchPipeline } from '../../training/batchPipeline';
import { frameMaskToInput } from '../../training/trainingTargets';
import { gradeAtInputSize } from '../../training/validation';
import { activateBackend, BACKEND_OPTION, CLI_BACKENDS } from '../backend';
import { FrameError, FramePredictor, type ClassMorphology } from '../framePredictor';
import { choiceOption, CliError, errorMessage, numberOption, requiredString, stringOption, UsageError, type CliIo, type Command, type ParsedValues } from '../framework';
import { postprocessOptions, POSTPROCESS_OPTION, THRESHOLD_OPTIONS } from './predict';

/**
 * Where the grader compares masks: `frame` (the challenge's way: predictions upsampled to the full
 * frame, truth at full resolution) or `input` (the studio's validation: frames and labels cropped
 * and resized to the network input, hood at the input size).
 */
export type GradeAt = 'frame' | 'input';
export const GRADE_AT_CHOICES: readonly GradeAt[] = ['frame', 'input'];

/** The thresholds the studio's validation recorded in a checkpoint's metadata ("thresholds"), or null. */
export function recordedThresholds(metadata: Record<string, string>): ClassThresholds | null {
  const raw = metadata.thresholds;
  if (raw === undefined) return null;
  try {
    const t = JSON.parse(raw) as Partial<ClassThresholds>;
    const ok = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
    return ok(t.road) && ok(t.car) ? { road: t.road, car: t.car } : null;
  } catch {
    return null;
  }
}

const VEHICLE = 10;
const ROAD_VALUES = new Set([6, 7]);

/** Truth masks of one label: road = red in {6, 7}; car = red == 10 and not hood. */
export function truthMasks(label: DecodedImage, hood: Uint8Array | null): { road: Uint8Array; car: Uint8Array } {
  const n = label.width * label.height;
  const road = new Uint8Array(n);
  const car = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = labelValueAt(label.data, label.channels, i, CARLA_SCHEME);
    if (ROAD_VALUES.has(v)) road[i] = 1;
    else if (v === VEHICLE && !(hood && hood[i])) car[i] = 1;
  }
  return { road, car };
}

export interface HoodChoice {
  mask: Uint8Array | null;
  source: string;
}

/** --hood auto: the HoodEstimator over the labels' vehicle pixels. */
export function estimateHood(pairs: ChallengePair[], width: number, height: number, io: CliIo): HoodChoice {
  const estimator = new HoodEstimator(width, height);
  for (const pair of pairs) {
    try {
      const label = readPng(pair.seg);
      if (label.width !== width || label.height !== height) continue;
      estimator.addVehicleMask(valueMask(label.data, label.channels, width, height, CARLA_SCHEME, VEHICLE));
    } catch {
      // reported when the frame itself is evaluated
    }
  }
  const mask = estimator.result();
  if (!mask) io.stderr('note: no label has vehicle pixels at the bottom centre: no hood found, none removed\n');
  return { mask, source: mask ? `auto (estimated from ${estimator.frameCount} labels)` : 'auto (none found)' };
}

export interface EvalReport {
  model: string;
  data: string;
  backend: string;
  frames: number;
  failed: string[];
  fRoad: number;
  fCar: number;
  score: number;
  finalScore: number;
  precisionRoad: number;
  recallRoad: number;
  precisionCar: number;
  recallCar: number;
  counts: ReturnType<GraderAccumulator['counts']>;
  fps: number;
  seconds: number;
  thresholds: { car: number; road: number };
  /** Where the thresholds came from: the options (or their defaults), or the model file's metadata. */
  thresholdSource: 'options' | 'model metadata';
  /** The morphology applied after thresholding (--postprocess model), or null. */
  morphology: ClassMorphology | null;
  /** frame: full frames (the challenge's way); input: the studio's validation at the input size. */
  gradeAt: GradeAt;
  hood: { source: string; pixels: number };
  inputSize: { height: number; width: number };
  leakedTensors: number;
}

export async function runEval(values: ParsedValues, io: CliIo): Promise<EvalReport> {
  const modelPath = requiredString(values, 'model');
  const dataDir = requiredString(values, 'data');
  const postprocessFor = postprocessOptions(values);
  const limit = numberOption(values, 'limit', Infinity, { min: 1, max: Infinity, integer: true });
  const backend = choiceOption(values, 'backend', CLI_BACKENDS, 'wasm');
  const hoodArg = stringOption(values, 'hood') ?? 'auto';
  const answerOut = stringOption(values, 'answer-out');
  const truthOut = stringOption(values, 'truth-out');
  const gradeAt = choiceOption(values, 'grade-at', GRADE_AT_CHOICES, 'frame');
  const batchSize = numberOption(values, 'batch', 4, { min: 1, max: 1024, integer: true });
  if (gradeAt === 'input' && (answerOut || truthOut)) {
    throw new UsageError('--answer-out and --truth-out hold full-frame masks: use them with --grade-at frame');
  }
  if (gradeAt === 'frame' && values.batch !== undefined) throw new UsageError('--batch goes with --grade-at input');
  if (gradeAt === 'input' && values.postprocess !== undefined) {
    throw new UsageError("--postprocess goes with --grade-at frame (--grade-at input grades as the Training tab's validation: thresholds only, those the file recorded)");
  }

  const found = findChallengePairs(dataDir);
  if (found.pairs.length === 0) {
    throw new CliError(`no CameraRGB/*.png + CameraSeg/*.png pairs (same file name) under ${dataDir}`);
  }
  if (found.unpaired.length > 0) io.stderr(`note: ${found.unpaired.length} frames without a label skipped (e.g. ${found.unpaired[0]})\n`);
  const pairs = found.pairs.slice(0, limit);

  const backendName = await activateBackend(backend, values.backend !== undefined, io);
  const { model, file } = loadModelWithFile(modelPath, { onNotice: (m) => io.stderr(`note: ${m}\n`) });
  let predictor: FramePredictor | undefined;
  try {
    const spec = model.config.input;
    const hoodWanted = hoodArg.toLowerCase() !== 'none';
    const post = postprocessFor(file.metadata, modelPath, hoodWanted);
    const thresholds = post.thresholds;
    if (post.label) io.stderr(`post-processing from the model: ${post.label}\n`);
    let thresholdSource: EvalReport['thresholdSource'] = post.label ? 'model metadata' : 'options';
    if (gradeAt === 'input') {
      // The studio records the thresholds its validation used; without options, grade with those.
      const recorded = recordedThresholds(file.metadata);
      if (recorded && (values['car-threshold'] === undefined || values['road-threshold'] === undefined)) {
        if (values['car-threshold'] === undefined) thresholds.car = recorded.car;
        if (values['road-threshold'] === undefined) thresholds.road = recorded.road;
        thresholdSource = 'model metadata';
      }
    }
    const { frameWidth: width, frameHeight: height } = spec;
    let hood: HoodChoice;
    if (hoodArg.toLowerCase() === 'none') hood = { mask: null, source: 'none' };
    else if (hoodArg.toLowerCase() === 'auto') hood = estimateHood(pairs, width, height, io);
    else hood = { mask: readMaskPng(hoodArg, width, height, 'hood mask'), source: hoodArg };
    const hoodPixels = hood.mask ? maskStats(hood.mask, width).pixels : 0;
    io.stderr(`hood: ${hood.source}, ${hoodPixels} pixels\n`);
    const common = { model: modelPath, data: dataDir, backend: backendName, thresholds: { car: thresholds.car, road: thresholds.road }, thresholdSource, morphology: post.morphology };
    const hoodInfo = { source: hood.source, pixels: hoodPixels };
    if (gradeAt === 'input') return { ...common, ...(await evalAtInputSize(model, pairs, hood.mask, thresholds, batchSize, io)), hood: hoodInfo };

    predictor = await FramePredictor.create(model, thresholds, hood.mask, post.morphology);
    const grader = new GraderAccumulator();
    const answer = answerOut ? new AnswerFileWriter() : null;
    const truthFile = truthOut ? new AnswerFileWriter() : null;
    const failed: string[] = [];
    let seconds = 0;
    await predictor.warmUp();
    for (const [index, pair] of pairs.entries()) {
      try {
        const frame = readPng(pair.rgb);
        const label = readPng(pair.seg);
        if (label.width !== frame.width || label.height !== frame.height) {
          throw new FrameError(`the label is ${label.width}x${label.height} but the frame is ${frame.width}x${frame.height}`);
        }
        const result = await predictor.predict(frame);
        const truth = truthMasks(label, hood.mask);
        grader.addMasks(result.masks, truth);
        answer?.addFrame(result.masks.car, result.masks.road, width, height);
        truthFile?.addFrame(truth.car, truth.road, width, height);
        seconds += result.seconds;
        io.stderr(`[${index + 1}/${pairs.length}] ${pair.name}: ${(result.seconds * 1000).toFixed(0)} ms\n`);
      } catch (e) {
        failed.push(pair.name);
        io.stderr(`error: ${pair.name}: ${errorMessage(e)}\n`);
      }
    }
    if (predictor.leakedTensors > 0) io.stderr(`warning: ${predictor.leakedTensors} tensors were not freed\n`);
    if (answer && answerOut) writeFileSync(answerOut, answer.toJSON());
    if (truthFile && truthOut) writeFileSync(truthOut, truthFile.toJSON());

    const fps = seconds > 0 ? grader.frames / seconds : 0;
    const r = grader.result(fps);
    return {
      ...common,
      gradeAt,
      frames: r.frames,
      failed,
      fRoad: r.fRoad,
      fCar: r.fCar,
      score: r.score,
      finalScore: r.finalScore ?? 0,
      precisionRoad: r.precisionRoad,
      recallRoad: r.recallRoad,
      precisionCar: r.precisionCar,
      recallCar: r.recallCar,
      counts: grader.counts(),
      fps,
      seconds,
      hood: hoodInfo,
      inputSize: { height: spec.inputHeight, width: spec.inputWidth },
      leakedTensors: predictor.leakedTensors,
    };
  } finally {
    predictor?.dispose();
    model.dispose();
  }
}

type InputSizeResult = Omit<EvalReport, 'model' | 'data' | 'backend' | 'thresholds' | 'thresholdSource' | 'morphology' | 'hood'>;

/**
 * --grade-at input: the training run's validation (gradeAtInputSize) on the pairs read from disk,
 * with the run's BatchPipeline (crop rows, nearest resize of the labels, hood out of the vehicle
 * truth), the hood at the input size removed from the predictions, the CARLA label scheme.
 * A bad pair stops the pass with a message naming it. fps: frames over the whole pass (decoding included).
 */
async function evalAtInputSize(
  model: LinkNetModel,
  pairs: ChallengePair[],
  hood: Uint8Array | null,
  thresholds: ClassThresholds,
  batchSize: number,
  io: CliIo,
): Promise<InputSizeResult> {
  const spec = model.config.input;
  const scheme = CARLA_SCHEME;
  if (model.config.classes.length !== scheme.classes.length) {
    throw new CliError(
      `--grade-at input grades with the ${scheme.name} label scheme (${scheme.classes.length} classes); the model has ${model.config.classes.length} (${model.config.classes.join(', ')})`,
    );
  }
  io.stderr(`grading at the input size ${spec.inputHeight}x${spec.inputWidth} (crop rows ${spec.cropTop}-${spec.cropBottom} of ${spec.frameWidth}x${spec.frameHeight} frames), batch ${batchSize}\n`);
  const pipeline = new BatchPipeline(new ChallengePairSource(pairs), spec, scheme, hood, 0);
  const tensorsBefore = tf.memory().numTensors;
  const started = performance.now();
  let done = 0;
  let grading;
  try {
    grading = await gradeAtInputSize(model, pipeline, pairs.map((_, i) => i), {
      thresholds,
      hoodAtInput: hood ? frameMaskToInput(hood, spec) : null,
      batchSize,
      previews: 0,
      onBatch: async () => {
        done = Math.min(pairs.length, done + batchSize);
        io.stderr(`[${done}/${pairs.length}] ${pairs[done - 1].name}\n`);
      },
    });
  } catch (e) {
    throw new CliError(`--grade-at input stopped: ${errorMessage(e)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const leakedTensors = Math.max(0, tf.memory().numTensors - tensorsBefore);
  if (leakedTensors > 0) io.stderr(`warning: ${leakedTensors} tensors were not freed\n`);
  const grader = new GraderAccumulator();
  grader.addCounts(grading.counts, grading.report.frames);
  const fps = seconds > 0 ? grading.report.frames / seconds : 0;
  const r = grader.result(fps);
  return {
    gradeAt: 'input',
    frames: r.frames,
    failed: [],
    fRoad: grading.report.fRoad,
    fCar: grading.report.fCar,
    score: grading.report.score,
    finalScore: r.finalScore ?? 0,
    precisionRoad: r.precisionRoad,
    recallRoad: r.recallRoad,
    precisionCar: r.precisionCar,
    recallCar: r.recallCar,
    counts: grading.counts,
    fps,
    seconds,
    inputSize: { height: spec.inputHeight, width: spec.inputWidth },
    leakedTensors,
  };
}

export const evalCommand: Command = {
  name: 'eval',
  summary: "Score a model on labelled frames with the challenge's grader (F0.5 road, F2 car, micro-averaged); prints JSON.",
  usage: '--model MODEL --data DIR [options]',
  description:
    'DIR holds CameraRGB/*.png and CameraSeg/*.png (paired by file name) directly or in subfolders such as\n' +
    'train/ and val/; every pair found is used. Truth: road = label red in {6, 7}; car = red 10 and not hood.\n' +
    'The hood is removed from both predicted masks the same way. fps counts the model and mask post-processing\n' +
    '(PNG decoding excluded) after one warm-up run.\n' +
    '--grade-at frame (default) grades full frames: predictions upsampled to the frame, truth at full resolution.\n' +
    "--grade-at input grades the way the studio's training validation does, so a checkpoint exported from the\n" +
    'Training tab scores what the tab showed: frames and labels cropped and resized (labels nearest) to the\n' +
    "model's input size, the hood removed from the vehicle truth and from the predictions at that size, the\n" +
    'CARLA label scheme; without --car-threshold/--road-threshold it uses the thresholds recorded in the\n' +
    "model file's metadata by the validation, when there are any. Give the same hood as the studio used\n" +
    "(auto estimates it from the pairs given; the Dataset tab can export its hood as a PNG).",
  options: {
    model: { type: 'string', short: 'm', value: 'MODEL', required: true, description: '.safetensors file, or TensorFlow.js model folder / model.json' },
    data: { type: 'string', short: 'd', value: 'DIR', required: true, description: 'data folder in the challenge layout' },
    ...THRESHOLD_OPTIONS,
    postprocess: POSTPROCESS_OPTION,
    hood: { type: 'string', value: 'auto|none|PNG', description: 'hood: estimated from the labels (auto, default), none, or a mask PNG' },
    limit: { type: 'string', short: 'n', value: 'N', description: 'use only the first N pairs' },
    'grade-at': { type: 'string', value: 'frame|input', description: "frame: full frames (default); input: at the model's input size, as the studio's training validation" },
    batch: { type: 'string', value: 'N', description: 'frames per forward pass with --grade-at input (default 4)' },
    'answer-out': { type: 'string', value: 'FILE', description: "also write the predictions as a challenge answer file (JSON)" },
    'truth-out': { type: 'string', value: 'FILE', description: 'also write the truth masks as an answer-format file (for `score`)' },
    backend: BACKEND_OPTION,
  },
  examples: [
    'eval --model linknet34.safetensors --data ../shared/data/lyft-real --car-threshold 0.01 --road-threshold 0.75 --limit 50',
    'eval --model best.safetensors --data /tmp/sample/val --grade-at input --hood hood.png',
  ],
  async run(values, io) {
    const report = await runEval(values, io);
    io.stdout(JSON.stringify(report, null, 2) + '\n');
    return report.failed.length > 0 ? 1 : 0;
  },
};
