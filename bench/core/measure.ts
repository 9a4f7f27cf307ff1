/**
 * Runs one benchmark job (inference or a training step) on the current TensorFlow.js backend or in
 * an ONNX Runtime passed in, the same way in Node and in the browser page. Every job builds the
 * same seeded model, so all engines run the same network with the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultLossConfig } from '../../src/loss/fbetaLoss';
import { defaultModelConfig } from '../../src/model/config';
import { FoldedLinkNet } from '../../src/model/foldedLinkNet';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { exportLinkNetOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../../src/onnx/exportOnnx';
import { Trainer } from '../../src/training/trainStep';
import { aggregateKernels, kernelRecord, timingProblem } from './profile';
import type { BenchJob, BenchRow } from './types';
import { median } from '../../src/testing/pairedTiming';

export const MODEL_SEED = 1;

/** The part of onnxruntime-node / onnxruntime-web this benchmark uses. */
export interface OrtLike {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dispose?: () => void }>>;
  release(): Promise<void>;
}

export interface OrtTarget {
  ort: OrtLike;
  /** Execution provider name ('cpu', 'wasm', 'webgpu'). */
  provider: string;
  threads: number | null;
}

export { median };

const now = () => performance.now();

/** Deterministic values in [0,1) (a small LCG), so every engine sees the same input. */
export function benchInput(length: number, seed = 12345): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => (s = (s * 16807) % 2147483647) / 2147483647);
}

export function oneHotTargets(batch: number, height: number, width: number, classes: number): Float32Array {
  const pick = benchInput(batch * height * width, 777);
  const t = new Float32Array(batch * height * width * classes);
  for (let p = 0; p < pick.length; p++) t[p * classes + Math.floor(pick[p] * classes)] = 1;
  return t;
}

export function emptyRow(job: BenchJob, platform: BenchRow['platform'], backend: string, label: string): BenchRow {
  return {
    ...job,
    platform,
    backend,
    label,
    status: 'ok',
    setupMs: null,
    warmupMs: null,
    runsMs: [],
    medianMs: null,
    imagesPerSecond: null,
    tensorsBefore: null,
    tensorsAfter: null,
    tensorsLeakedPerRun: null,
    steadyBytes: null,
    peakBytes: null,
    threads: null,
  };
}

/** Warm-up, then timed runs until `runs` are done or the budget is spent (at least one). */
export async function timeRuns(row: BenchRow, once: () => Promise<void>): Promise<void> {
  let start = now();
  await once();
  row.warmupMs = now() - start;
  let spent = 0;
  while (row.runsMs.length < row.runs && (row.runsMs.length === 0 || spent < row.budgetMs)) {
    start = now();
    await once();
    const ms = now() - start;
    row.runsMs.push(ms);
    spent += ms;
  }
  row.medianMs = median(row.runsMs);
  row.imagesPerSecond = (row.batch * 1000) / row.medianMs;
}

/** predict() and the folded path alternately (each warmed up first), `row.runs` pairs within twice the budget. */
async function pairedRuns(row: BenchRow, predict: () => tf.Tensor, folded: () => tf.Tensor): Promise<NonNullable<BenchRow['paired']>> {
  const timeOne = async (run: () => tf.Tensor) => {
    const start = now();
    const out = run();
    await out.data();
    out.dispose();
    return now() - start;
  };
  await timeOne(predict);
  const predictMs: number[] = [];
  const foldedMs: number[] = [];
  let spent = 0;
  while (predictMs.length < row.runs && (predictMs.length === 0 || spent < 2 * row.budgetMs)) {
    // Alternate which goes first, so neither always runs right after the other's allocations.
    const predictFirst = predictMs.length % 2 === 0;
    const first = await timeOne(predictFirst ? predict : folded);
    const second = await timeOne(predictFirst ? folded : predict);
    predictMs.push(predictFirst ? first : second);
    foldedMs.push(predictFirst ? second : first);
    spent += first + second;
  }
  return { predictMs, foldedMs, gain: median(predictMs) / median(foldedMs) };
}

/** How tf.profile times one kernel on this backend (tfjs 4.22). */
export function kernelTimingMethod(backend: string): string {
  if (backend === 'webgpu') {
    const timestamps = (tf.backend() as unknown as { supportTimestampQuery?: boolean }).supportTimestampQuery === true;
    return timestamps ? 'WebGPU timestamp queries, one compute pass per kernel (kernels forwarded to the CPU count 0)' : 'none: the WebGPU device has no timestamp-query, tfjs reports 0 ms';
  }
  if (backend === 'webgl') return 'WebGL timer queries (EXT_disjoint_timer_query) where available';
  return 'wall time of each kernel call (synchronous on this backend)';
}

