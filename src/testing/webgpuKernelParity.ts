/**
 * Browser-side harness for the e2e test of the studio's WebGPU kernels (src/backend/webgpuKernels):
 * each convolution case's filter gradient, input gradient or transposed-convolution output is
 * computed through the public API (tf.grad of conv2d / conv2dTranspose, tf.conv2dTranspose), and
 * each softmax case with tf.softmax, each reduction case with tf.sum or tf.mean, each broadcast case
 * with tf.add, tf.sub or tf.mul, three steps of the studio's Adam (AdamOptimizer) over a few
 * parameters, and each training BatchNorm case's output, statistics and gradients
 * (batchNormTraining), on the CPU backend (the reference), on
 * WebGPU with the studio's kernels and on WebGPU with TensorFlow.js's own kernels; errors, tensor
 * counts and timings come back to the test.
 * Loaded through the Vite dev server; the app never imports it.
 */
import * as tf from '@tensorflow/tfjs';
import { isWebgpuKernelRegistered, registerWebgpuKernels, unregisterWebgpuKernels, WEBGPU_KERNEL_NAMES } from '../backend/webgpuKernels';
import { batchNormTraining } from '../model/batchNormTraining';
import { AdamOptimizer } from '../training/adamOptimizer';
import { seededRandom } from '../util/seededRandom';
import { alternatePairs, median } from './pairedTiming';

export interface GradCase {
  label: string;
  op: 'conv2d' | 'conv2dTranspose';
  /**
   * What is computed (default 'filterGradient', kernel Conv2DBackpropFilter): 'inputGradient', the
   * gradient of the op's input, and 'output', the op's result (both Conv2DBackpropInput for
   * conv2d / conv2dTranspose respectively).
   */
  compute?: 'filterGradient' | 'inputGradient' | 'output';
  /** x of conv2d, or the (smaller) input of conv2dTranspose: [b, h, w, c]. */
  input: [number, number, number, number];
  /** [kh, kw, inC, outC] for conv2d; [kh, kw, outC, inC] for conv2dTranspose (TensorFlow.js's layouts). */
  filter: [number, number, number, number];
  strides: number;
  pad: 'same' | 'valid' | number;
  /** conv2dTranspose only: its output shape [b, h, w, c]. */
  outputShape?: [number, number, number, number];
}

export interface GradCaseResult {
  label: string;
  /** max |ours - cpu| / max |cpu| and the same for the built-in kernel. */
  relativeError: number;
  builtinRelativeError: number;
  maxAbsReference: number;
  nonFinite: number;
  /** Tensors alive after the case minus before (0: nothing leaked). */
  leakedTensors: number;
}

export interface SoftmaxCase {
  label: string;
  shape: number[];
  /** Logits drawn from [-spread, spread]. */
  spread: number;
}

export interface ReduceCase {
  label: string;
  shape: number[];
  axis: number[];
  keepDims: boolean;
  mean: boolean;
}

export interface BroadcastCase {
  label: string;
  a: number[];
  b: number[];
  op: 'add' | 'sub' | 'mul';
}

export interface KernelTiming {
  label: string;
  oursMs: number;
  builtinMs: number;
  /** Median of builtin / ours over the pairs. */
  speedup: number;
}

export interface WebgpuKernelReport {
  backend: string;
  registeredAtStart: boolean;
  cases: GradCaseResult[];
  timings: KernelTiming[];
  softmax: GradCaseResult[];
  softmaxTiming: KernelTiming | null;
  /** Adam's parameters and moments after three steps (null when not asked for). */
  adam: GradCaseResult | null;
  reduce: GradCaseResult[];
  broadcast: GradCaseResult[];
  /** Per BatchNorm case, the worst of its parts (mean, variance, y, dx, dgamma, dbeta). */
  batchNorm: GradCaseResult[];
  /** The studio's programs that were compiled (so ran), by name, e.g. studioFilterGradTiled. */
  oursCompiled: string[];
  /** The built-in programs that were compiled (they ran for comparison), of conv2DDerFilter, conv2DDerInput and softmax. */
  builtinCompiled: string[];
}

