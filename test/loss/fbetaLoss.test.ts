import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultLossConfig,
  lossForClassCount,
  meanBinaryCrossEntropy,
  segmentationLoss,
  softFbetaPerClass,
  type LossConfig,
} from '../../src/loss/fbetaLoss';
import { parseSafetensors } from '../../src/weights/safetensors';
import { FIXTURES_DIR } from '../paths';

/** NCHW -> NHWC on plain arrays. */
function nchwToNhwc(src: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = src[((b * c + ch) * h + y) * w + x];
  return out;
}

interface Fixture {
  probs: tf.Tensor4D;
  target: tf.Tensor4D;
  shape: [number, number, number, number]; // NHWC
  fb: { bg: number; road: number; car: number };
  loss: number;
}

let fx: Fixture;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const st = parseSafetensors(new Uint8Array(readFileSync(resolve(FIXTURES_DIR, 'loss.safetensors'))));
  const nchw = st.entries.get('probs')!.shape;
  const shape: [number, number, number, number] = [nchw[0], nchw[2], nchw[3], nchw[1]];
  const one = (k: string) => st.readFloat32(k)[0];
  fx = {
    probs: tf.tensor4d(nchwToNhwc(st.readFloat32('probs'), nchw), shape, 'float32'),
    target: tf.tensor4d(nchwToNhwc(st.readFloat32('target'), nchw), shape, 'float32'),
    shape,
    fb: { bg: one('fb.bg'), road: one('fb.road'), car: one('fb.car') },
    loss: one('loss'),
  };
});

/** Plain-JS soft F-beta for one image and one class, the REFERENCE formula. */
function fbRef(p: number[], t: number[], beta: number, s = 1e-4): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    tp += p[i] * t[i];
    fp += p[i] * (1 - t[i]);
    fn += (1 - p[i]) * t[i];
  }
  const b2 = beta * beta;
  return ((1 + b2) * tp + s) / ((1 + b2) * tp + b2 * fn + fp + s);
}

