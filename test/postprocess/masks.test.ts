import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelInFrame, probabilitiesToMasks, probabilitiesToMasksCpu, splitMaskValues, type CropPlacement } from '../../src/postprocess/masks';
import { NEUTRAL_SETTINGS, ORIGINAL_SETTINGS, type PostprocessSettings } from '../../src/postprocess/settings';
import { seededRandom } from '../../src/util/seededRandom';

const placement: CropPlacement = { frameWidth: 24, frameHeight: 20, cropTop: 4, cropBottom: 16 };
const rows = placement.cropBottom - placement.cropTop;
const channels = { car: 2, road: 1 };

/** Random softmax-like probabilities over 3 classes, with values spread over many decades. */
function randomProbs(seed: number): Float32Array {
  const r = seededRandom(seed);
  const out = new Float32Array(rows * placement.frameWidth * 3);
  for (let i = 0; i < rows * placement.frameWidth; i++) {
    const logits = [r() * 12 - 6, r() * 40 - 12, r() * 24 - 12];
    const e = logits.map(Math.exp);
    const s = e[0] + e[1] + e[2];
    for (let k = 0; k < 3; k++) out[i * 3 + k] = e[k] / s;
  }
  return out;
}

function hoodMask(): Uint8Array {
  const h = new Uint8Array(placement.frameWidth * placement.frameHeight);
  for (let y = 13; y < placement.frameHeight; y++) for (let x = y === 13 ? 8 : 0; x < (y === 13 ? 16 : placement.frameWidth); x++) h[y * placement.frameWidth + x] = 1;
  return h;
}

function onBackend(probs: Float32Array, settings: PostprocessSettings, hood: Uint8Array | null) {
  const { frameWidth: w, frameHeight: h } = placement;
  const out = tf.tidy(() => {
    const t = tf.tensor3d(probs, [rows, w, 3]);
    const hoodT = hood ? tf.tensor2d(Float32Array.from(hood), [h, w]) : null;
    return probabilitiesToMasks(t, channels, placement, settings, hoodT);
  });
  const values = out.dataSync();
  out.dispose();
  return splitMaskValues(values, w * h);
}

const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('probabilities to masks', () => {
  it('tensor ops equal the CPU reference (thresholds, morphology, hood)', () => {
    const hood = hoodMask();
    const variants: PostprocessSettings[] = [
      NEUTRAL_SETTINGS,
      ORIGINAL_SETTINGS,
      { ...ORIGINAL_SETTINGS, hood: false },
      {
        car: { threshold: 0.01, morphology: { op: 'close', size: 4, shape: 'cross', iterations: 2 } },
        road: { threshold: 0.75, morphology: { op: 'open', size: 2, shape: 'square', iterations: 1 } },
        hood: true,
      },
    ];
    variants.forEach((settings, k) => {
      const probs = randomProbs(10 + k);
      const cpu = probabilitiesToMasksCpu(probs, 3, channels, placement, settings, hood);
      const gpu = onBackend(probs, settings, hood);
      expect(gpu.car).toEqual(cpu.car);
      expect(gpu.road).toEqual(cpu.road);
      expect(count(cpu.car)).toBeGreaterThan(0);
      expect(count(cpu.road)).toBeGreaterThan(0);
    });
  });

  it('lowering a threshold never removes a pixel (monotone), with and without morphology', () => {
    const probs = randomProbs(3);
    const thresholds = [0.9, 0.5, 0.1, 1e-2, 1e-3, 1e-5];
    for (const morphology of [NEUTRAL_SETTINGS.car.morphology, ORIGINAL_SETTINGS.car.morphology]) {
      let prev: Uint8Array | null = null;
      const counts: number[] = [];
      for (const t of thresholds) {
        const s: PostprocessSettings = { ...NEUTRAL_SETTINGS, car: { threshold: t, morphology } };
        const { car } = onBackend(probs, s, null);
        if (prev) for (let i = 0; i < car.length; i++) if (prev[i]) expect(car[i]).toBe(1);
        prev = car;
        counts.push(count(car));
      }
      expect(counts[counts.length - 1]).toBeGreaterThan(counts[0]);
    }
  });

  it('removes the hood from both masks and only when asked; nothing outside the crop without morphology', () => {
    const hood = hoodMask();
    const probs = new Float32Array(rows * placement.frameWidth * 3).fill(1 / 3);
    const low: PostprocessSettings = { ...NEUTRAL_SETTINGS, car: { ...NEUTRAL_SETTINGS.car, threshold: 0.1 }, road: { ...NEUTRAL_SETTINGS.road, threshold: 0.1 } };
    const on = onBackend(probs, low, hood);
    const off = onBackend(probs, { ...low, hood: false }, hood);
    const w = placement.frameWidth;
    for (let i = 0; i < hood.length; i++) {
      const y = Math.floor(i / w);
      const inCrop = y >= placement.cropTop && y < placement.cropBottom;
      expect(off.car[i]).toBe(inCrop ? 1 : 0);
      expect(on.car[i]).toBe(inCrop && !hood[i] ? 1 : 0);
      expect(on.road[i]).toBe(inCrop && !hood[i] ? 1 : 0);
    }
    expect(count(off.car) - count(on.car)).toBeGreaterThan(0);
  });

  it('refuses probabilities that do not fit the crop', () => {
    expect(() => probabilitiesToMasksCpu(new Float32Array(10), 3, channels, placement, NEUTRAL_SETTINGS, null)).toThrow(/probabilities/);
  });

  it('places one channel of the crop in a zero frame (the heat view), as padding the slice on the backend does', () => {
    const { frameWidth: w, frameHeight: h, cropTop, cropBottom } = placement;
    const probs = randomProbs(11);
    for (const channel of [0, 1, 2]) {
      const expected = tf.tidy(() =>
        tf
          .pad(tf.slice(tf.tensor3d(probs, [rows, w, 3]), [0, 0, channel], [rows, w, 1]).reshape([rows, w]), [
            [cropTop, h - cropBottom],
            [0, 0],
          ])
          .dataSync(),
      );
      expect(channelInFrame(probs, 3, channel, placement)).toEqual(expected);
    }
    expect(channelInFrame(probs, 3, 2, placement)[cropTop * w + 5]).toBe(probs[5 * 3 + 2]);
    expect(() => channelInFrame(probs, 3, 3, placement)).toThrow(/channel 3/);
    expect(() => channelInFrame(new Float32Array(10), 3, 0, placement)).toThrow(/probabilities/);
  });
});
