/**
 * Some of the studio's WebGPU kernels (src/backend/webgpuKernels) against TensorFlow.js's own, side by
 * side in one process: LinkNet training with the named kernels on and off, everything else the same.
 * `--kernels batchnorm-gradient` instead compares the training BatchNorm's closed-form gradient with
 * TensorFlow.js's autodiff of its forward ops (src/model/batchNormTraining.ts), every kernel the studio's;
 * `--kernels batchnorm-relu` a BatchNorm and the ReLU after it as one kernel or two (in `step`, the
 * model's 29 such pairs in LinkNet34; in `batchnorm`, every BatchNorm layer followed by a ReLU);
 * being ops, not a kernel, it can also run on wasm (`--backend wasm`).
 * WebGPU in Node through Dawn (src/backend/webgpuInNode.ts; on a machine without a GPU, set
 * VK_ICD_FILENAMES to Chromium's SwiftShader Vulkan driver).
 *
 *   npx tsx bench/webgpuKernelSwitch.ts [--kernels StudioAdamUpdate|Sum,Mean|...|batchnorm-gradient]
 *        [--phases step,update,batchnorm,runningstats,gradnorm,frameinput,batchinput,frameinput-caller,batchinput-caller,targets,targets-caller]
 *        [--encoder resnet34] [--size 32x64] [--batch 1] [--pairs 3] [--backend webgpu|wasm] [--out FILE.json]
 *
 * Phases: `step`, a whole training step (loss read back); `update`, the optimiser's update alone
 * (fresh gradients of a real step each time, untimed, then the update, synchronised by reading one
 * parameter back); `batchnorm`, the training BatchNorm alone, forward and backward, over the inputs
 * of every BatchNorm layer of the model at this size (the gradients read back); `runningstats`, the
 * BatchNorm running-statistics update of every layer alone (fresh batch statistics each time,
 * untimed; one running variance read back); `gradnorm`, the run loop's gradient norm alone (the
 * gradients of a real step, untimed, then their squared norm read back); `frameinput`, one 800x600
 * RGBA frame to the original spec's 320x800 network input (framesToInput, as the viewer's frame;
 * for StudioFramePixels), and `batchinput`, `--batch` cropped 320x800 RGB frames to a training
 * input (as the run loop's), each up to a one-value read of the result; `frameinput-caller` and
 * `batchinput-caller`, the same up to framesToInput's return: the time the calling thread (the
 * page, the training worker) is held, what a GPU leaves of the work; `targets` and
 * `targets-caller`, a batch's one-hot training targets from its class indices (oneHotTargets, for
 * StudioOneHotClasses), likewise. The two variants alternate
 * in pairs after one warm-up of each (shader compilation), so a change of machine load hits both;
 * medians of each and of the per-pair ratio, and the kernel calls of one run of each (tf.profile).
 * Writes
 * bench/results/<date>-<host>-<cpus>cpu-kernels-<names>[-<backend>]-<encoder>-<size>-b<batch>.json and .md.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useWebgpuBackendInNode } from '../src/backend/webgpuInNode';
import { useWasmBackendInNode } from '../src/backend/wasmTraining/nodeWasm';
import { registerWebgpuKernels, unregisterWebgpuKernels } from '../src/backend/webgpuKernels';
import { defaultLossConfig } from '../src/loss/fbetaLoss';
import type { BatchNormGradient } from '../src/model/batchNormTraining';
import { defaultModelConfig, type EncoderName } from '../src/model/config';
import { LinkNetModel } from '../src/model/linkNetModel';
import { batchNormReluTraining, batchNormTraining, type BatchNormTrainingResult } from '../src/model/batchNormTraining';
import { reluTraining } from '../src/model/reluTraining';
import { BN_EPSILON, type BatchNormStats } from '../src/model/tensorOps';
import { walkShapes } from '../src/model/shapeWalk';
import { AdamOptimizer } from '../src/training/adamOptimizer';
import { squaredNorm } from '../src/training/gradientNorm';
import { computeGradients, defaultAdamSettings, disposeGradients, Trainer } from '../src/training/trainStep';
import { alternatePairs, median } from '../src/testing/pairedTiming';
import { framesToInput } from '../src/inference/frameInput';
import { croppedSpec } from '../src/training/batchPipeline';
import { oneHotTargets as targetsOfClasses } from '../src/training/oneHotTargets';
import { benchInput, oneHotTargets } from './core/measure';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const kernels = arg('kernels', 'StudioAdamUpdate').split(',');
const phases = arg('phases', 'step').split(',');
const encoder = arg('encoder', 'resnet34') as EncoderName;
const [height, width] = arg('size', '32x64').split('x').map(Number);
const batch = Number(arg('batch', '1'));
const pairs = Number(arg('pairs', '3'));
const backend = arg('backend', 'webgpu');

/** wasm in Node (for the BatchNorm switch, which is not a kernel): the same fields as the WebGPU info. */
async function useWasm(): Promise<{ adapter: string; software: boolean }> {
  await useWasmBackendInNode();
  return { adapter: 'wasm (Node, SIMD, 1 thread)', software: true };
}