function values(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** One case's result (see GradCase.compute) on the current backend, as plain numbers. */
async function convResult(c: GradCase, seed: number): Promise<Float32Array> {
  const x = tf.tensor4d(values(size(c.input), seed), c.input);
  const f = tf.tensor4d(values(size(c.filter), seed + 1), c.filter);
  const forward = (input: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D =>
    c.op === 'conv2d'
      ? tf.conv2d(input, filter, c.strides, c.pad)
      : tf.conv2dTranspose(input, filter, c.outputShape!, c.strides, c.pad as 'same' | 'valid');
  const outShape = tf.tidy(() => forward(x, f).shape);
  const dy = tf.tensor(values(size(outShape), seed + 2), outShape);
  const compute = c.compute ?? 'filterGradient';
  const result = tf.tidy(() => {
    if (compute === 'output') return forward(x, f);
    if (compute === 'inputGradient') return tf.grad((input: tf.Tensor) => forward(input as tf.Tensor4D, f).mul(dy).sum())(x);
    return tf.grad((filter: tf.Tensor) => forward(x, filter as tf.Tensor4D).mul(dy).sum())(f);
  });
  const data = (await result.data()) as Float32Array;
  tf.dispose([x, f, dy, result]);
  return data;
}

function compare(got: Float32Array, ref: Float32Array): { relative: number; maxRef: number; nonFinite: number } {
  let maxErr = 0;
  let maxRef = 0;
  let nonFinite = 0;
  if (got.length !== ref.length) return { relative: Infinity, maxRef: 0, nonFinite: 0 };
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(got[i])) nonFinite++;
    maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  return { relative: maxRef > 0 ? maxErr / maxRef : maxErr, maxRef, nonFinite };
}

async function softmaxResult(c: SoftmaxCase, seed: number): Promise<Float32Array> {
  const random = seededRandom(seed);
  const logits = tf.tensor(Float32Array.from({ length: size(c.shape) }, () => (random() * 2 - 1) * c.spread), c.shape);
  const probs = tf.softmax(logits);
  const data = (await probs.data()) as Float32Array;
  tf.dispose([logits, probs]);
  return data;
}

/**
 * Three steps of the studio's Adam over parameters of `shapes` (gradients shrinking by 10x per
 * parameter and step, so small values are covered too): the parameters, then the first and second
 * moments, end to end in one array.
 */
async function adamResult(shapes: number[][], seed: number): Promise<Float32Array> {
  const params = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(values(size(s), seed + i), s), true)));
  const adam = new AdamOptimizer({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  try {
    for (let step = 0; step < 3; step++) {
      const grads = shapes.map((s, i) => tf.tidy(() => tf.tensor(values(size(s), seed + 10 * (step + 1) + i), s).mul(10 ** -(step + i))));
      adam.applyGradients(params.map((variable, i) => ({ variable, gradient: grads[i] })));
      tf.dispose(grads);
    }
    const state = await adam.readState();
    const parts = [...(await Promise.all(params.map(async (p) => (await p.data()) as Float32Array))), ...state.moments];
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  } finally {
    adam.dispose();
    tf.dispose(params);
  }
}

async function reduceResult(c: ReduceCase, seed: number): Promise<Float32Array> {
  // Values in [0, 2): means near 1, so the reference is not close to zero.
  const x = tf.tensor(values(size(c.shape), seed).map((v) => v + 1), c.shape);
  const r = c.mean ? tf.mean(x, c.axis, c.keepDims) : tf.sum(x, c.axis, c.keepDims);
  const data = (await r.data()) as Float32Array;
  tf.dispose([x, r]);
  return data;
}

async function broadcastResult(c: BroadcastCase, seed: number): Promise<Float32Array> {
  const a = tf.tensor(values(size(c.a), seed), c.a);
  const b = tf.tensor(values(size(c.b), seed + 1), c.b);
  const r = tf[c.op](a, b);
  const data = (await r.data()) as Float32Array;
  tf.dispose([a, b, r]);
  return data;
}

/**
 * Training BatchNorm of an NHWC tensor (values around 3, so the mean matters) and a loss weighing
 * every output differently: mean, variance, y, then the gradients of x, gamma and beta.
 */
async function batchNormResult(shape: [number, number, number, number], seed: number): Promise<Float32Array[]> {
  const c = shape[3];
  const x = tf.tensor4d(values(size(shape), seed).map((v) => v * 2 + 3), shape);
  const gamma = tf.tensor1d(values(c, seed + 1).map((v) => v + 1.5));
  const beta = tf.tensor1d(values(c, seed + 2));
  const weights = tf.tensor4d(values(size(shape), seed + 3), shape);
  let forward: tf.Tensor[] = [];
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const r = batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
    forward = [r.mean, r.variance, tf.keep(r.y)];
    return tf.sum(tf.mul(tf.square(r.y), weights)) as tf.Scalar;
  })([x, gamma, beta]);
  const parts = await Promise.all([...forward, ...grads].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, gamma, beta, weights, value, ...forward, ...grads]);
  return parts;
}

