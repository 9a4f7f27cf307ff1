/**
 * Browser-side harness for the e2e fixture tests: runs the PyTorch-made LinkNet34 forward fixture
 * on whatever TensorFlow.js backend the page selected and measures the errors. Loaded by the e2e
 * tests through the Vite dev server (`await import('/src/testing/fixtureParity.ts')`); the app
 * itself never imports it.
 */
import * as tf from '@tensorflow/tfjs';
import { LinkNetModel } from '../model/linkNetModel';
import { readSafetensorsModel } from '../weights/modelFile';
import { parseSafetensors, type ParsedSafetensors } from '../weights/safetensors';
import { nchwToNhwc, nhwcToNchw } from '../weights/pytorchLayout';

export const FORWARD_KEYS = ['e1', 'e2', 'e3', 'e4', 'd4', 'd3', 'd2', 'd1', 'logits', 'probs'] as const;
export type ForwardKey = (typeof FORWARD_KEYS)[number];

export interface TensorError {
  /** Shape produced by the model, NHWC. */
  shape: number[];
  /** The fixture's shape converted to NHWC. */
  expectedShape: number[];
  /** max |a - b| */
  maxAbs: number;
  /** max |b| of the reference */
  maxRef: number;
  /** maxAbs / maxRef */
  relative: number;
  /** Count of non-finite values the model produced. */
  nonFinite: number;
}

export interface ForwardParityResult {
  backendBefore: string;
  backendAfter: string;
  /** Seconds: fetch + parse + upload of the weights. */
  loadSeconds: number;
  /** Seconds: the forward pass including shader compilation and reading every output back. */
  forwardSeconds: number;
  errors: Record<ForwardKey, TensorError>;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

function compare(actual: Float32Array, expected: Float32Array, shape: number[], expectedShape: number[]): TensorError {
  let maxAbs = 0;
  let maxRef = 0;
  let nonFinite = 0;
  const sameShape = shape.length === expectedShape.length && shape.every((d, i) => d === expectedShape[i]);
  if (!sameShape || actual.length !== expected.length) {
    return { shape, expectedShape, maxAbs: Infinity, maxRef: 0, relative: Infinity, nonFinite: 0 };
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    if (!Number.isFinite(a)) nonFinite++;
    const d = Math.abs(a - expected[i]);
    // NaN must count as a failure, and Math.max(NaN, x) is NaN: map it to Infinity.
    maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return { shape, expectedShape, maxAbs, maxRef, relative: maxAbs / (maxRef || 1), nonFinite };
}

function nhwcShapeOf(file: ParsedSafetensors, name: string): number[] {
  const entry = file.entries.get(name);
  if (!entry) throw new Error(`forward fixture has no tensor ${name}`);
  const [n, c, h, w] = entry.shape;
  return [n, h, w, c];
}

/**
 * Builds LinkNet34 from `weightsUrl`, runs `<prefix>.input` of `forwardUrl` through it once in eval
 * mode on the current backend and compares every output with the fixture (in NCHW, as stored).
 * Throws if the backend is not `expectedBackend`, so a silent fallback cannot pass.
 */
export async function runForwardParity(weightsUrl: string, forwardUrl: string, expectedBackend: string, prefix = '64x96'): Promise<ForwardParityResult> {
  await tf.ready();
  const backendBefore = tf.getBackend();
  if (backendBefore !== expectedBackend) throw new Error(`backend is ${backendBefore}, expected ${expectedBackend}`);

  const t0 = performance.now();
  const [weightBytes, forwardBytes] = await Promise.all([fetchBytes(weightsUrl), fetchBytes(forwardUrl)]);
  const loaded = readSafetensorsModel(weightBytes);
  const fixture = parseSafetensors(forwardBytes);
  const model = LinkNetModel.fromTorchWeights(loaded.config, loaded.weights);
  const inputName = `${prefix}.input`;
  const inputShape = nhwcShapeOf(fixture, inputName);
  const input = tf.tensor4d(nchwToNhwc(fixture.readFloat32(inputName), fixture.entries.get(inputName)!.shape), inputShape as [number, number, number, number], 'float32');
  const loadSeconds = (performance.now() - t0) / 1000;

  const errors = {} as Record<ForwardKey, TensorError>;
  let forwardSeconds = 0;
  try {
    const t1 = performance.now();
    const result = model.forward(input);
    const data: Partial<Record<ForwardKey, Float32Array>> = {};
    try {
      for (const key of FORWARD_KEYS) data[key] = (await result[key].data()) as Float32Array;
    } finally {
      tf.dispose(Object.values(result));
    }
    forwardSeconds = (performance.now() - t1) / 1000;
    for (const key of FORWARD_KEYS) {
      const name = `${prefix}.${key}`;
      const expectedShape = nhwcShapeOf(fixture, name);
      const shape = result[key].shape as number[];
      const actual = shape.length === 4 ? nhwcToNchw(data[key]!, shape) : data[key]!;
      errors[key] = compare(actual, fixture.readFloat32(name), shape, expectedShape);
    }
  } finally {
    input.dispose();
    model.dispose();
  }
  return { backendBefore, backendAfter: tf.getBackend(), loadSeconds, forwardSeconds, errors };
}