interface Comparison {
  phase: string;
  /** ms per run with the studio's kernels and with TensorFlow.js's, pair by pair. */
  studioMs: number[];
  builtinMs: number[];
  /** Kernel calls in one run of each (tf.profile; some studio kernels run several passes). */
  studioCalls: number;
  builtinCalls: number;
}

const BATCHNORM_SWITCH = 'batchnorm-gradient';
const switchesBatchNorm = kernels.length === 1 && kernels[0] === BATCHNORM_SWITCH;
/** The gradient the training BatchNorm takes in this run (switched with useStudio when comparing it). */
let batchNormGradient: BatchNormGradient = 'closed-form';

const BATCHNORM_RELU_SWITCH = 'batchnorm-relu';
const switchesBatchNormRelu = kernels.length === 1 && kernels[0] === BATCHNORM_RELU_SWITCH;
/** Whether a training BatchNorm followed by a ReLU runs as one kernel (switched with useStudio when comparing it). */
let fuseBatchNormRelu = true;

/** One BatchNorm layer's training forward as this run compares it; with --kernels batchnorm-relu followed by a ReLU, fused or not. */
function layerForward(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): BatchNormTrainingResult {
  if (!switchesBatchNormRelu) return batchNormTraining(x, gamma, beta, BN_EPSILON, batchNormGradient);
  if (fuseBatchNormRelu) return batchNormReluTraining(x, gamma, beta, BN_EPSILON);
  const separate = batchNormTraining(x, gamma, beta, BN_EPSILON);
  return { ...separate, y: reluTraining(separate.y) };
}

function useStudio(on: boolean): void {
  if (switchesBatchNorm) batchNormGradient = on ? 'closed-form' : 'autodiff';
  else if (switchesBatchNormRelu) fuseBatchNormRelu = on;
  else if (on) registerWebgpuKernels(kernels);
  else unregisterWebgpuKernels(kernels);
}

async function compare(phase: string, run: () => Promise<number>, calls: () => Promise<number>): Promise<Comparison> {
  const { ours, builtin } = await alternatePairs(async (studio) => {
    useStudio(studio);
    return run();
  }, pairs);
  useStudio(true);
  const studioCalls = await calls();
  useStudio(false);
  const builtinCalls = await calls();
  useStudio(true);
  return { phase, studioMs: ours, builtinMs: builtin, studioCalls, builtinCalls };
}

