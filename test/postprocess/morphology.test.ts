import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { morphologyCpu, morphologyPassCpu, morphologyPassReference } from '../../src/postprocess/morphologyCpu';
import { morphologyGpu } from '../../src/postprocess/morphologyGpu';
import { ITERATION_RANGE, KERNEL_SHAPES, KERNEL_SIZE_RANGE, kernelFootprint, MORPHOLOGY_OPS, morphologyPasses, type Morphology } from '../../src/postprocess/settings';
import { seededRandom } from '../../src/util/seededRandom';

function randomMask(width: number, height: number, density: number, seed: number): Uint8Array {
  const r = seededRandom(seed);
  return Uint8Array.from({ length: width * height }, () => (r() < density ? 1 : 0));
}

function onBackend(mask: Uint8Array, width: number, height: number, m: Morphology): Uint8Array {
  const out = tf.tidy(() => morphologyGpu(tf.tensor2d(Float32Array.from(mask), [height, width]), m));
  const values = out.dataSync();
  out.dispose();
  return Uint8Array.from(values, (v) => (v === 1 ? 1 : v === 0 ? 0 : 255));
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('morphology: tensor ops equal the CPU reference', () => {
  const width = 19;
  const height = 14;
  it('for every op, kernel size, shape and iteration count on random masks', () => {
    const before = tf.memory().numTensors;
    let cases = 0;
    let seed = 1;
    for (const op of MORPHOLOGY_OPS) {
      for (let size = KERNEL_SIZE_RANGE.min; size <= KERNEL_SIZE_RANGE.max; size++) {
        for (const shape of KERNEL_SHAPES) {
          for (let iterations = ITERATION_RANGE.min; iterations <= ITERATION_RANGE.max; iterations++) {
            // Sparse masks for erosion-first ops, dense for dilation-first, so results are not trivially empty/full.
            const density = op === 'erode' || op === 'open' ? 0.85 : op === 'none' ? 0.5 : 0.08;
            const mask = randomMask(width, height, density, seed++);
            const m: Morphology = { op, size, shape, iterations };
            const expected = morphologyCpu(mask, width, height, m);
            const got = onBackend(mask, width, height, m);
            const at = firstDiff(got, expected);
            if (at >= 0) throw new Error(`${JSON.stringify(m)}: first difference at pixel ${at} (got ${got[at]}, expected ${expected[at]})`);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(5 * 15 * 2 * 5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the reference and the fast CPU pass do what the definitions say on a single pixel', () => {
    const w = 9;
    const h = 9;
    const dot = new Uint8Array(w * h);
    dot[4 * w + 4] = 1;
    const square = morphologyCpu(dot, w, h, { op: 'dilate', size: 3, shape: 'square', iterations: 1 });
    expect(square.reduce((a, b) => a + b, 0)).toBe(9);
    const cross = morphologyCpu(dot, w, h, { op: 'dilate', size: 3, shape: 'cross', iterations: 2 });
    expect(cross.reduce((a, b) => a + b, 0)).toBe(13); // a diamond of radius 2
    expect(morphologyCpu(dot, w, h, { op: 'erode', size: 3, shape: 'square', iterations: 1 }).every((v) => v === 0)).toBe(true);
    expect(morphologyCpu(dot, w, h, { op: 'open', size: 3, shape: 'square', iterations: 1 }).every((v) => v === 0)).toBe(true);
    // A full image erodes at the border only (outside counts as 0).
    const full = new Uint8Array(w * h).fill(1);
    const eroded = morphologyCpu(full, w, h, { op: 'erode', size: 3, shape: 'square', iterations: 1 });
    expect(eroded.reduce((a, b) => a + b, 0)).toBe(7 * 7);
    expect(kernelFootprint(3, 'cross')).toEqual(Uint8Array.from([0, 1, 0, 1, 1, 1, 0, 1, 0]));
    const footprint = kernelFootprint(5, 'cross');
    expect(morphologyPassReference(dot, w, h, 5, footprint, 'dilate')).toEqual(morphologyPassCpu(dot, w, h, 5, footprint, 'dilate'));
  });
});

describe('morphology: the fast CPU pass equals the definition', () => {
  const passOps = ['dilate', 'erode'] as const;

  it('for every kernel size and shape, both ops, on random masks of several densities and sizes', () => {
    let cases = 0;
    let seed = 100;
    for (const [width, height] of [
      [23, 17],
      [1, 9],
      [9, 1],
      [4, 4],
      // Rows of several 32-pixel words: a partial last word, whole words, one pixel past a word.
      [70, 13],
      [64, 5],
      [33, 7],
    ] as const) {
      for (let size = KERNEL_SIZE_RANGE.min; size <= KERNEL_SIZE_RANGE.max; size++) {
        for (const shape of KERNEL_SHAPES) {
          const footprint = kernelFootprint(size, shape);
          for (const op of passOps) {
            for (const density of [0.05, 0.5, 0.95]) {
              const mask = randomMask(width, height, density, seed++);
              const expected = morphologyPassReference(mask, width, height, size, footprint, op);
              const got = morphologyPassCpu(mask, width, height, size, footprint, op);
              const at = firstDiff(got, expected);
              if (at >= 0) throw new Error(`${op} ${shape} ${size} on ${width}x${height} at density ${density}: first difference at pixel ${at} (got ${got[at]}, expected ${expected[at]})`);
              cases++;
            }
          }
        }
      }
    }
    expect(cases).toBe(7 * 15 * 2 * 2 * 3);
  });

  it('a footprint whose rows are not single runs (a ring) is handled too', () => {
    const ring = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    const checker = Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1]);
    for (const footprint of [ring, checker]) {
      for (const op of passOps) {
        const mask = randomMask(15, 12, op === 'dilate' ? 0.1 : 0.9, 7);
        expect(morphologyPassCpu(mask, 15, 12, 3, footprint, op)).toEqual(morphologyPassReference(mask, 15, 12, 3, footprint, op));
      }
    }
  });

  it('any non-zero byte counts as a set pixel, as in the definition (a 0/2 mask gives the 0/1 result)', () => {
    const [width, height] = [41, 9];
    const mask = randomMask(width, height, 0.3, 900);
    const bytes = mask.map((v) => v * 2);
    const footprint = kernelFootprint(3, 'square');
    for (const op of passOps) {
      const expected = morphologyPassReference(mask, width, height, 3, footprint, op);
      expect(morphologyPassReference(bytes, width, height, 3, footprint, op)).toEqual(expected);
      expect(morphologyPassCpu(bytes, width, height, 3, footprint, op)).toEqual(expected);
    }
  });

  it('whole morphologies (all passes on the packed mask) equal the definition pass after pass', () => {
    let seed = 500;
    for (const op of MORPHOLOGY_OPS) {
      for (const size of [1, 2, 3, 8, 15]) {
        for (const shape of KERNEL_SHAPES) {
          const m: Morphology = { op, size, shape, iterations: 3 };
          const [width, height] = [75, 21];
          const mask = randomMask(width, height, op === 'erode' || op === 'open' ? 0.9 : 0.1, seed++);
          const footprint = kernelFootprint(size, shape);
          let expected = mask;
          for (const pass of morphologyPasses(m)) expected = morphologyPassReference(expected, width, height, size, footprint, pass);
          expect(morphologyCpu(mask, width, height, m)).toEqual(expected);
        }
      }
    }
  });
});