describe('soft F-beta loss: parity with loss.safetensors', () => {
  it('per-class F-scores and the loss match PyTorch within 1e-5', () => {
    const cfg = defaultLossConfig();
    expect(cfg).toEqual({
      terms: [
        { beta: 1, weight: 1 },
        { beta: 0.5, weight: 1 },
        { beta: 2, weight: 1 },
      ],
      bceWeight: 0,
      smooth: 1e-4,
    });
    const parts = segmentationLoss(fx.probs, fx.target, cfg);
    const f = parts.perClass.dataSync();
    expect(parts.perClass.shape).toEqual([3]);
    expect(Math.abs(f[0] - fx.fb.bg)).toBeLessThan(1e-5);
    expect(Math.abs(f[1] - fx.fb.road)).toBeLessThan(1e-5);
    expect(Math.abs(f[2] - fx.fb.car)).toBeLessThan(1e-5);
    expect(parts.total.shape).toEqual([]);
    expect(Math.abs(parts.total.dataSync()[0] - fx.loss)).toBeLessThan(1e-5);
    expect(parts.bce).toBeNull();
    tf.dispose([parts.total, parts.perClass]);
  });

  it('softFbetaPerClass gives the same scores', () => {
    const f = softFbetaPerClass(fx.probs, fx.target, [1, 0.5, 2]);
    const v = f.dataSync();
    expect(Math.abs(v[0] - fx.fb.bg)).toBeLessThan(1e-5);
    expect(Math.abs(v[2] - fx.fb.car)).toBeLessThan(1e-5);
    f.dispose();
  });

  it('leaks no tensors: only the returned ones survive', () => {
    const before = tf.memory().numTensors;
    const parts = segmentationLoss(fx.probs, fx.target, { ...defaultLossConfig(), bceWeight: 0.3 });
    expect(tf.memory().numTensors - before).toBe(3);
    tf.dispose([parts.total, parts.perClass, parts.bce!]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('soft F-beta loss: behaviour', () => {
  it('has a finite, non-zero gradient w.r.t. probs', () => {
    const g = tf.grad((p: tf.Tensor) => segmentationLoss(p as tf.Tensor4D, fx.target, defaultLossConfig()).total)(fx.probs);
    const v = g.dataSync();
    expect(g.shape).toEqual(fx.probs.shape);
    let maxAbs = 0;
    for (const x of v) {
      expect(Number.isFinite(x)).toBe(true);
      maxAbs = Math.max(maxAbs, Math.abs(x));
    }
    expect(maxAbs).toBeGreaterThan(1e-6);
    g.dispose();
  });

  it('works inside optimizer.minimize and lowers the loss', () => {
    const [n, h, w, c] = fx.shape;
    const logits = tf.variable(tf.zeros([n, h, w, c], 'float32'));
    const opt = tf.train.adam(0.1);
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const l = opt.minimize(
        () => segmentationLoss(tf.softmax(logits) as tf.Tensor4D, fx.target, defaultLossConfig()).total,
        true,
      )!;
      losses.push(l.dataSync()[0]);
      l.dispose();
    }
    expect(losses[4]).toBeLessThan(losses[0] - 0.05);
    opt.dispose();
    logits.dispose();
  });

  it('an image without the class is weighted out', () => {
    // Fixture: image 2 has no car. Dropping it leaves the car score unchanged.
    const [n] = fx.shape;
    const keep = [...Array(n).keys()].filter((i) => i !== 2);
    const carSum = tf.sum(tf.gather(fx.target, [2]).slice([0, 0, 0, 2], [-1, -1, -1, 1]));
    expect(carSum.dataSync()[0]).toBe(0);
    const all = softFbetaPerClass(fx.probs, fx.target, [1, 0.5, 2]).dataSync();
    const sub = softFbetaPerClass(tf.gather(fx.probs, keep), tf.gather(fx.target, keep), [1, 0.5, 2]).dataSync();
    expect(Math.abs(all[2] - sub[2])).toBeLessThan(1e-6);

    // Synthetic: image 0 predicts its class perfectly; image 1 has no such pixel but many false positives.
    const p = tf.tensor4d([1, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 1]);
    const t = tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 0], [2, 2, 2, 1]);
    const f = softFbetaPerClass(p, t, [2]).dataSync()[0];
    expect(f).toBeGreaterThan(0.999);
    tf.dispose([carSum, p, t]);
  });

  it('matches the formula by hand and is not zero-loss for an imperfect prediction', () => {
    const pv = [0.9, 0.2, 0.6, 0.0, 0.3, 0.8];
    const tv = [1, 0, 1, 0, 0, 1];
    const p = tf.tensor4d(pv, [1, 2, 3, 1]);
    const t = tf.tensor4d(tv, [1, 2, 3, 1], 'float32');
    for (const beta of [0.5, 1, 2, 3]) {
      const f = softFbetaPerClass(p, t, [beta]).dataSync()[0];
      // one image with the class: score = Fb * 1 / (1 + s)
      expect(f).toBeCloseTo(fbRef(pv, tv, beta) / (1 + 1e-4), 6);
    }
    const loss = segmentationLoss(p, t, { terms: [{ beta: 2, weight: 1 }], bceWeight: 0, smooth: 1e-4 });
    const lv = loss.total.dataSync()[0];
    expect(lv).toBeGreaterThan(0.1);
    expect(lv).toBeCloseTo(1 - fbRef(pv, tv, 2) / (1 + 1e-4), 6);
    tf.dispose([p, t, loss.total, loss.perClass]);
  });

  it('is (almost) zero for a perfect prediction', () => {
    const l = segmentationLoss(fx.target, fx.target, defaultLossConfig());
    expect(l.total.dataSync()[0]).toBeLessThan(1e-3);
    expect(l.total.dataSync()[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([l.total, l.perClass]);
  });

  it('betas and class weights are configurable', () => {
    const f = segmentationLoss(fx.probs, fx.target, defaultLossConfig()).perClass.arraySync();
    const cfg: LossConfig = {
      terms: [
        { beta: 1, weight: 2 },
        { beta: 0.5, weight: 0 },
        { beta: 2, weight: 0.5 },
      ],
      bceWeight: 0,
      smooth: 1e-4,
    };
    const weighted = segmentationLoss(fx.probs, fx.target, cfg).total.dataSync()[0];
    expect(weighted).toBeCloseTo(2 * (1 - f[0]) + 0.5 * (1 - f[2]), 5);

    const betas = [1, 1, 1];
    const f1 = segmentationLoss(fx.probs, fx.target, {
      ...defaultLossConfig(),
      terms: betas.map((beta) => ({ beta, weight: 1 })),
    }).perClass.arraySync();
    expect(f1[0]).toBeCloseTo(f[0], 6); // background unchanged (beta 1 both times)
    expect(Math.abs(f1[1] - f[1])).toBeGreaterThan(1e-4);
    expect(Math.abs(f1[2] - f[2])).toBeGreaterThan(1e-4);

    expect(() => segmentationLoss(fx.probs, fx.target, { ...defaultLossConfig(), terms: [{ beta: 1, weight: 1 }] })).toThrow(
      /1 class terms given for 3 channels/,
    );
  });

  it('adds a clipped mean BCE term when bceWeight > 0', () => {
    const pv = [1, 0, 0.25, 0.5];
    const tv = [1, 1, 0, 1];
    const p = tf.tensor4d(pv, [1, 2, 2, 1]);
    const t = tf.tensor4d(tv, [1, 2, 2, 1]);
    const eps = 1e-7;
    let ref = 0;
    for (let i = 0; i < 4; i++) {
      const q = Math.min(Math.max(pv[i], eps), 1 - eps);
      ref -= tv[i] * Math.log(q) + (1 - tv[i]) * Math.log(1 - q);
    }
    ref /= 4;
    const bce = meanBinaryCrossEntropy(p, t).dataSync()[0];
    expect(Number.isFinite(bce)).toBe(true);
    expect(Math.abs(bce - ref) / ref).toBeLessThan(1e-3); // float32 clipping of 1 - 1e-7
    const cfg: LossConfig = { terms: [{ beta: 1, weight: 1 }], bceWeight: 0.5, smooth: 1e-4 };
    const parts = segmentationLoss(p, t, cfg);
    const noBce = segmentationLoss(p, t, { ...cfg, bceWeight: 0 });
    expect(parts.bce).not.toBeNull();
    expect(parts.bce!.dataSync()[0]).toBeCloseTo(bce, 6);
    expect(parts.total.dataSync()[0]).toBeCloseTo(noBce.total.dataSync()[0] + 0.5 * bce, 5);
    const g = tf.grad((x: tf.Tensor) => segmentationLoss(x as tf.Tensor4D, t, cfg).total)(p).dataSync();
    for (const x of g) expect(Number.isFinite(x)).toBe(true);
  });

  it('rejects int32 targets and mismatched shapes', () => {
    const p = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const ti = tf.zeros([1, 2, 2, 1], 'int32') as tf.Tensor4D;
    expect(() => softFbetaPerClass(p, ti, [1])).toThrow(/float32/);
    const t3 = tf.zeros([1, 2, 3, 1]) as tf.Tensor4D;
    expect(() => softFbetaPerClass(p, t3, [1])).toThrow(/differs/);
  });
});

describe('lossForClassCount', () => {
  it("keeps the terms of the scheme's classes, adds F1 terms for classes added and drops the rest", () => {
    const cfg = { ...defaultLossConfig(), bceWeight: 0.25 };
    expect(lossForClassCount(cfg, 3)).toBe(cfg);
    const four = lossForClassCount(cfg, 4);
    expect(four.terms).toEqual([...cfg.terms, { beta: 1, weight: 1 }]);
    expect([four.bceWeight, four.smooth]).toEqual([0.25, cfg.smooth]);
    expect(lossForClassCount(cfg, 2).terms).toEqual(cfg.terms.slice(0, 2));
    expect(cfg.terms).toHaveLength(3);
    expect(() => lossForClassCount(cfg, 0)).toThrow(/at least one class/);
  });
});
