import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fbeta, finalChallengeScore, GraderAccumulator, precision, recall } from '../../src/metrics/grader';
import { parseSafetensors } from '../../src/weights/safetensors';
import { FIXTURES_DIR } from '../paths';

interface Frame {
  probs: Float32Array; // HWC, 3 channels
  car: Uint8Array;
  road: Uint8Array;
}

let frames: Frame[];
let expected: { fRoad: number; fCar: number; score: number; roadThr: number; carThr: number };

beforeAll(() => {
  const st = parseSafetensors(new Uint8Array(readFileSync(resolve(FIXTURES_DIR, 'loss.safetensors'))));
  const [n, c, h, w] = st.entries.get('probs')!.shape;
  const probs = st.readFloat32('probs');
  const target = st.readFloat32('target');
  const hw = h * w;
  frames = [];
  for (let b = 0; b < n; b++) {
    const p = new Float32Array(hw * c);
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < hw; i++) p[i * c + ch] = probs[(b * c + ch) * hw + i];
    const road = new Uint8Array(hw);
    const car = new Uint8Array(hw);
    for (let i = 0; i < hw; i++) {
      road[i] = target[(b * c + 1) * hw + i] > 0.5 ? 1 : 0;
      car[i] = target[(b * c + 2) * hw + i] > 0.5 ? 1 : 0;
    }
    frames.push({ probs: p, car, road });
  }
  const one = (k: string) => st.readFloat32(k)[0];
  expected = {
    fRoad: one('grader.f_road'),
    fCar: one('grader.f_car'),
    score: one('grader.score'),
    roadThr: one('grader.road_threshold'),
    carThr: one('grader.car_threshold'),
  };
});

function binarize(f: Frame, channel: number, thr: number): Uint8Array {
  const out = new Uint8Array(f.car.length);
  for (let i = 0; i < out.length; i++) out[i] = f.probs[i * 3 + channel] > thr ? 1 : 0;
  return out;
}

describe('grader: parity with loss.safetensors', () => {
  it('addProbabilities matches grader.f_road / f_car / score within 1e-5', () => {
    const g = new GraderAccumulator();
    for (const f of frames) {
      g.addProbabilities(f.probs, 3, 1, 2, { road: expected.roadThr, car: expected.carThr }, f);
    }
    const r = g.result();
    expect(r.frames).toBe(frames.length);
    expect(Math.abs(r.fRoad - expected.fRoad)).toBeLessThan(1e-5);
    expect(Math.abs(r.fCar - expected.fCar)).toBeLessThan(1e-5);
    expect(Math.abs(r.score - expected.score)).toBeLessThan(1e-5);
    expect(r.finalScore).toBeNull();
  });

  it('addMasks on the binarized masks gives identical counts', () => {
    const a = new GraderAccumulator();
    const b = new GraderAccumulator();
    for (const f of frames) {
      a.addProbabilities(f.probs, 3, 1, 2, { road: expected.roadThr, car: expected.carThr }, f);
      b.addMasks({ road: binarize(f, 1, expected.roadThr), car: binarize(f, 2, expected.carThr) }, f);
    }
    expect(b.counts()).toEqual(a.counts());
    expect(b.result()).toEqual(a.result());
  });

  it('frame-by-frame accumulation equals one shot over the concatenation (micro-average)', () => {
    const total = frames.length * frames[0].car.length;
    const cat = { probs: new Float32Array(total * 3), car: new Uint8Array(total), road: new Uint8Array(total) };
    frames.forEach((f, i) => {
      cat.probs.set(f.probs, i * f.probs.length);
      cat.car.set(f.car, i * f.car.length);
      cat.road.set(f.road, i * f.road.length);
    });
    const thr = { road: expected.roadThr, car: expected.carThr };
    const perFrame = new GraderAccumulator();
    const meanOfFrames: number[] = [];
    for (const f of frames) {
      perFrame.addProbabilities(f.probs, 3, 1, 2, thr, f);
      const single = new GraderAccumulator();
      single.addProbabilities(f.probs, 3, 1, 2, thr, f);
      meanOfFrames.push(single.result().score);
    }
    const oneShot = new GraderAccumulator();
    oneShot.addProbabilities(cat.probs, 3, 1, 2, thr, cat);
    expect(perFrame.counts()).toEqual(oneShot.counts());
    expect(perFrame.result().score).toBe(oneShot.result().score);
    const mean = meanOfFrames.reduce((s, x) => s + x, 0) / meanOfFrames.length;
    expect(Math.abs(mean - oneShot.result().score)).toBeGreaterThan(1e-6); // not a mean of frames
  });
});

