import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRng } from '../../src/data/split';
import {
  applyAugmentation,
  augmentBatch,
  augmentConfigProblems,
  defaultAugmentConfig,
  describeParams,
  noAugmentConfig,
  sampleAugmentParams,
  type AugmentConfig,
  type ImageAugmentParams,
} from '../../src/training/augment';

const H = 4;
const W = 5;

/** [n, H, W, 3] filled with one value. */
const constant = (n: number, v: number) => tf.fill([n, H, W, 3], v, 'float32') as tf.Tensor4D;
const none: ImageAugmentParams = { gamma: null, brightness: null, color: null, flip: false };

/** Only one op, always applied. */
function only(op: 'gamma' | 'brightness' | 'color'): AugmentConfig {
  const c = defaultAugmentConfig();
  for (const k of ['gamma', 'brightness', 'color'] as const) c[k].probability = k === op ? 1 : 0;
  return c;
}

/** Per image and channel, the single value of a constant-per-channel image. */
function channelValues(t: tf.Tensor4D): number[][] {
  const [n, h, w, c] = t.shape;
  const d = t.dataSync();
  return Array.from({ length: n }, (_, i) => Array.from({ length: c }, (_, ch) => d[i * h * w * c + ch]));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  tf.disposeVariables();
});

describe('augmentation parameters', () => {
  it('same seed -> same params; another seed -> different', () => {
    const cfg = defaultAugmentConfig();
    const a = sampleAugmentParams(cfg, 16, createSeededRng(5));
    expect(sampleAugmentParams(cfg, 16, createSeededRng(5))).toEqual(a);
    expect(sampleAugmentParams(cfg, 16, createSeededRng(6))).not.toEqual(a);
  });

  it('each op applies with probability ~0.5, independently (statistical bound)', () => {
    const n = 10000;
    const params = sampleAugmentParams(defaultAugmentConfig(), n, createSeededRng(1234));
    const counts = { gamma: 0, brightness: 0, color: 0, both: 0, flip: 0 };
    for (const p of params) {
      if (p.gamma !== null) counts.gamma++;
      if (p.brightness !== null) counts.brightness++;
      if (p.color !== null) counts.color++;
      if (p.gamma !== null && p.brightness !== null) counts.both++;
      if (p.flip) counts.flip++;
    }
    // Binomial(10000, 0.5): sd 50; 5 sd = 250. Both: p = 0.25, sd 43.
    for (const k of ['gamma', 'brightness', 'color'] as const) expect(Math.abs(counts[k] - n / 2)).toBeLessThan(250);
    expect(Math.abs(counts.both - n / 4)).toBeLessThan(220);
    expect(counts.flip).toBe(0); // flip is off by default
    const flipping = defaultAugmentConfig();
    flipping.flip.probability = 0.5;
    const flips = sampleAugmentParams(flipping, n, createSeededRng(9)).filter((p) => p.flip).length;
    expect(Math.abs(flips - n / 2)).toBeLessThan(250);
  });

  it('drawn factors lie in the configured ranges', () => {
    const cfg = defaultAugmentConfig();
    const params = sampleAugmentParams(cfg, 2000, createSeededRng(3));
    const g = params.flatMap((p) => (p.gamma === null ? [] : [p.gamma]));
    const b = params.flatMap((p) => (p.brightness === null ? [] : [p.brightness]));
    const c = params.flatMap((p) => p.color ?? []);
    for (const [v, lo, hi] of [[g, 0.65, 1.35], [b, 0.5, 2.0], [c, 0.75, 1.25]] as const) {
      expect(Math.min(...v)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...v)).toBeLessThanOrEqual(hi);
      expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(0.9 * (hi - lo)); // the range is used
    }
  });

  it('rejects bad configs', () => {
    const bad = defaultAugmentConfig();
    bad.gamma.probability = 1.5;
    bad.brightness.min = 3;
    bad.color.min = 0;
    expect(augmentConfigProblems(bad)).toHaveLength(3);
    expect(() => sampleAugmentParams(bad, 1, Math.random)).toThrow(RangeError);
    expect(augmentConfigProblems(noAugmentConfig())).toEqual([]);
  });
});