async function main(): Promise<void> {
  if (backend !== 'webgpu' && !switchesBatchNorm) throw new Error(`--backend ${backend}: only --kernels ${BATCHNORM_SWITCH} applies (the studio's kernels are WebGPU's)`);
  // useWebgpuBackendInNode registers the studio's kernels; the comparison switches the named ones.
  const info = backend === 'wasm' ? await useWasm() : await useWebgpuBackendInNode();
  const model = LinkNetModel.create(defaultModelConfig({ encoder }), 1);
  const trainer = new Trainer(model, defaultLossConfig());
  const adam = new AdamOptimizer(defaultAdamSettings());
  const shape: [number, number, number, number] = [batch, height, width, 3];
  const x = tf.tensor4d(benchInput(batch * height * width * 3), shape);
  const t = tf.tensor4d(oneHotTargets(batch, height, width, 3), shape);
  const variables = model.trainableVariables();
  const lastVariable = variables[variables.length - 1];
  console.log(`${info.adapter}: LinkNet (${encoder}), batch ${batch} at ${height}x${width}, studio ${kernels.join(', ')} on and off, ${pairs} pairs`);

  /** Gradients of one step, computed and waited for (untimed), then the update alone: ms, or kernel calls. */
  const update = async (count: boolean): Promise<number> => {
    const g = computeGradients(model, x, t, defaultLossConfig(), { batchNormGradient, fuseBatchNormRelu });
    await g.loss.data();
    const toApply = [...g.grads].map(([name, gradient]) => ({ variable: model.variable(name), gradient }));
    const started = performance.now();
    const calls = count ? (await tf.profile(() => adam.applyGradients(toApply))).kernels.length : 0;
    if (!count) adam.applyGradients(toApply);
    await lastVariable.data();
    const ms = performance.now() - started;
    disposeGradients(g);
    return count ? calls : ms;
  };
  /** One training step with the BatchNorm gradient of the moment (what Trainer.step does). */
  const trainStep = () => trainer.apply(computeGradients(model, x, t, defaultLossConfig(), { batchNormGradient, fuseBatchNormRelu }));
  const step = async (): Promise<number> => {
    const started = performance.now();
    const { loss } = await trainStep();
    if (!(loss > 0)) throw new Error(`loss ${loss} (expected > 0)`);
    return performance.now() - started;
  };
  const stepCalls = async (): Promise<number> => (await tf.profile(async () => void (await trainStep()))).kernels.length;

  /** Every BatchNorm layer's training forward and backward on inputs of its shape: ms, or kernel calls. */
  const layerShapes = phases.includes('batchnorm') ? walkShapes(model.config, height, width).batchNormInputs : [];
  const layers = layerShapes.map((s, i) => {
    const values = (n: number, offset: number) => Float32Array.from({ length: n }, (_, k) => offset + Math.sin(i * 7919 + k * 0.37));
    const size = batch * s.h * s.w * s.c;
    return {
      x: tf.tensor4d(values(size, 2), [batch, s.h, s.w, s.c]),
      gamma: tf.tensor1d(values(s.c, 1)),
      beta: tf.tensor1d(values(s.c, 0)),
      dy: tf.tensor4d(values(size, 0), [batch, s.h, s.w, s.c]),
    };
  });
  const batchNormLayers = async (count: boolean): Promise<number> => {
    const run = () =>
      layers.map(({ x, gamma, beta, dy }) => {
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const r = layerForward(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D);
          tf.dispose([r.mean, r.variance]);
          return tf.sum(tf.mul(r.y, dy));
        })([x, gamma, beta]);
        return grads;
      });
    const started = performance.now();
    let calls = 0;
    let results: tf.Tensor[][] = [];
    if (count) calls = (await tf.profile(() => void (results = run()))).kernels.length;
    else results = run();
    await Promise.all(results.map((g) => g[0].data()));
    const ms = performance.now() - started;
    tf.dispose(results.flat());
    return count ? calls : ms;
  };

  /** Every layer's running-statistics update (LinkNetModel.applyBatchStats): ms, or kernel calls. */
  const runningStats = async (count: boolean): Promise<number> => {
    const stats: BatchNormStats[] = walkShapes(model.config, height, width).batchNormInputs.map((s, k) => ({
      name: model.specs.filter((p) => p.role === 'bn-weight')[k].name.replace(/\.weight$/, ''),
      mean: tf.fill([s.c], 0.5) as tf.Tensor1D,
      variance: tf.fill([s.c], 2) as tf.Tensor1D,
      count: batch * s.h * s.w,
    }));
    await Promise.all(stats.map((s) => s.variance.data()));
    const started = performance.now();
    const calls = count ? (await tf.profile(() => model.applyBatchStats(stats))).kernels.length : 0;
    if (!count) model.applyBatchStats(stats);
    await model.variable(`${stats[stats.length - 1].name}.running_var`).data();
    const ms = performance.now() - started;
    return count ? calls : ms;
  };

  /** The run loop's gradient norm (squaredNorm) of one step's gradients: ms, or kernel calls. */
  const gradientNorm = async (count: boolean): Promise<number> => {
    const g = computeGradients(model, x, t, defaultLossConfig(), { batchNormGradient, fuseBatchNormRelu });
    await g.loss.data();
    const started = performance.now();
    let total: tf.Scalar | null = null;
    const calls = count ? (await tf.profile(() => void (total = squaredNorm([...g.grads.values()])))).kernels.length : 0;
    if (!count) total = squaredNorm([...g.grads.values()]);
    if (!((await total!.data())[0] > 0)) throw new Error('gradient norm is not positive');
    const ms = performance.now() - started;
    total!.dispose();
    disposeGradients(g);
    return count ? calls : ms;
  };

  /**
   * A tensor made on the device up to a one-value read of it: ms (`returned`: the calling thread's
   * time alone, until `make` returns), or kernel calls.
   */
  const madeOnDevice = async (make: () => tf.Tensor4D, count: boolean, returned = false): Promise<number> => {
    const started = performance.now();
    let x: tf.Tensor4D | null = null;
    const calls = count ? (await tf.profile(() => void (x = make()))).kernels.length : 0;
    if (!count) x = make();
    const callerMs = performance.now() - started;
    const first = tf.slice(x!, [0, 0, 0, 0], [1, 1, 1, 1]);
    await first.data();
    const ms = performance.now() - started;
    tf.dispose([first, x!]);
    return count ? calls : returned ? callerMs : ms;
  };
  const frameSpec = defaultModelConfig().input;
  const cropRows = frameSpec.cropBottom - frameSpec.cropTop;
  const frameOf = (w: number, h: number, channels: number, seed: number) => ({
    data: Uint8ClampedArray.from({ length: w * h * channels }, (_, i) => (i * 31 + seed * 7 + (i >> 9)) % 256),
    width: w,
    height: h,
    channels,
  });
  const viewerFrame = [frameOf(frameSpec.frameWidth, frameSpec.frameHeight, 4, 0)];
  const batchFrames = Array.from({ length: batch }, (_, k) => frameOf(frameSpec.frameWidth, cropRows, 3, k));
  const batchClasses = Uint8Array.from({ length: batch * cropRows * frameSpec.frameWidth }, (_, i) => (i >> 6) % 3);
  const deviceInputs = {
    frame: () => framesToInput(viewerFrame, frameSpec),
    batch: () => framesToInput(batchFrames, croppedSpec(frameSpec)),
    targets: () => targetsOfClasses(batchClasses, [batch, cropRows, frameSpec.frameWidth], 3),
  };

  const results: Comparison[] = [];
  for (const phase of phases) {
    if (phase === 'update') results.push(await compare('optimiser update', () => update(false), () => update(true)));
    else if (phase === 'step') results.push(await compare('training step', step, stepCalls));
    else if (phase === 'batchnorm') results.push(await compare(`${layers.length} BatchNorm layers, forward and backward`, () => batchNormLayers(false), () => batchNormLayers(true)));
    else if (phase === 'runningstats') results.push(await compare('running-statistics update', () => runningStats(false), () => runningStats(true)));
    else if (phase === 'gradnorm') results.push(await compare('gradient norm', () => gradientNorm(false), () => gradientNorm(true)));
    else if (/^(frameinput|batchinput|targets)(-caller)?$/.test(phase)) {
      const which = phase.startsWith('frame') ? 'frame' : phase.startsWith('batch') ? 'batch' : 'targets';
      const returned = phase.endsWith('-caller');
      const what = { frame: 'one 800x600 RGBA frame to the 320x800 network input', batch: `${batch} cropped 320x800 RGB frames to a training input`, targets: `${batch} 320x800 training targets (3 classes)` }[which];
      results.push(await compare(`${what}${returned ? ", the caller's time" : ''}`, () => madeOnDevice(deviceInputs[which], false, returned), () => madeOnDevice(deviceInputs[which], true)));
    } else throw new Error(`unknown phase ${phase} (update, step, batchnorm, runningstats, gradnorm, frameinput, batchinput, frameinput-caller, batchinput-caller, targets, targets-caller)`);
  }
  adam.dispose();
  trainer.dispose();
  model.dispose();
  tf.dispose([x, t, ...layers.flatMap((l) => Object.values(l))]);

  const lines = [
    `${switchesBatchNorm ? "The training BatchNorm's closed-form gradient (studio) against TensorFlow.js's autodiff of its ops (TF.js)" : switchesBatchNormRelu ? 'BatchNorm + ReLU as one kernel (studio) against the BatchNorm kernel and a ReLU (TF.js)' : `The studio's ${kernels.join(', ')} against ${kernels.every((k) => k.startsWith('Studio')) ? 'the TensorFlow.js ops they replace (TF.js)' : "TensorFlow.js's"}`}: LinkNet (${encoder}), batch ${batch}, ${height}x${width}, ${backend === 'wasm' ? 'on' : 'WebGPU in Node on'} ${info.adapter}, median of ${pairs} alternating pairs`,
    '',
    '| phase | studio ms | TF.js ms | speed-up (median of pair ratios) | kernel calls (studio / TF.js) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.phase} | ${median(r.studioMs).toFixed(1)} | ${median(r.builtinMs).toFixed(1)} | ${median(r.builtinMs.map((b, i) => b / r.studioMs[i])).toFixed(2)}x | ${r.studioCalls} / ${r.builtinCalls} |`,
    ),
  ];
  console.log(lines.join('\n'));
  const here = dirname(fileURLToPath(import.meta.url));
  const day = new Date().toISOString().slice(0, 10);
  const tag = kernels.map((k) => k.replace(/^Studio/, '')).join('-') + (backend === 'webgpu' ? '' : `-${backend}`);
  const out = arg('out', join(here, 'results', `${day}-${os.hostname()}-${os.cpus().length}cpu-kernels-${tag}-${encoder}-${height}x${width}-b${batch}.json`));
  mkdirSync(dirname(out), { recursive: true });
  const report = { date: new Date().toISOString(), adapter: info.adapter, software: info.software, kernels, encoder, batch, height, width, pairs, trainableTensors: variables.length, results };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, '.md'), `${lines.join('\n')}\n`);
  console.log(`wrote ${out} and .md`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