describe('grader: hand-computed cases', () => {
  it('fbeta, precision and recall', () => {
    const c = { tp: 6, fp: 2, fn: 4 }; // P = 0.75, R = 0.6
    expect(precision(c)).toBe(0.75);
    expect(recall(c)).toBe(0.6);
    expect(fbeta(c, 1)).toBeCloseTo((2 * 0.75 * 0.6) / (0.75 + 0.6), 12);
    expect(fbeta(c, 0.5)).toBeCloseTo((1.25 * 0.75 * 0.6) / (0.25 * 0.75 + 0.6), 12);
    expect(fbeta(c, 2)).toBeCloseTo((5 * 0.75 * 0.6) / (4 * 0.75 + 0.6), 12);
  });

  it('edge cases: 0/0 -> 0', () => {
    expect(fbeta({ tp: 0, fp: 0, fn: 0 }, 2)).toBe(0); // nothing predicted, nothing true
    expect(fbeta({ tp: 0, fp: 5, fn: 0 }, 2)).toBe(0); // no truth
    expect(fbeta({ tp: 0, fp: 0, fn: 5 }, 0.5)).toBe(0); // no prediction
    expect(fbeta({ tp: 3, fp: 0, fn: 0 }, 0.5)).toBe(1);
    expect(precision({ tp: 0, fp: 0, fn: 3 })).toBe(0);
    expect(recall({ tp: 0, fp: 3, fn: 0 })).toBe(0);
  });

  it('two small frames accumulate by counts', () => {
    const g = new GraderAccumulator();
    // frame 1: road pred 1100 truth 1010 -> tp1 fp1 fn1; car pred 0001 truth 0011 -> tp1 fn1
    g.addMasks(
      { road: new Uint8Array([1, 1, 0, 0]), car: new Uint8Array([0, 0, 0, 1]) },
      { road: new Uint8Array([1, 0, 1, 0]), car: new Uint8Array([0, 0, 1, 1]) },
    );
    // frame 2 (255 counts as 1): road tp2; car fp1
    g.addMasks(
      { road: new Uint8Array([255, 1, 0]), car: new Uint8Array([0, 0, 1]) },
      { road: new Uint8Array([1, 1, 0]), car: new Uint8Array([0, 0, 0]) },
    );
    expect(g.counts()).toEqual({ road: { tp: 3, fp: 1, fn: 1 }, car: { tp: 1, fp: 1, fn: 1 } });
    const r = g.result(8);
    const fRoad = (1.25 * 0.75 * 0.75) / (0.25 * 0.75 + 0.75); // 0.75
    const fCar = (5 * 0.5 * 0.5) / (4 * 0.5 + 0.5); // 0.5
    expect(r.fRoad).toBeCloseTo(fRoad, 12);
    expect(r.fCar).toBeCloseTo(fCar, 12);
    expect(r.score).toBeCloseTo(0.625, 12);
    expect(r.precisionRoad).toBe(0.75);
    expect(r.recallCar).toBe(0.5);
    expect(r.frames).toBe(2);
    expect(r.finalScore).toBeCloseTo(62.5 - 2, 10);
  });

  it('final score: 100*score - max(0, 10 - fps)', () => {
    expect(finalChallengeScore(0.9217, 20.8)).toBeCloseTo(92.17, 10);
    expect(finalChallengeScore(0.9, 7.5)).toBeCloseTo(87.5, 10);
    expect(finalChallengeScore(0.9, 10)).toBeCloseTo(90, 10);
    const g = new GraderAccumulator();
    g.addMasks({ road: new Uint8Array([1]), car: new Uint8Array([1]) }, { road: new Uint8Array([1]), car: new Uint8Array([1]) });
    expect(g.result(30).finalScore).toBe(100);
    expect(g.result(4).finalScore).toBe(94);
  });

  it('thresholds are strict (prob > threshold) and betas are configurable', () => {
    const probs = new Float32Array([0.2, 0.5, 0.3, 0.1, 0.9, 0.0]); // 2 pixels x 3 channels
    const g = new GraderAccumulator({ roadBeta: 1, carBeta: 1 });
    g.addProbabilities(probs, 3, 1, 2, { road: 0.5, car: 0.25 }, { road: new Uint8Array([1, 1]), car: new Uint8Array([1, 0]) });
    // road: pixel0 0.5 > 0.5 false, pixel1 0.9 true -> tp1 fn1; car: 0.3 > 0.25 -> tp1
    expect(g.counts()).toEqual({ road: { tp: 1, fp: 0, fn: 1 }, car: { tp: 1, fp: 0, fn: 0 } });
    expect(g.result().fRoad).toBeCloseTo(2 / 3, 12);
    g.reset();
    expect(g.counts()).toEqual({ road: { tp: 0, fp: 0, fn: 0 }, car: { tp: 0, fp: 0, fn: 0 } });
    expect(() => new GraderAccumulator({ carBeta: 0 })).toThrow(RangeError);
  });

  it('rejects mismatched lengths', () => {
    const g = new GraderAccumulator();
    const a = new Uint8Array(4);
    expect(() => g.addMasks({ road: a, car: a }, { road: a, car: new Uint8Array(5) })).toThrow(/lengths differ/);
    expect(() => g.addProbabilities(new Float32Array(11), 3, 1, 2, { road: 0.5, car: 0.5 }, { road: a, car: a })).toThrow(
      RangeError,
    );
    expect(() => g.addProbabilities(new Float32Array(12), 3, 1, 3, { road: 0.5, car: 0.5 }, { road: a, car: a })).toThrow(
      /out of range/,
    );
  });

  it('is fast enough: an 800x600 frame in a few ms', () => {
    const n = 800 * 600;
    const probs = new Float32Array(n * 3);
    for (let i = 0; i < probs.length; i++) probs[i] = (i * 2654435761) % 1000 / 1000;
    const truth = { road: new Uint8Array(n).map((_, i) => i & 1), car: new Uint8Array(n).map((_, i) => (i >> 3) & 1) };
    const g = new GraderAccumulator();
    for (let i = 0; i < 3; i++) g.addProbabilities(probs, 3, 1, 2, { road: 0.6, car: 0.3 }, truth); // warm up
    const t0 = performance.now();
    const reps = 10;
    for (let i = 0; i < reps; i++) g.addProbabilities(probs, 3, 1, 2, { road: 0.6, car: 0.3 }, truth);
    const ms = (performance.now() - t0) / reps;
    expect(ms).toBeLessThan(50); // generous on a shared 2-core machine; typically ~2 ms
  });
});