/** compare() of each part; the worst relative error and the smallest reference magnitude. */
function compareParts(got: Float32Array[], ref: Float32Array[]): { relative: number; maxRef: number; nonFinite: number } {
  if (got.length !== ref.length) return { relative: Infinity, maxRef: 0, nonFinite: 0 };
  const each = got.map((g, i) => compare(g, ref[i]));
  return { relative: Math.max(...each.map((e) => e.relative)), maxRef: Math.min(...each.map((e) => e.maxRef)), nonFinite: each.reduce((n, e) => n + e.nonFinite, 0) };
}

/** The case on the CPU backend, then on WebGPU with our kernels and with the built-in ones. */
async function threeWays(label: string, run: () => Promise<Float32Array | Float32Array[]>): Promise<GradCaseResult> {
  const reference = await onBackend('cpu', run);
  const { ours, builtin, leaked } = await onBackend('webgpu', async () => {
    const before = tf.memory().numTensors;
    const oursResult = await run();
    const leakedTensors = tf.memory().numTensors - before;
    unregisterWebgpuKernels();
    try {
      return { ours: oursResult, builtin: await run(), leaked: leakedTensors };
    } finally {
      registerWebgpuKernels();
    }
  });
  const parts = (r: Float32Array | Float32Array[]): Float32Array[] => (Array.isArray(r) ? r : [r]);
  const o = compareParts(parts(ours), parts(reference));
  const b = compareParts(parts(builtin), parts(reference));
  return { label, relativeError: o.relative, builtinRelativeError: b.relative, maxAbsReference: o.maxRef, nonFinite: o.nonFinite, leakedTensors: leaked };
}

/** Softmax alone on a tensor already on the GPU, ours and the built-in alternating (see timePaired). */
async function timeSoftmax(c: SoftmaxCase, runs: number): Promise<KernelTiming> {
  const logits = tf.tensor(values(size(c.shape), 5), c.shape);
  try {
    return await timePaired(c.label, () => tf.softmax(logits), runs);
  } finally {
    logits.dispose();
  }
}