describe('applyAugmentation (CPU backend)', () => {
  it('gamma: the exponent recovered from a constant image is the drawn one, inside 0.65..1.35', () => {
    const n = 64;
    const params = sampleAugmentParams(only('gamma'), n, createSeededRng(11));
    const x = constant(n, 0.5);
    const { images } = applyAugmentation(x, null, params);
    channelValues(images).forEach((chs, i) => {
      for (const v of chs) {
        const exponent = Math.log(v) / Math.log(0.5);
        expect(exponent).toBeCloseTo(params[i].gamma!, 4);
        expect(exponent).toBeGreaterThanOrEqual(0.65 - 1e-5);
        expect(exponent).toBeLessThanOrEqual(1.35 + 1e-5);
      }
    });
    tf.dispose([x, images]);
  });

  it('brightness and colour: the factor recovered per image and channel is the drawn one, inside its range', () => {
    const n = 64;
    const x = constant(n, 0.4); // 0.4 * 2.0 = 0.8: no clamping
    const pb = sampleAugmentParams(only('brightness'), n, createSeededRng(12));
    const b = applyAugmentation(x, null, pb).images;
    channelValues(b).forEach((chs, i) => {
      expect(new Set(chs.map((v) => v.toFixed(6))).size).toBe(1); // one factor for all channels
      const f = chs[0] / 0.4;
      expect(f).toBeCloseTo(pb[i].brightness!, 5);
      expect(f).toBeGreaterThanOrEqual(0.5 - 1e-6);
      expect(f).toBeLessThanOrEqual(2.0 + 1e-6);
    });
    const pc = sampleAugmentParams(only('color'), n, createSeededRng(13));
    const c = applyAugmentation(x, null, pc).images;
    let distinct = 0;
    channelValues(c).forEach((chs, i) => {
      chs.forEach((v, ch) => {
        const f = v / 0.4;
        expect(f).toBeCloseTo(pc[i].color![ch], 5);
        expect(f).toBeGreaterThanOrEqual(0.75 - 1e-6);
        expect(f).toBeLessThanOrEqual(1.25 + 1e-6);
      });
      if (new Set(chs.map((v) => v.toFixed(6))).size === 3) distinct++;
    });
    expect(distinct).toBe(n); // one multiplier per channel
    tf.dispose([x, b, c]);
  });

  it('images without an op are unchanged; ops combine in order gamma -> brightness * colour', () => {
    const x = constant(2, 0.5);
    const p: ImageAugmentParams[] = [none, { gamma: 2, brightness: 1.5, color: [1, 0.8, 1.2], flip: false }];
    const out = applyAugmentation(x, null, p).images;
    const v = channelValues(out);
    expect(v[0]).toEqual([0.5, 0.5, 0.5]);
    v[1].forEach((got, ch) => expect(got).toBeCloseTo(0.25 * 1.5 * [1, 0.8, 1.2][ch], 6));
    tf.dispose([x, out]);
  });

  it('clamps the result to [0, 1]', () => {
    const x = tf.tensor4d(Float32Array.from({ length: 2 * H * W * 3 }, (_, i) => (i % 11) / 10), [2, H, W, 3]);
    const p: ImageAugmentParams[] = [
      { gamma: null, brightness: 2, color: [1.25, 1.25, 1.25], flip: false },
      { gamma: 0.65, brightness: 0.5, color: null, flip: false },
    ];
    const out = applyAugmentation(x, null, p).images;
    const d = out.dataSync();
    expect(Math.max(...d)).toBe(1);
    expect(Math.min(...d)).toBe(0);
    expect(d.every((v) => v >= 0 && v <= 1)).toBe(true);
    tf.dispose([x, out]);
  });

  it('colour ops never touch the target', () => {
    const n = 8;
    const x = constant(n, 0.3);
    const t = tf.tensor4d(Float32Array.from({ length: n * H * W * 3 }, (_, i) => (i * 7) % 2), [n, H, W, 3]);
    const cfg = defaultAugmentConfig();
    for (const k of ['gamma', 'brightness', 'color'] as const) cfg[k].probability = 1;
    const r = augmentBatch(x, t, cfg, createSeededRng(21));
    expect(Array.from(r.targets!.dataSync())).toEqual(Array.from(t.dataSync()));
    expect(Array.from(r.images.dataSync())).not.toEqual(Array.from(x.dataSync()));
    expect(r.params).toHaveLength(n);
    tf.dispose([x, t, r.images, r.targets!]);
  });

  it('flip mirrors image and target together, only for the images drawn to flip', () => {
    // Image i, pixel (y, x), channel c = i*1000 + y*100 + x*10 + c (scaled to [0, 1]); target the same.
    const n = 3;
    const vals = new Float32Array(n * H * W * 3);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) vals[((i * H + y) * W + x) * 3 + c] = (i * 1000 + y * 100 + x * 10 + c) / 4000;
    const img = tf.tensor4d(vals, [n, H, W, 3]);
    const target3 = tf.tensor3d(Float32Array.from({ length: n * H * W }, (_, k) => k % W), [n, H, W]); // class maps: column index
    const p: ImageAugmentParams[] = [{ ...none, flip: true }, none, { ...none, flip: true }];
    const r = applyAugmentation(img, target3, p);
    const out = r.images.dataSync();
    const tOut = r.targets!.dataSync();
    for (let i = 0; i < n; i++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const sx = p[i].flip ? W - 1 - x : x;
          for (let c = 0; c < 3; c++) expect(out[((i * H + y) * W + x) * 3 + c]).toBe(vals[((i * H + y) * W + sx) * 3 + c]);
          expect(tOut[(i * H + y) * W + x]).toBe(sx);
        }
    // All flipped, and a 4-D target.
    const t4 = tf.tensor4d(vals, [n, H, W, 3]);
    const all = applyAugmentation(img, t4, p.map(() => ({ ...none, flip: true })));
    expect(Array.from(all.images.dataSync())).toEqual(Array.from(all.targets!.dataSync()));
    expect(all.images.dataSync()[0]).toBe(vals[(W - 1) * 3]);
    tf.dispose([img, target3, t4, r.images, r.targets!, all.images, all.targets!]);
  });

  it('returns new tensors and leaks none; rejects mismatched inputs', () => {
    const x = constant(2, 0.5);
    const before = tf.memory().numTensors;
    const same = applyAugmentation(x, null, [none, none]);
    expect(same.images).not.toBe(x);
    expect(Array.from(same.images.dataSync())).toEqual(Array.from(x.dataSync()));
    same.images.dispose();
    const r = augmentBatch(x, null, defaultAugmentConfig(), createSeededRng(1));
    r.images.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => applyAugmentation(x, null, [none])).toThrow(/1 parameter sets for a batch of 2/);
    const intTarget = tf.zeros([2, H, W], 'int32');
    expect(() => applyAugmentation(x, intTarget, [none, none])).toThrow(/float32/);
    const wrongTarget = tf.zeros([2, H, W + 1, 3]);
    expect(() => applyAugmentation(x, wrongTarget, [none, none])).toThrow(/do not match/);
    tf.dispose([x, intTarget, wrongTarget]);
  });

  it('describes a draw for logs', () => {
    expect(describeParams(none)).toBe('none');
    expect(describeParams({ gamma: 0.8, brightness: 1.25, color: [1, 0.9, 1.1], flip: true })).toBe('gamma 0.80, brightness 1.25, colour 1.00/0.90/1.10, flip');
  });
});