/** Marks a row failed with the error's first line. */
export function fail(row: BenchRow, e: unknown): void {
  row.status = 'error';
  row.reason = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
}

/** A TensorFlow.js row on the current backend: predict, folded predict, or a training step. */
export async function runTfjsJob(job: BenchJob, platform: BenchRow['platform'], threads: number | null = null): Promise<BenchRow> {
  const backend = tf.getBackend();
  const variant = job.task === 'training' ? 'training step' : job.engine === 'tfjs-folded' ? 'folded' : 'predict';
  const row = emptyRow(job, platform, backend, `tfjs ${backend} (${variant})`);
  row.threads = threads;
  row.tensorsBefore = tf.memory().numTensors;
  const config = defaultModelConfig({ encoder: job.encoder });
  const shape: [number, number, number, number] = [job.batch, job.height, job.width, 3];
  let model: LinkNetModel | null = null;
  let folded: FoldedLinkNet | null = null;
  let trainer: Trainer | null = null;
  const inputs: tf.Tensor[] = [];
  try {
    const setupStart = now();
    model = LinkNetModel.create(config, MODEL_SEED);
    if (job.engine === 'tfjs-folded') folded = await FoldedLinkNet.fromModel(model);
    const x = tf.tensor4d(benchInput(shape.reduce((a, b) => a * b, 1)), shape);
    inputs.push(x);
    row.setupMs = now() - setupStart;
    if (job.task === 'training') {
      const t = tf.tensor4d(oneHotTargets(job.batch, job.height, job.width, config.classes.length), [job.batch, job.height, job.width, config.classes.length]);
      inputs.push(t);
      trainer = new Trainer(model, defaultLossConfig());
      const active = trainer;
      await timeRuns(row, async () => {
        const { loss } = await active.step(x, t);
        if (!Number.isFinite(loss) || !(loss > 0)) throw new Error(`training step gave loss ${loss} (expected finite and > 0)`);
        row.loss = loss;
      });
    } else {
      const net = folded ?? model;
      const once = async () => {
        const out = net.predict(x);
        await out.data();
        out.dispose();
      };
      await timeRuns(row, once);
      if (folded) row.paired = await pairedRuns(row, () => model!.predict(x), () => folded!.predict(x));
      const before = tf.memory().numTensors;
      const profile = await tf.profile(async () => {
        const out = net.predict(x);
        await out.data();
        out.dispose();
      });
      row.peakBytes = profile.peakBytes;
      // tf.fused ops also log an op-level record (`fusedConv2d__op`) besides the kernel itself.
      const kernels = aggregateKernels(profile.kernels.map((k) => kernelRecord(k.name, k.kernelTimeMs)), 5);
      row.kernelCount = kernels.calls;
      row.topKernels = kernels.top;
      row.kernelTiming = timingProblem(kernels) ?? kernelTimingMethod(backend);
      row.tensorsLeakedPerRun = tf.memory().numTensors - before;
    }
    row.steadyBytes = tf.memory().numBytes;
  } catch (e) {
    fail(row, e);
  } finally {
    trainer?.dispose();
    folded?.dispose();
    model?.dispose();
    tf.dispose(inputs);
  }
  row.tensorsAfter = tf.memory().numTensors;
  return row;
}

/** The ONNX export of the same seeded model, run in ONNX Runtime (inference only). */
export async function runOrtJob(job: BenchJob, platform: BenchRow['platform'], target: OrtTarget, runtimeName: string): Promise<BenchRow> {
  const row = emptyRow(job, platform, target.provider, `${runtimeName} ${target.provider}`);
  row.threads = target.threads;
  let session: OrtSession | null = null;
  try {
    const setupStart = now();
    const model = LinkNetModel.create(defaultModelConfig({ encoder: job.encoder }), MODEL_SEED);
    let bytes: Uint8Array;
    try {
      bytes = await exportLinkNetOnnx(model);
    } finally {
      model.dispose();
    }
    const options: Record<string, unknown> = { executionProviders: [target.provider], graphOptimizationLevel: 'all' };
    if (target.threads !== null && platform === 'node') options.intraOpNumThreads = target.threads;
    session = await target.ort.InferenceSession.create(bytes, options);
    const dims = [job.batch, 3, job.height, job.width];
    const input = new target.ort.Tensor('float32', benchInput(dims.reduce((a, b) => a * b, 1)), dims);
    row.setupMs = now() - setupStart;
    const active = session;
    await timeRuns(row, async () => {
      const out = await active.run({ [ONNX_INPUT_NAME]: input });
      const probs = out[ONNX_OUTPUT_NAME];
      if (!probs) throw new Error(`no "${ONNX_OUTPUT_NAME}" output`);
      probs.dispose?.();
    });
  } catch (e) {
    fail(row, e);
  } finally {
    await session?.release();
  }
  return row;
}
