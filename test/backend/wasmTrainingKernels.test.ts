/**
 * The wasm training kernels against TensorFlow.js's CPU backend: each kernel on LinkNet's
 * shape/stride/padding combinations and a few odd ones, and a small LinkNet-like network's full
 * gradients and one Adam step. Tolerance: max |wasm - cpu| <= 1e-4 * max |cpu|.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv2dFilterGradWasm,
  conv2dInputGradWasm,
  isWasmTrainingKernelRegistered,
  registerWasmTrainingKernels,
  replacedBuiltinKernel,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNEL_NAMES,
} from '../../src/backend/wasmTraining';
import { useWasmBackendInNode, wasmBackendInfo } from '../../src/backend/wasmTraining/nodeWasm';
import { convGeometry } from '../../src/backend/wasmTraining/wasmKernelUtils';
import { AdamOptimizer } from '../../src/training/adamOptimizer';
import { ADAM_UPDATE_KERNEL } from '../../src/training/adamUpdate';
import { seededRandom } from '../../src/util/seededRandom';

const TOLERANCE = 1e-4;

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
const pad = (p: number): Pad => [[0, 0], [p, p], [p, p], [0, 0]];

function randomValues(shape: number[], seed: number, offset = -0.5): Float32Array {
  const rnd = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rnd() + offset;
  return out;
}

/** max |a - b| / max |ref|. */
function relError(actual: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(actual.length).toBe(ref.length);
  let err = 0;
  let mag = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - ref[i]));
    mag = Math.max(mag, Math.abs(ref[i]));
  }
  return mag === 0 ? err : err / mag;
}

/** Runs `f` with `backend` active and returns the values of the tensor it makes. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = f();
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

/** Calls one of our core functions on the wasm backend and returns its values. */
async function direct(f: (backend: BackendWasm) => tf.TensorInfo): Promise<Float32Array> {
  await tf.setBackend('wasm');
  const t = tf.engine().makeTensorFromTensorInfo(f(tf.backend() as BackendWasm));
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

// LinkNet's convolutions (plus the transposed conv's geometry), then odd ones.
const CONV_CASES: ConvCase[] = [
  { name: 'firstconv 7x7/2 pad 3', x: [2, 20, 22, 3], filter: [7, 7, 3, 8], strides: 2, pad: pad(3) },
  { name: '3x3/1 pad 1, 64 channels', x: [2, 9, 10, 64], filter: [3, 3, 64, 64], strides: 1, pad: pad(1) },
  { name: '3x3/2 pad 1', x: [2, 9, 11, 5], filter: [3, 3, 5, 8], strides: 2, pad: pad(1) },
  { name: '3x3/2 pad 1, even size', x: [2, 12, 16, 8], filter: [3, 3, 8, 16], strides: 2, pad: pad(1) },
  { name: '1x1/1 (decoder conv1/conv3)', x: [2, 7, 9, 64], filter: [1, 1, 64, 16], strides: 1, pad: 0 },
  { name: '1x1/2 (downsample)', x: [2, 9, 10, 5], filter: [1, 1, 5, 8], strides: 2, pad: 0 },
  { name: '2x2/1 pad 1 (finalconv3)', x: [2, 7, 9, 32], filter: [2, 2, 32, 3], strides: 1, pad: pad(1) },
  { name: '3x3/1 valid (finalconv2)', x: [2, 11, 13, 8], filter: [3, 3, 8, 8], strides: 1, pad: 'valid' },
  { name: 'deconv 3x3/2 valid geometry', x: [2, 13, 17, 5], filter: [3, 3, 5, 4], strides: 2, pad: 'valid' },
  { name: 'odd: batch 1, 3x2 kernel, strides [1,2], same', x: [1, 12, 13, 3], filter: [3, 2, 3, 5], strides: [1, 2], pad: 'same' },
  { name: 'odd: strides [2,1], asymmetric explicit pad', x: [2, 10, 7, 5], filter: [3, 3, 5, 3], strides: [2, 1], pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { name: 'odd: stride 3 same', x: [2, 11, 10, 3], filter: [3, 3, 3, 5], strides: 3, pad: 'same' },
];

function convOutShape(c: ConvCase): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape);
}

beforeAll(async () => {
  // The fact this module exists for: the wasm backend has no Conv2DBackpropFilter of its own.
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  await useWasmBackendInNode();
});

