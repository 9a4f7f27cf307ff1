/**
 * The studio's Adam (one StudioAdamUpdate kernel per parameter) against TensorFlow.js's own
 * AdamOptimizer on the cpu backend: the same values to the bit, step after step, through a saved
 * and restored state, and with the kernel unregistered (the ops path other backends fall back to).
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdamOptimizer, type AdamSettings } from '../../src/training/adamOptimizer';
import {
  ADAM_UPDATE_KERNEL,
  adamUpdate,
  adamUpdateAttrs,
  adamUpdateKernelActive,
  adamUpdateLoop,
  adamUpdateOps,
  registerAdamUpdateCpu,
} from '../../src/training/adamUpdate';
import { seededRandom } from '../../src/util/seededRandom';

const SETTINGS: AdamSettings = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const SHAPES: number[][] = [[3, 3, 4, 5], [5], [1, 1, 5, 2], [7, 3]];
const STEPS = 4;

/** Values spread over several orders of magnitude (gradients are small and of both signs). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (rnd() - 0.5) * scale * 10 ** (-3 * rnd()));
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const makeVariables = (prefix: string) => SHAPES.map((shape, i) => tf.variable(tf.tensor(values(size(shape), 10 + i), shape), true, `${prefix}${i}_${Math.random()}`));
const gradientsOf = (step: number) => SHAPES.map((shape, i) => tf.tensor(values(size(shape), 100 * step + i, 0.1), shape));

async function read(vs: readonly tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(vs.map(async (v) => Float32Array.from(await v.data())));
}

function expectBitEqual(actual: Float32Array[], expected: Float32Array[], what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const diff = a.findIndex((x, j) => !Object.is(x, expected[i][j]));
    expect(diff, `${what} ${i}: first difference at ${diff}`).toBe(-1);
  });
}

/** Runs STEPS steps with TensorFlow.js's AdamOptimizer, returning the parameters after each. */
async function referenceRun(): Promise<Float32Array[][]> {
  const variables = makeVariables('ref');
  const adam = tf.train.adam(SETTINGS.learningRate, SETTINGS.beta1, SETTINGS.beta2, SETTINGS.epsilon);
  const after: Float32Array[][] = [];
  for (let step = 0; step < STEPS; step++) {
    const grads = gradientsOf(step);
    adam.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: grads[i] })));
    tf.dispose(grads);
    after.push(await read(variables));
  }
  adam.dispose();
  tf.dispose(variables);
  return after;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerAdamUpdateCpu();
});

afterEach(() => registerAdamUpdateCpu());

describe('StudioAdamUpdate', () => {
  it('the kernel, the float32 loop and the ops give the same bits, step after step', async () => {
    expect(adamUpdateKernelActive()).toBe(true);
    const shape = [6, 50];
    const n = size(shape);
    let kernelState = [tf.tensor(values(n, 1), shape), tf.zeros(shape), tf.zeros(shape)];
    let opsState = kernelState.map((t) => t.clone());
    let acc = [Math.fround(SETTINGS.beta1), Math.fround(SETTINGS.beta2)];
    for (let step = 0; step < STEPS; step++) {
      const grad = tf.tensor(values(n, 20 + step, 0.1), shape);
      const attrs = adamUpdateAttrs(SETTINGS, acc[0], acc[1]);
      const [param, m, v] = kernelState;
      const loopOut = { param: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
      adamUpdateLoop({ param: param.dataSync() as Float32Array, grad: grad.dataSync() as Float32Array, m: m.dataSync() as Float32Array, v: v.dataSync() as Float32Array }, loopOut, attrs);
      const nextKernel = adamUpdate({ param, grad, m, v }, attrs);
      const nextOps = adamUpdateOps({ param: opsState[0], grad, m: opsState[1], v: opsState[2] }, attrs);
      expectBitEqual(await read(nextKernel), await read(nextOps), `step ${step}, kernel vs ops`);
      expectBitEqual(await read(nextKernel), [loopOut.param, loopOut.m, loopOut.v], `step ${step}, kernel vs loop`);
      tf.dispose([...kernelState, ...opsState, grad]);
      kernelState = nextKernel;
      opsState = nextOps;
      acc = [Math.fround(acc[0] * Math.fround(SETTINGS.beta1)), Math.fround(acc[1] * Math.fround(SETTINGS.beta2))];
    }
    // The update moved the parameter by about the learning rate (Adam's step size), not by nothing.
    const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(kernelState[0], tf.tensor(values(n, 1), shape)))).dataSync()[0]);
    expect(moved).toBeGreaterThan(SETTINGS.learningRate);
    expect(moved).toBeLessThan(STEPS * SETTINGS.learningRate * 1.01);
    tf.dispose([...kernelState, ...opsState]);
  });

  it('rejects inputs of different shapes', () => {
    const attrs = adamUpdateAttrs(SETTINGS, SETTINGS.beta1, SETTINGS.beta2);
    const [p, g] = [tf.zeros([2, 3]), tf.zeros([3, 2])];
    expect(() => adamUpdate({ param: p, grad: g, m: p, v: p }, attrs)).toThrow(/shape \[3,2\] differs from the parameter's \[2,3\]/);
    tf.dispose([p, g]);
  });
});

