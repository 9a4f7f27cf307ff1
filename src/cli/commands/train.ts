/** `train`: trains a LinkNet on challenge-layout pairs (soft F-beta loss, Adam), validates, saves safetensors. */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { CARLA_SCHEME } from '../../data/labelScheme';
import { framesToInput } from '../../inference/frameInput';
import { challengeChannels } from '../../inference/frameMasks';
import { defaultLossConfig } from '../../loss/fbetaLoss';
import { GraderAccumulator } from '../../metrics/grader';
import { defaultModelConfig, ENCODER_NAMES, inputSizeProblem, type EncoderName, type InputSpec } from '../../model/config';
import { LinkNetModel } from '../../model/linkNetModel';
import { FoldedLinkNet } from '../../model/foldedLinkNet';
import { findChallengePairs, readPng } from '../../node/imageFiles';
import { applyAugmentation, defaultAugmentConfig, sampleAugmentParams } from '../../training/augment';
import { createSeededRng } from '../../data/split';
import { BatchOrder, estimateHoodFromPairs, inputSpecFor, readPair, splitTrainVal } from '../../training/trainingData';
import { frameMaskToInput, labelsToTargets, labelToTarget } from '../../training/trainingTargets';
import { defaultAdamSettings, Trainer } from '../../training/trainStep';
import { writeSafetensorsModel } from '../../weights/modelFile';
import { activateBackend, BACKEND_OPTION, CLI_BACKENDS } from '../backend';
import { choiceOption, CliError, errorMessage, numberOption, requiredString, stringOption, UsageError, type CliIo, type Command, type ParsedValues } from '../framework';

export interface TrainReport {
  steps: number;
  backend: string;
  msPerStep: number;
  imagesPerSecond: number;
  finalLoss: number;
  losses: number[];
  val: { fRoad: number; fCar: number; score: number; frames: number };
  tensors: { afterFirstStep: number; atEnd: number };
  train: number;
  encoder: EncoderName;
  inputSize: { height: number; width: number };
  out: string;
}

/** "HxW" -> sizes that are multiples of 32 (usage error otherwise). */
export function parseSize(raw: string | undefined, fallback: [number, number]): [number, number] {
  if (raw === undefined) return fallback;
  const m = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(raw);
  if (!m) throw new UsageError(`--size must be HxW (e.g. 320x800), got ${JSON.stringify(raw)}`);
  const h = Number(m[1]);
  const w = Number(m[2]);
  const problem = inputSizeProblem(h, w);
  if (problem) throw new UsageError(`--size: ${problem}`);
  return [h, w];
}

const fmt = (v: number, digits = 3) => v.toFixed(digits);