describe('registration', () => {
  it('registers every training kernel once, idempotently', async () => {
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(isWasmTrainingKernelRegistered(name)).toBe(true);
    expect(registerWasmTrainingKernels()).toEqual([]);
    const info = await wasmBackendInfo();
    expect(info.backend).toBe('wasm');
    expect(info.trainingKernels.sort()).toEqual([...WASM_TRAINING_KERNEL_NAMES].sort());
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it('unregisters and restores the built-ins, then registers again', () => {
    expect(unregisterWasmTrainingKernels().sort()).toEqual([...WASM_TRAINING_KERNEL_NAMES].sort());
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBeDefined();
    expect(isWasmTrainingKernelRegistered('MaxPoolGrad')).toBe(false);
    expect(registerWasmTrainingKernels({ replaceBuiltins: false })).toEqual(['Conv2DBackpropFilter']);
    expect(registerWasmTrainingKernels().sort()).toEqual(['Conv2DBackpropInput', 'MaxPoolGrad']);
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(isWasmTrainingKernelRegistered(name)).toBe(true);
  });

  it("the built-in MaxPoolGrad loses gradient in padded windows with max <= 0; ours does not", async () => {
    await tf.setBackend('wasm');
    const builtin = replacedBuiltinKernel('MaxPoolGrad');
    expect(builtin).not.toBeNull();
    const total = (kernel: tf.KernelFunc) => {
      const x = tf.fill([1, 4, 4, 1], -1);
      const y = tf.fill([1, 2, 2, 1], -1);
      const dy = tf.ones([1, 2, 2, 1]);
      const dx = tf.engine().makeTensorFromTensorInfo(
        kernel({ inputs: { dy, input: x, output: y }, backend: tf.backend(), attrs: { filterSize: 3, strides: 2, pad: pad(1) } }) as tf.TensorInfo,
      );
      const sum = tf.tidy(() => dx.sum().dataSync()[0]);
      tf.dispose([x, y, dy, dx]);
      return sum;
    };
    expect(total(tf.getKernel('MaxPoolGrad', 'wasm')!.kernelFunc)).toBe(4); // one unit of gradient per output
    expect(total(builtin!)).not.toBe(4);
  });
});

describe('the tolerance catches mistakes', () => {
  it('a transposed filter gradient or a single wrong value exceeds it', async () => {
    const c = CONV_CASES[9]; // non-square kernel
    const xv = randomValues(c.x, 1);
    const dyShape = convOutShape(c);
    const dyv = randomValues(dyShape, 2);
    const ref = await on('cpu', () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter }) as tf.Tensor,
    );
    const [kh, kw, ci, co] = c.filter;
    const swapCiCo = await on('cpu', () => tf.tensor(ref, c.filter).transpose([0, 1, 3, 2]).reshape([kh, kw, ci, co]));
    const flipTaps = await on('cpu', () => tf.reverse(tf.tensor(ref, c.filter), [0, 1]));
    const nudged = Float32Array.from(ref);
    nudged[7] += 3 * TOLERANCE * Math.max(...ref.map(Math.abs));
    expect(relError(swapCiCo, ref)).toBeGreaterThan(TOLERANCE);
    expect(relError(flipTaps, ref)).toBeGreaterThan(TOLERANCE);
    expect(relError(nudged, ref)).toBeGreaterThan(TOLERANCE);
    expect(relError(ref, ref)).toBe(0);
  });
});

describe('Conv2DBackpropFilter (missing in tfjs-backend-wasm 4.22)', () => {
  for (const [i, c] of CONV_CASES.entries()) {
    it(c.name, async () => {
      const dyShape = convOutShape(c);
      const xv = randomValues(c.x, 10 + i);
      const dyv = randomValues(dyShape, 100 + i);
      const run = () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, dyShape) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter }) as tf.Tensor;
      const ref = await on('cpu', run);
      const got = await on('wasm', run);
      expect(relError(got, ref)).toBeLessThan(TOLERANCE);
    });
  }

  it('handles dilations (core function; tfjs itself only asks for 1)', async () => {
    const dilationCases: [number | [number, number], Pad][] = [[[2, 3], 'same'], [2, 'valid']];
    for (const [dilations, p] of dilationCases) {
      const xs: [number, number, number, number] = [2, 12, 13, 3];
      const fs: [number, number, number, number] = [3, 2, 3, 5];
      const x = randomValues(xs, 6);
      const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, 1, p, 'NHWC', dilations).shape);
      const dy = randomValues(dyShape, 7);
      // CPU's conv2d gradient refuses dilations, so the reference is the defining sum, in plain JS.
      const g = convGeometry('test', xs, fs, 1, dilations, p, undefined, 'NHWC');
      const ref = new Float64Array(fs[0] * fs[1] * fs[2] * fs[3]);
      const [, oh, ow, co] = dyShape;
      for (let b = 0; b < xs[0]; b++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++)
            for (let kh = 0; kh < fs[0]; kh++)
              for (let kw = 0; kw < fs[1]; kw++) {
                const r = i + kh * g.dilationH - g.padTop;
                const c = j + kw * g.dilationW - g.padLeft;
                if (r < 0 || r >= xs[1] || c < 0 || c >= xs[2]) continue;
                for (let ci = 0; ci < fs[2]; ci++)
                  for (let o = 0; o < co; o++)
                    ref[((kh * fs[1] + kw) * fs[2] + ci) * co + o] += x[((b * xs[1] + r) * xs[2] + c) * xs[3] + ci] * dy[((b * oh + i) * ow + j) * co + o];
              }
      const got = await direct((b) => {
        const xt = tf.tensor(x, xs);
        const dyt = tf.tensor(dy, dyShape);
        const out = conv2dFilterGradWasm(b, xt, dyt, g);
        tf.dispose([xt, dyt]);
        return out;
      });
      expect(relError(got, ref)).toBeLessThan(TOLERANCE);
    }
  });
});