describe('AdamOptimizer', () => {
  it("equals TensorFlow.js's AdamOptimizer to the bit, with the kernel and with the ops", async () => {
    const expected = await referenceRun();
    for (const kernel of [true, false]) {
      if (!kernel) tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'cpu');
      expect(adamUpdateKernelActive()).toBe(kernel);
      const variables = makeVariables('ours');
      const adam = new AdamOptimizer(SETTINGS);
      if (!kernel) tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'cpu'); // the constructor registers it
      for (let step = 0; step < STEPS; step++) {
        const grads = gradientsOf(step);
        adam.applyGradients(variables.map((variable, i) => ({ variable, gradient: grads[i] })));
        tf.dispose(grads);
        expectBitEqual(await read(variables), expected[step], `${kernel ? 'kernel' : 'ops'}, step ${step}, parameter`);
      }
      adam.dispose();
      tf.dispose(variables);
      registerAdamUpdateCpu();
    }
  });

  it('launches one update kernel per parameter and leaves no tensor behind', async () => {
    const variables = makeVariables('count');
    const adam = new AdamOptimizer(SETTINGS);
    const first = gradientsOf(0);
    adam.applyGradients(variables.map((variable, i) => ({ variable, gradient: first[i] })));
    tf.dispose(first);
    const grads = gradientsOf(1);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => adam.applyGradients(variables.map((variable, i) => ({ variable, gradient: grads[i] }))));
    expect(tf.memory().numTensors).toBe(before);
    expect(profile.kernels.map((k) => k.name)).toEqual(SHAPES.map(() => ADAM_UPDATE_KERNEL));
    tf.dispose(grads);
    adam.dispose();
    tf.dispose(variables);
  });

  it('a read state restored into a fresh optimiser continues exactly as the original does', async () => {
    const expected = await referenceRun();
    const variables = makeVariables('resume');
    const original = new AdamOptimizer(SETTINGS);
    for (let step = 0; step < 2; step++) {
      const grads = gradientsOf(step);
      original.applyGradients(variables.map((variable, i) => ({ variable, gradient: grads[i] })));
      tf.dispose(grads);
    }
    const state = await original.readState();
    expect(state.iterations).toBe(2);
    expect(state.moments).toHaveLength(2 * SHAPES.length);
    expect(state.shapes).toEqual([...SHAPES, ...SHAPES]);
    original.dispose();

    const resumed = new AdamOptimizer(SETTINGS);
    resumed.restoreState(state, variables);
    for (let step = 2; step < STEPS; step++) {
      const grads = gradientsOf(step);
      resumed.applyGradients(variables.map((variable, i) => ({ variable, gradient: grads[i] })));
      tf.dispose(grads);
      expectBitEqual(await read(variables), expected[step], `resumed, step ${step}`);
    }
    resumed.dispose();
    tf.dispose(variables);
  });

  it('says what is wrong with a state or gradients that do not fit, and keeps its moments', async () => {
    const variables = makeVariables('wrong');
    const adam = new AdamOptimizer(SETTINGS);
    const grads = gradientsOf(0);
    adam.applyGradients(variables.map((variable, i) => ({ variable, gradient: grads[i] })));
    const state = await adam.readState();

    expect(() => adam.restoreState({ ...state, moments: state.moments.slice(1) }, variables)).toThrow(/has 7 moments, the model needs 8/);
    const shapes = state.shapes.map((s, i) => (i === 1 ? [6] : s));
    expect(() => adam.restoreState({ ...state, shapes }, variables)).toThrow(/moment of shape \[6\] for .* which has shape \[5\]/);
    expect(() => adam.applyGradients(variables.slice(1).map((variable, i) => ({ variable, gradient: grads[i + 1] })))).toThrow(
      /3 gradients, but the optimiser holds moments for 4 parameters/,
    );
    const swapped = [variables[1], variables[0], ...variables.slice(2)];
    expect(() => adam.applyGradients(swapped.map((variable, i) => ({ variable, gradient: grads[i] })))).toThrow(/parameter 0 is .* moments are for /);
    expectBitEqual((await adam.readState()).moments, state.moments, 'moments after the refused calls');

    tf.dispose(grads);
    adam.dispose();
    tf.dispose(variables);
  });
});
