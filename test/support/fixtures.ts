/** Loading the PyTorch-made fixtures of ../shared/fixtures into TensorFlow.js form. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, type ParsedSafetensors } from '../../src/weights/safetensors';
import { nchwToNhwc } from '../../src/weights/pytorchLayout';
import { FIXTURES_DIR } from '../paths';

const cache = new Map<string, ParsedSafetensors>();

export function fixture(file: string): ParsedSafetensors {
  let parsed = cache.get(file);
  if (!parsed) {
    parsed = parseSafetensors(new Uint8Array(readFileSync(resolve(FIXTURES_DIR, file))));
    cache.set(file, parsed);
  }
  return parsed;
}

export function fixtureShape(file: string, name: string): number[] {
  const entry = fixture(file).entries.get(name);
  if (!entry) throw new Error(`fixture ${file} has no tensor ${name}`);
  return entry.shape;
}

/** An NCHW fixture activation as an NHWC tensor. */
export function nhwcFixture(file: string, name: string): tf.Tensor4D {
  const shape = fixtureShape(file, name);
  const [n, c, h, w] = shape;
  return tf.tensor4d(nchwToNhwc(fixture(file).readFloat32(name), shape), [n, h, w, c]);
}

/** Max |a-b| / max|b| (relative to the reference tensor's magnitude). */
export function relativeMaxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  const rel = maxDiff / (maxRef || 1);
  return Number.isNaN(rel) ? Infinity : rel;
}

export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
  return Number.isNaN(maxDiff) ? Infinity : maxDiff;
}