describe('Conv2DBackpropInput (replaces the slow built-in)', () => {
  for (const [i, c] of CONV_CASES.entries()) {
    it(c.name, async () => {
      const dyShape = convOutShape(c);
      const wv = randomValues(c.filter, 20 + i);
      const dyv = randomValues(dyShape, 200 + i);
      const run = () =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, c.filter) }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as tf.Tensor;
      const ref = await on('cpu', run);
      // The registered kernel (small cases may go to the built-in) and our implementation itself.
      const got = await on('wasm', run);
      const g = convGeometry('test', c.x, c.filter, c.strides, 1, c.pad, undefined, 'NHWC');
      const ours = await direct((b) => {
        const dy = tf.tensor(dyv, dyShape);
        const w = tf.tensor(wv, c.filter);
        const out = conv2dInputGradWasm(b, dy, w, g);
        tf.dispose([dy, w]);
        return out;
      });
      expect(relError(got, ref)).toBeLessThan(TOLERANCE);
      expect(relError(ours, ref)).toBeLessThan(TOLERANCE);
    });
  }

  it('conv2dTranspose 3x3 stride 2 valid + slice, as LinkNet decoders use it', async () => {
    const x = randomValues([2, 8, 10, 16], 31);
    const w = randomValues([3, 3, 16, 16], 32);
    const run = () => {
      const y = tf.conv2dTranspose(tf.tensor4d(x, [2, 8, 10, 16]), tf.tensor4d(w, [3, 3, 16, 16]), [2, 17, 21, 16], 2, 'valid');
      return tf.slice(y, [0, 1, 1, 0], [2, 16, 20, 16]);
    };
    expect(relError(await on('wasm', run), await on('cpu', run))).toBeLessThan(TOLERANCE);
  });
});

describe('MaxPoolGrad (replaces the built-in, which is wrong on padded windows with max <= 0)', () => {
  const cases: { name: string; shape: [number, number, number, number]; k: number | [number, number]; s: number | [number, number]; p: Pad; values: (n: number, seed: number) => Float32Array }[] = [
    { name: '3x3/2 pad 1 after ReLU (ties at zero)', shape: [2, 12, 14, 5], k: 3, s: 2, p: pad(1), values: (n, seed) => randomValues([n], seed, -0.7).map((v) => Math.max(v, 0)) },
    { name: '3x3/2 pad 1, negative values', shape: [2, 9, 11, 3], k: 3, s: 2, p: pad(1), values: (n, seed) => randomValues([n], seed, -1.2) },
    { name: '3x3/2 pad 1, constant input', shape: [1, 8, 8, 2], k: 3, s: 2, p: pad(1), values: (n) => new Float32Array(n).fill(-1) },
    { name: '3x3/2 pad 1, 64 channels', shape: [2, 10, 12, 64], k: 3, s: 2, p: pad(1), values: (n, seed) => randomValues([n], seed) },
    { name: 'odd: 2x3 window, strides [1,2], same', shape: [2, 7, 9, 5], k: [2, 3], s: [1, 2], p: 'same', values: (n, seed) => randomValues([n], seed) },
    { name: 'odd: 2x2/2 valid', shape: [1, 9, 8, 3], k: 2, s: 2, p: 'valid', values: (n, seed) => randomValues([n], seed) },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const xv = c.values(n, 40 + i);
      const outShape = tf.tidy(() => tf.maxPool(tf.zeros(c.shape) as tf.Tensor4D, c.k, c.s, c.p).shape);
      const dyv = randomValues(outShape, 50 + i, 0.1);
      const run = () => tf.grad((x: tf.Tensor) => tf.mul(tf.maxPool(x as tf.Tensor4D, c.k, c.s, c.p), tf.tensor(dyv, outShape)))(tf.tensor4d(xv, c.shape));
      expect(relError(await on('wasm', run), await on('cpu', run))).toBeLessThan(TOLERANCE);
    });
  }
});