export async function runTrain(values: ParsedValues, io: CliIo): Promise<TrainReport> {
  const dataDir = requiredString(values, 'data');
  const out = requiredString(values, 'out');
  const encoder = choiceOption(values, 'encoder', ENCODER_NAMES.filter((e) => e === 'resnet18' || e === 'resnet34' || e === 'resnet50'), 'resnet34');
  const [inputHeight, inputWidth] = parseSize(stringOption(values, 'size'), [320, 800]);
  const batch = numberOption(values, 'batch', 2, { min: 1, max: 1024, integer: true });
  if (values.steps !== undefined && values.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  const stepsArg = values.steps !== undefined ? numberOption(values, 'steps', 1, { min: 1, max: 1e9, integer: true }) : null;
  const epochs = numberOption(values, 'epochs', 1, { min: 1, max: 1e6, integer: true });
  const lr = numberOption(values, 'lr', 1e-4, { min: 0, max: 1 });
  const seed = numberOption(values, 'seed', 1, { min: 0, max: 2 ** 31 - 1, integer: true });
  const augment = choiceOption(values, 'augment', ['on', 'off'] as const, 'on') === 'on';
  const backend = choiceOption(values, 'backend', CLI_BACKENDS, 'wasm');

  const found = findChallengePairs(dataDir);
  if (found.pairs.length === 0) throw new CliError(`no CameraRGB/*.png + CameraSeg/*.png pairs (same file name) under ${dataDir}`);
  if (found.unpaired.length > 0) io.stderr(`note: ${found.unpaired.length} frames without a label skipped (e.g. ${found.unpaired[0]})\n`);
  const split = splitTrainVal(found.pairs);
  if (split.train.length === 0) throw new CliError(`no training pairs under ${dataDir} (only ${split.val.length} for validation)`);
  const first = readPng(split.train[0].seg);
  const spec: InputSpec = inputSpecFor(first.width, first.height, inputHeight, inputWidth);
  const steps = stepsArg ?? epochs * Math.ceil(split.train.length / batch);
  io.stderr(`data: ${split.train.length} train + ${split.val.length} val pairs (${split.how}), frames ${spec.frameWidth}x${spec.frameHeight}, crop rows ${spec.cropTop}-${spec.cropBottom} -> ${inputHeight}x${inputWidth}\n`);

  const hood = estimateHoodFromPairs(split.train, spec.frameWidth, spec.frameHeight, CARLA_SCHEME);
  const hoodPixels = hood.mask ? hood.mask.reduce((a, b) => a + b, 0) : 0;
  io.stderr(`hood: ${hoodPixels} pixels (estimated from ${hood.labels} train labels)\n`);

  const backendName = await activateBackend(backend, values.backend !== undefined, io);
  const config = defaultModelConfig({ encoder, classes: CARLA_SCHEME.classes.map((c) => c.name), input: spec });
  const model = LinkNetModel.create(config, seed);
  const trainer = new Trainer(model, defaultLossConfig(), defaultAdamSettings(lr));
  try {
    // Augmentation works on [0, 1] pixels: build those, augment, then apply the spec's mean/std.
    const unitSpec: InputSpec = { ...spec, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };
    const needsNormalise = spec.scale !== 1 / 255 || spec.mean.some((m) => m !== 0) || spec.std.some((s) => s !== 1);
    const augmentConfig = defaultAugmentConfig();
    const augmentRng = createSeededRng(seed + 1);
    const order = new BatchOrder(split.train.length, seed);
    const losses: number[] = [];
    const stepMs: number[] = [];
    let afterFirstStep = 0;
    io.stderr(`training: ${encoder}, batch ${batch}, ${steps} steps, lr ${lr}, augmentation ${augment ? 'on' : 'off'}, seed ${seed}\n`);
    for (let step = 1; step <= steps; step++) {
      const started = performance.now();
      const indices = order.next(batch);
      const pairs = indices.map((i) => readPair(split.train[i], spec));
      const tensors: tf.Tensor[] = [];
      let result;
      try {
        const target = labelsToTargets(pairs.map((p) => p.label), spec, CARLA_SCHEME, hood.mask);
        tensors.push(target);
        let x = framesToInput(pairs.map((p) => p.frame), augment ? unitSpec : spec);
        tensors.push(x);
        let y: tf.Tensor4D = target;
        if (augment) {
          const a = applyAugmentation(x, target, sampleAugmentParams(augmentConfig, batch, augmentRng));
          x = a.images;
          y = a.targets as tf.Tensor4D;
          tensors.push(x, y);
          if (needsNormalise) {
            x = tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(spec.mean, 'float32')), tf.tensor1d(spec.std, 'float32')) as tf.Tensor4D);
            tensors.push(x);
          }
        }
        result = await trainer.step(x, y);
      } finally {
        tf.dispose(tensors);
      }
      const ms = performance.now() - started;
      losses.push(result.loss);
      stepMs.push(ms);
      if (step === 1) afterFirstStep = tf.memory().numTensors;
      if (!Number.isFinite(result.loss)) throw new CliError(`the loss is ${result.loss} at step ${step}; try a lower --lr`);
      const f = result.fScores.map((v, i) => `${config.classes[i]} ${fmt(v)}`).join(' ');
      io.stderr(
        `step ${step}/${steps} epoch ${order.epoch} loss ${fmt(result.loss, 4)} F ${f} ${ms.toFixed(0)} ms/step ${((batch * 1000) / ms).toFixed(2)} images/s\n`,
      );
    }
    // The first step holds one-off start-up costs (kernel setup); leave it out of the timing when there are more.
    const timed = stepMs.length > 1 ? stepMs.slice(1) : stepMs;
    const msPerStep = timed.reduce((a, b) => a + b, 0) / timed.length;

    const val = await validate(model, split.val, spec, hood.mask, io);
    const atEnd = tf.memory().numTensors;
    io.stderr(`tensors: ${afterFirstStep} after step 1, ${atEnd} at the end\n`);

    const bytes = await writeSafetensorsModel(model, 'F32', {
      trained_by: 'segstudio train',
      steps: String(steps),
      final_loss: String(losses[losses.length - 1]),
      seed: String(seed),
      learning_rate: String(lr),
      augmentation: augment ? 'on' : 'off',
    });
    try {
      writeFileSync(out, bytes);
    } catch (e) {
      throw new CliError(`cannot write ${out}: ${errorMessage(e)}`);
    }
    io.stderr(`saved ${out} (${(bytes.length / 1e6).toFixed(1)} MB)\n`);
    return {
      steps,
      backend: backendName,
      msPerStep,
      imagesPerSecond: (batch * 1000) / msPerStep,
      finalLoss: losses[losses.length - 1],
      losses,
      val,
      tensors: { afterFirstStep, atEnd },
      train: split.train.length,
      encoder,
      inputSize: { height: inputHeight, width: inputWidth },
      out,
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** The grader on the val pairs at the input resolution: thresholds 0.5, hood removed from truth and prediction. */
async function validate(
  model: LinkNetModel,
  pairs: ReturnType<typeof splitTrainVal>['val'],
  spec: InputSpec,
  hood: Uint8Array | null,
  io: CliIo,
): Promise<{ fRoad: number; fCar: number; score: number; frames: number }> {
  const grader = new GraderAccumulator();
  const roles = challengeChannels(model.config.classes);
  const c = model.config.classes.length;
  const n = spec.inputHeight * spec.inputWidth;
  const hoodIn = hood ? frameMaskToInput(hood, spec) : null;
  // The folded network (BatchNorm in the convolutions), as the viewer and the studio's validation run it.
  await FoldedLinkNet.using(model, async (net) => {
    for (const pair of pairs) {
      const { frame, label } = readPair(pair, spec);
      const probs = tf.tidy(() => net.predict(framesToInput([frame], spec)));
      let data: Float32Array;
      try {
        data = (await probs.data()) as Float32Array;
      } finally {
        probs.dispose();
      }
      const target = labelToTarget(label, spec, CARLA_SCHEME, hood);
      const pred = { road: new Uint8Array(n), car: new Uint8Array(n) };
      const truth = { road: new Uint8Array(n), car: new Uint8Array(n) };
      for (let i = 0; i < n; i++) {
        truth.road[i] = target[i * c + roles.road];
        truth.car[i] = target[i * c + roles.car];
        if (hoodIn && hoodIn[i]) continue;
        pred.road[i] = data[i * c + roles.road] > 0.5 ? 1 : 0;
        pred.car[i] = data[i * c + roles.car] > 0.5 ? 1 : 0;
      }
      grader.addMasks(pred, truth);
    }
  });
  const r = grader.result(0);
  io.stderr(`val: ${r.frames} frames, F road ${fmt(r.fRoad)}, F car ${fmt(r.fCar)}, score ${fmt(r.score)}\n`);
  return { fRoad: r.fRoad, fCar: r.fCar, score: r.score, frames: r.frames };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a LinkNet on labelled frames (soft F-beta loss, Adam), validate with the grader, save safetensors.',
  usage: '--data DIR --out MODEL.safetensors [options]',
  description:
    'DIR holds CameraRGB/*.png + CameraSeg/*.png pairs (challenge layout); pairs under train/ and val/ folders are\n' +
    'used as such, otherwise the last 10 % are for validation. Targets: background/road/vehicle one-hot (CARLA\n' +
    'ids in red), the hood (estimated from the train labels) removed from vehicle, cropped and resized (nearest)\n' +
    'like the frames. Pairs are decoded per batch in a seeded order. Progress goes to stderr; a JSON summary\n' +
    '(steps, backend, msPerStep, imagesPerSecond, finalLoss, val F scores at the input size, thresholds 0.5)\n' +
    'to stdout.',
  options: {
    data: { type: 'string', short: 'd', value: 'DIR', required: true, description: 'data folder in the challenge layout' },
    out: { type: 'string', short: 'o', value: 'FILE', required: true, description: 'the trained model (.safetensors, F32, input spec in the metadata)' },
    encoder: { type: 'string', value: 'NAME', description: 'resnet18, resnet34 (default) or resnet50' },
    size: { type: 'string', value: 'HxW', description: 'network input size, multiples of 32 (default 320x800: the crop unresized)' },
    batch: { type: 'string', short: 'b', value: 'N', description: 'batch size (default 2)' },
    steps: { type: 'string', value: 'N', description: 'number of steps (default: --epochs over the train pairs)' },
    epochs: { type: 'string', value: 'E', description: 'passes over the train pairs when --steps is not given (default 1)' },
    lr: { type: 'string', value: 'LR', description: 'Adam learning rate (default 1e-4)' },
    seed: { type: 'string', value: 'S', description: 'seed of the initial weights, the shuffling and the augmentation (default 1)' },
    augment: { type: 'string', value: 'on|off', description: "the original's gamma/brightness/colour augmentation (default on)" },
    backend: BACKEND_OPTION,
  },
  examples: [
    'train --data /tmp/sample --out /tmp/model.safetensors --encoder resnet18 --size 64x160 --steps 12',
    'train --data ../shared/data/lyft-real --out linknet34.safetensors --epochs 5 --batch 4',
  ],
  async run(values, io) {
    const report = await runTrain(values, io);
    io.stdout(JSON.stringify(report, null, 2) + '\n');
    return 0;
  },
};