async function onBackend<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not initialise`);
  return run();
}


/**
 * `run` alone (its inputs already on the GPU, its result read back) with the studio's kernels and
 * with the built-in ones in alternation, so that a change in machine load hits both: after one
 * warm-up call of each (shader compilation), `runs` pairs; medians of each and of the per-pair ratio.
 */
async function timePaired(label: string, run: () => tf.Tensor, runs: number): Promise<KernelTiming> {
  const once = async (ours: boolean): Promise<number> => {
    if (ours) registerWebgpuKernels();
    else unregisterWebgpuKernels();
    try {
      const started = performance.now();
      const out = run();
      await out.data();
      out.dispose();
      return performance.now() - started;
    } finally {
      registerWebgpuKernels();
    }
  };
  const { ours, builtin } = await alternatePairs(once, runs);
  return { label, oursMs: median(ours), builtinMs: median(builtin), speedup: median(ours.map((o, i) => builtin[i] / o)) };
}

/**
 * The case's kernel alone (see timePaired): Conv2DBackpropFilter for a conv2d filter gradient,
 * Conv2DBackpropInput for a conv2d input gradient or a conv2dTranspose output.
 */
async function timeConvKernel(c: GradCase, runs: number): Promise<KernelTiming> {
  const compute = c.compute ?? 'filterGradient';
  if (c.op === 'conv2dTranspose' && compute === 'output') {
    // conv2dTranspose(x, filter) is Conv2DBackpropInput with dy = x and the output as the "input" shape.
    const dy = tf.tensor4d(values(size(c.input), 1), c.input);
    const filter = tf.tensor4d(values(size(c.filter), 2), c.filter);
    const attrs = { inputShape: c.outputShape!, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
    try {
      return await timePaired(c.label, () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor, runs);
    } finally {
      tf.dispose([dy, filter]);
    }
  }
  if (c.op !== 'conv2d' || compute === 'output') throw new Error(`${c.label}: not a timed case (${c.op}, ${compute})`);
  const x = tf.tensor4d(values(size(c.input), 1), c.input);
  const filter = tf.tensor4d(values(size(c.filter), 3), c.filter);
  const outShape = tf.tidy(() => tf.conv2d(x, filter, c.strides, c.pad).shape);
  const dy = tf.tensor4d(values(size(outShape), 2), outShape);
  try {
    if (compute === 'inputGradient') {
      const attrs = { inputShape: c.input, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
      return await timePaired(c.label, () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor, runs);
    }
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap;
    return await timePaired(c.label, () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor, runs);
  } finally {
    tf.dispose([x, filter, dy]);
  }
}

/** Shader keys the WebGPU backend has compiled (to see which kernel really ran). */
function compiledShaderKeys(): string[] {
  const cache = (tf.backend() as unknown as { pipelineCache?: Record<string, unknown> }).pipelineCache;
  return cache ? Object.keys(cache) : [];
}

/** The cases besides the convolutions (each list may be empty). */
export interface OtherKernelCases {
  softmaxCases: SoftmaxCase[];
  softmaxTimed: SoftmaxCase | null;
  adamShapes: number[][];
  reduceCases: ReduceCase[];
  broadcastCases: BroadcastCase[];
  batchNormShapes: Array<[number, number, number, number]>;
}

export async function runWebgpuKernelParity(cases: GradCase[], timed: GradCase[], runs: number, other: OtherKernelCases): Promise<WebgpuKernelReport> {
  const { softmaxCases, softmaxTimed, adamShapes, reduceCases, broadcastCases, batchNormShapes } = other;
  const registeredAtStart = WEBGPU_KERNEL_NAMES.every(isWebgpuKernelRegistered);
  registerWebgpuKernels();
  const results: GradCaseResult[] = [];
  for (const [i, c] of cases.entries()) results.push(await threeWays(c.label, () => convResult(c, 100 + i * 10)));
  const timings: KernelTiming[] = [];
  await tf.setBackend('webgpu');
  for (const c of timed) timings.push(await timeConvKernel(c, runs));
  const softmax: GradCaseResult[] = [];
  for (const [i, c] of softmaxCases.entries()) softmax.push(await threeWays(c.label, () => softmaxResult(c, 300 + i)));
  await tf.setBackend('webgpu');
  const softmaxTiming = softmaxTimed ? await timeSoftmax(softmaxTimed, runs) : null;
  const adam = adamShapes.length > 0 ? await threeWays(`adam: 3 steps, ${adamShapes.length} parameters`, () => adamResult(adamShapes, 500)) : null;
  const reduce: GradCaseResult[] = [];
  for (const [i, c] of reduceCases.entries()) reduce.push(await threeWays(c.label, () => reduceResult(c, 700 + i)));
  const broadcast: GradCaseResult[] = [];
  for (const [i, c] of broadcastCases.entries()) broadcast.push(await threeWays(c.label, () => broadcastResult(c, 800 + i)));
  const batchNorm: GradCaseResult[] = [];
  for (const [i, shape] of batchNormShapes.entries()) batchNorm.push(await threeWays(`batch norm ${shape.join('x')}`, () => batchNormResult(shape, 900 + i * 10)));
  await tf.setBackend('webgpu');
  const keys = compiledShaderKeys();
  return {
    backend: tf.getBackend(),
    registeredAtStart,
    cases: results,
    timings,
    softmax,
    softmaxTiming,
    adam,
    reduce,
    broadcast,
    batchNorm,
    oursCompiled: [...new Set(keys.filter((k) => k.startsWith('studio')).map((k) => k.split('_')[0]))].sort(),
    builtinCompiled: ['conv2DDerFilter', 'conv2DDerInput', 'softmax'].filter((name) => keys.some((k) => k.split('_')[0] === name)),
  };
}