describe('Adam on wasm: the TF.js ops (SIMD, cheap launches beat a one-pass JS loop there)', () => {
  const shapes = [[3, 3, 64, 64], [64], [2, 2, 32, 3]];

  /** Three Adam steps of the studio's optimiser; the parameters and moments after them. */
  async function adamOn(backend: 'cpu' | 'wasm'): Promise<{ values: Float32Array[]; kernels: string[] }> {
    await tf.setBackend(backend);
    const vars = shapes.map((s, i) => tf.variable(tf.tensor(randomValues(s, 80 + i), s), true, `adam_${backend}_${i}`));
    const adam = new AdamOptimizer({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    let kernels: string[] = [];
    for (let step = 0; step < 3; step++) {
      const grads = shapes.map((s, i) => tf.tensor(randomValues(s, 90 + 10 * step + i), s));
      const profile = await tf.profile(() => adam.applyGradients(vars.map((variable, i) => ({ variable, gradient: grads[i] }))));
      kernels = profile.kernels.map((k) => k.name);
      tf.dispose(grads);
    }
    const state = await adam.readState();
    const values = [...(await Promise.all(vars.map(async (v) => Float32Array.from(await v.data())))), ...state.moments];
    adam.dispose();
    tf.dispose(vars);
    return { values, kernels };
  }

  it('runs the ops path, not the studio kernel, and follows the CPU backend over three steps', async () => {
    const cpu = await adamOn('cpu');
    const wasm = await adamOn('wasm');
    expect(cpu.kernels).toEqual(shapes.map(() => ADAM_UPDATE_KERNEL));
    expect(wasm.kernels).not.toContain(ADAM_UPDATE_KERNEL);
    expect(wasm.kernels.length).toBeGreaterThan(shapes.length * 10);
    expect(wasm.values).toHaveLength(cpu.values.length);
    wasm.values.forEach((v, i) => expect(relError(v, cpu.values[i]), `array ${i}`).toBeLessThan(1e-5));
  });
});

describe('a small LinkNet-like network: gradients and Adam on wasm match the CPU backend', () => {
  const shapes: Record<string, number[]> = {
    first: [7, 7, 3, 8], b1: [3, 3, 8, 8], b2: [3, 3, 8, 8], down: [3, 3, 8, 16], ds: [1, 1, 8, 16], up: [3, 3, 16, 16],
    c1: [1, 1, 16, 8], c1b: [8], deconv: [3, 3, 8, 8], dcb: [8], fin: [2, 2, 8, 3], finb: [3], g: [8], beta: [8],
  };
  const input = randomValues([2, 32, 24, 3], 60, 0);
  const targetShape: [number, number, number, number] = [2, 16, 12, 3];
  const target = (() => {
    const rnd = seededRandom(61);
    const t = new Float32Array(2 * 16 * 12 * 3);
    for (let p = 0; p < 2 * 16 * 12; p++) t[p * 3 + Math.floor(rnd() * 3)] = 1;
    return t;
  })();

  function net(v: Record<string, tf.Variable>, x: tf.Tensor4D): tf.Tensor4D {
    const bn = (y: tf.Tensor4D) => {
      const mean = tf.mean(y, [0, 1, 2]);
      const centered = tf.sub(y, mean);
      const variance = tf.mean(tf.square(centered), [0, 1, 2]);
      return tf.add(tf.mul(centered, tf.mul(v.g, tf.rsqrt(tf.add(variance, 1e-5)))), v.beta) as tf.Tensor4D;
    };
    const conv = (y: tf.Tensor4D, w: string, s: number, p: Pad) => tf.conv2d(y, v[w] as tf.Tensor4D, s, p);
    let y = tf.relu(bn(conv(x, 'first', 2, pad(3))));
    y = tf.maxPool(y, 3, 2, pad(1));
    const r = tf.relu(bn(conv(y, 'b1', 1, pad(1))));
    y = tf.relu(tf.add(tf.div(conv(r, 'b2', 1, pad(1)), tf.sqrt(tf.add(tf.mean(tf.square(r)), 1))), y)) as tf.Tensor4D;
    const e = tf.relu(tf.add(conv(y, 'down', 2, pad(1)), conv(y, 'ds', 2, 0)));
    let d = tf.relu(tf.add(conv(e as tf.Tensor4D, 'c1', 1, 0), v.c1b)) as tf.Tensor4D;
    const [n, h, w] = d.shape;
    d = tf.conv2dTranspose(d, v.deconv as tf.Tensor4D, [n, 2 * h + 1, 2 * w + 1, 8], 2, 'valid');
    d = tf.relu(tf.add(tf.slice(d, [0, 1, 1, 0], [n, 2 * h, 2 * w, 8]), v.dcb)) as tf.Tensor4D;
    d = tf.add(d, y);
    d = tf.conv2dTranspose(d, v.up.slice([0, 0, 0, 0], [3, 3, 8, 8]) as tf.Tensor4D, [n, 4 * h + 1, 4 * w + 1, 8], 2, 'valid');
    d = tf.relu(tf.slice(d, [0, 0, 0, 0], [n, 4 * h, 4 * w, 8]));
    return tf.slice(tf.add(conv(d, 'fin', 1, pad(1)), v.finb), [0, 0, 0, 0], [n, 4 * h, 4 * w, 3]) as tf.Tensor4D;
  }

  function loss(logits: tf.Tensor4D, t: tf.Tensor4D): tf.Scalar {
    const p = tf.softmax(logits);
    const q = tf.sigmoid(logits);
    const tp = tf.sum(tf.mul(p, t), [1, 2]);
    const fp = tf.sum(tf.mul(p, tf.sub(1, t)), [1, 2]);
    const fn = tf.sum(tf.mul(tf.sub(1, p), t), [1, 2]);
    const f = tf.div(tf.add(tf.mul(tp, 5), 1e-4), tf.add(tf.add(tf.add(tf.mul(tp, 5), tf.mul(fn, 4)), fp), 1e-4));
    const score = tf.clipByValue(tf.div(tf.sum(f, 0), 2 + 1e-4), 0, 1);
    return tf.add(tf.sum(tf.sub(1, score)), tf.mul(tf.mean(q), 0.1)) as tf.Scalar;
  }

  async function trainOn(backend: 'cpu' | 'wasm'): Promise<{ loss: number; grads: Record<string, Float32Array>; updated: Record<string, Float32Array> }> {
    await tf.setBackend(backend);
    const vars: Record<string, tf.Variable> = {};
    let seed = 70;
    for (const [k, s] of Object.entries(shapes)) {
      const values = k === 'g' ? new Float32Array(s[0]).fill(1) : randomValues(s, seed++).map((u) => u * (k.endsWith('b') || k === 'beta' ? 0.2 : 0.5));
      vars[k] = tf.variable(tf.tensor(values, s), true, `${backend}_${k}`);
    }
    const x = tf.tensor4d(input, [2, 32, 24, 3]);
    const t = tf.tensor4d(target, targetShape);
    const { value, grads } = tf.variableGrads(() => loss(net(vars, x), t), Object.values(vars));
    const out = { loss: (await value.data())[0], grads: {} as Record<string, Float32Array>, updated: {} as Record<string, Float32Array> };
    for (const [k, v] of Object.entries(vars)) out.grads[k] = (await grads[v.name].data()) as Float32Array;
    const adam = tf.train.adam(0.01);
    adam.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    for (const [k, v] of Object.entries(vars)) out.updated[k] = (await v.data()) as Float32Array;
    tf.dispose([value, x, t, ...Object.values(grads), ...Object.values(vars)]);
    adam.dispose();
    return out;
  }

  it('variableGrads within 1e-4, then one Adam step', async () => {
    const cpu = await trainOn('cpu');
    const wasm = await trainOn('wasm');
    expect(cpu.loss).toBeGreaterThan(0.01);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(cpu.loss)));
    for (const k of Object.keys(shapes)) {
      const mag = Math.max(...cpu.grads[k].map(Math.abs));
      expect(mag, `gradient of ${k} is zero`).toBeGreaterThan(0);
      expect(relError(wasm.grads[k], cpu.grads[k]), `gradient of ${k}`).toBeLessThan(TOLERANCE);
      expect(relError(wasm.updated[k], cpu.updated[k]), `Adam-updated ${k}`).toBeLessThan(TOLERANCE);
    }
  });
});
