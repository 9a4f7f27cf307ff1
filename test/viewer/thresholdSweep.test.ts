import { describe, expect, it } from 'vitest';
import { fbeta, GraderAccumulator } from '../../src/metrics/grader';
import { probabilitiesToMasksCpu, type CropPlacement } from '../../src/postprocess/masks';
import { NO_MORPHOLOGY, type Morphology, type PostprocessSettings } from '../../src/postprocess/settings';
import { seededRandom } from '../../src/util/seededRandom';
import { defaultCandidates, sliderGrid, ThresholdSweep, type SweepOptions } from '../../src/viewer/thresholdSweep';
import { SLIDER_STEPS, sliderToThreshold } from '../../src/viewer/thresholdScale';

const placement: CropPlacement = { frameWidth: 20, frameHeight: 16, cropTop: 3, cropBottom: 12 };
const rows = placement.cropBottom - placement.cropTop;
const pixels = placement.frameWidth * placement.frameHeight;
const channels = { car: 2, road: 1 };

interface Frame {
  probs: Float32Array;
  truth: { car: Uint8Array; road: Uint8Array };
}

/** Softmax-like probabilities spread over many decades (some exactly on grid thresholds), truth correlated with them. */
function randomFrame(seed: number, grid: { car: number[]; road: number[] }): Frame {
  const r = seededRandom(seed);
  const probs = new Float32Array(rows * placement.frameWidth * 3);
  for (let i = 0; i < rows * placement.frameWidth; i++) {
    const logits = [r() * 12 - 6, r() * 30 - 12, r() * 24 - 14];
    const e = logits.map(Math.exp);
    const s = e[0]! + e[1]! + e[2]!;
    for (let k = 0; k < 3; k++) probs[i * 3 + k] = e[k]! / s;
    if (r() < 0.05) probs[i * 3 + 2] = grid.car[Math.floor(r() * grid.car.length)]!;
    if (r() < 0.05) probs[i * 3 + 1] = grid.road[Math.floor(r() * grid.road.length)]!;
  }
  const car = new Uint8Array(pixels);
  const road = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const y = Math.floor(i / placement.frameWidth);
    const inCrop = y >= placement.cropTop && y < placement.cropBottom;
    const j = (i - placement.cropTop * placement.frameWidth) * 3;
    car[i] = (inCrop ? probs[j + 2]! > 1e-3 : true) !== r() < 0.2 ? 1 : 0;
    road[i] = (inCrop ? probs[j + 1]! > 0.9 : r() < 0.5) !== r() < 0.2 ? 1 : 0;
  }
  return { probs, truth: { car, road } };
}

function hoodMask(): Uint8Array {
  const h = new Uint8Array(pixels);
  for (let y = 10; y < placement.frameHeight; y++) for (let x = 4; x < 16; x++) h[y * placement.frameWidth + x] = 1;
  return h;
}

function settingsFor(car: number, road: number, carM: Morphology = NO_MORPHOLOGY, roadM: Morphology = NO_MORPHOLOGY): PostprocessSettings {
  return { car: { threshold: car, morphology: carM }, road: { threshold: road, morphology: roadM }, hood: true };
}

/** The grader on the CPU reference's masks, frame by frame. */
function bruteForce(frames: Frame[], settings: PostprocessSettings, hood: Uint8Array | null) {
  const g = new GraderAccumulator();
  for (const f of frames) g.addMasks(probabilitiesToMasksCpu(f.probs, 3, channels, placement, settings, hood), f.truth);
  return g;
}

function options(stride: number, candidateStride: number): SweepOptions {
  return {
    placement,
    channelCount: 3,
    channels,
    thresholds: { car: sliderGrid('car', stride), road: sliderGrid('road', stride) },
    candidates: defaultCandidates(candidateStride),
  };
}

describe('ThresholdSweep', () => {
  const opts = options(20, 250);
  const grid = { car: [...opts.thresholds.car], road: [...opts.thresholds.road] };
  const frames = [1, 2, 3].map((s) => randomFrame(s, grid));

  for (const hood of [null, hoodMask()]) {
    it(`histogram counts equal the grader on the CPU reference's masks for every threshold (hood ${hood ? 'removed' : 'none'})`, () => {
      const sweep = new ThresholdSweep(opts);
      for (const f of frames) sweep.addFrame(f.probs, f.truth, hood);
      const car = sweep.histogramCounts('car');
      const road = sweep.histogramCounts('road');
      expect(car).toHaveLength(grid.car.length);
      for (let k = 0; k < grid.car.length; k++) {
        const counts = bruteForce(frames, settingsFor(grid.car[k]!, grid.road[k]!), hood).counts();
        expect(car[k]).toEqual(counts.car);
        expect(road[k]).toEqual(counts.road);
      }
    });
  }

  it('morphology candidates equal the grader on the CPU reference with that morphology', () => {
    const hood = hoodMask();
    const sweep = new ThresholdSweep(opts);
    for (const f of frames) {
      sweep.addFrame(f.probs, f.truth, hood);
      sweep.addCandidates('car', f.probs, f.truth, hood);
      sweep.addCandidates('road', f.probs, f.truth, hood);
    }
    const result = sweep.result();
    expect(result.car).toHaveLength(3);
    for (let ci = 1; ci < 3; ci++) {
      const carCurve = result.car[ci]!;
      const roadCurve = result.road[ci]!;
      carCurve.thresholds.forEach((t, k) => {
        const g = bruteForce(frames, settingsFor(t, roadCurve.thresholds[k]!, carCurve.morphology!, roadCurve.morphology!), hood);
        expect(carCurve.counts[k]).toEqual(g.counts().car);
        expect(roadCurve.counts[k]).toEqual(g.counts().road);
        expect(carCurve.f[k]).toBeCloseTo(g.result().fCar, 12);
        expect(roadCurve.f[k]).toBeCloseTo(g.result().fRoad, 12);
      });
    }
    // Dilation only adds pixels: at the same threshold TP + FP does not fall.
    const dilated = result.car[1]!;
    dilated.thresholds.forEach((t, k) => {
      const plain = result.car[0]!.thresholds.indexOf(t);
      if (plain >= 0) expect(dilated.counts[k]!.tp + dilated.counts[k]!.fp).toBeGreaterThanOrEqual(result.car[0]!.counts[plain]!.tp + result.car[0]!.counts[plain]!.fp);
    });
  });

  it('finds the best threshold and morphology per class, and the combined score is their mean', () => {
    const sweep = new ThresholdSweep(opts);
    for (const f of frames) {
      sweep.addFrame(f.probs, f.truth, null);
      sweep.addCandidates('car', f.probs, f.truth, null);
      sweep.addCandidates('road', f.probs, f.truth, null);
    }
    const r = sweep.result();
    for (const cls of ['car', 'road'] as const) {
      let bestF = -1;
      for (const curve of r[cls]) for (const f of curve.f) bestF = Math.max(bestF, f);
      expect(r.best[cls].f).toBe(bestF);
      // The best, evaluated again by brute force, gives that F.
      const s = settingsFor(cls === 'car' ? r.best.car.threshold : 0.5, cls === 'road' ? r.best.road.threshold : 0.5, cls === 'car' ? (r.best.car.morphology ?? NO_MORPHOLOGY) : NO_MORPHOLOGY, cls === 'road' ? (r.best.road.morphology ?? NO_MORPHOLOGY) : NO_MORPHOLOGY);
      const g = bruteForce(frames, s, null).result();
      expect(cls === 'car' ? g.fCar : g.fRoad).toBeCloseTo(bestF, 12);
    }
    expect(r.best.score).toBeCloseTo((r.best.car.f + r.best.road.f) / 2, 15);
    expect(r.frames).toBe(3);
  });

  it('a planted optimum is found: truth = p > t* gives F = 1 exactly at t*', () => {
    const o = options(50, 500);
    const f = randomFrame(9, { car: o.thresholds.car as number[], road: o.thresholds.road as number[] });
    const tCar = o.thresholds.car[7]!;
    const tRoad = o.thresholds.road[13]!;
    const car = new Uint8Array(pixels);
    const road = new Uint8Array(pixels);
    for (let i = 0; i < rows * placement.frameWidth; i++) {
      car[placement.cropTop * placement.frameWidth + i] = f.probs[i * 3 + 2]! > Math.fround(tCar) ? 1 : 0;
      road[placement.cropTop * placement.frameWidth + i] = f.probs[i * 3 + 1]! > Math.fround(tRoad) ? 1 : 0;
    }
    const sweep = new ThresholdSweep({ ...o, candidates: { car: [], road: [] } });
    sweep.addFrame(f.probs, { car, road }, null);
    const r = sweep.result();
    expect(r.best.car).toEqual({ threshold: tCar, morphology: null, f: 1 });
    expect(r.best.road).toEqual({ threshold: tRoad, morphology: null, f: 1 });
    expect(r.best.score).toBe(1);
  });

  it('counts move monotonically with the threshold; truth totals stay fixed', () => {
    const sweep = new ThresholdSweep(options(1, 1000));
    for (const f of frames) sweep.addFrame(f.probs, f.truth, hoodMask());
    for (const cls of ['car', 'road'] as const) {
      const counts = sweep.histogramCounts(cls);
      expect(counts).toHaveLength(SLIDER_STEPS + 1);
      for (let k = 1; k < counts.length; k++) {
        expect(counts[k]!.tp).toBeLessThanOrEqual(counts[k - 1]!.tp);
        expect(counts[k]!.fp).toBeLessThanOrEqual(counts[k - 1]!.fp);
        expect(counts[k]!.tp + counts[k]!.fn).toBe(counts[0]!.tp + counts[0]!.fn);
      }
      const r = sweep.result();
      expect(r[cls][0]!.f[0]).toBeCloseTo(fbeta(counts[0]!, cls === 'car' ? 2 : 0.5), 15);
    }
  });

  it('grids follow the sliders and bad input is refused with a reason', () => {
    expect(sliderGrid('car', 100)).toHaveLength(11);
    expect(sliderGrid('car', 100)[0]).toBeCloseTo(1e-5, 15);
    expect(sliderGrid('road', 300).at(-1)).toBe(sliderToThreshold('road', SLIDER_STEPS));
    expect(() => new ThresholdSweep({ ...opts, thresholds: { car: [0.5, 0.1], road: [0.5] } })).toThrow(/ascending/);
    const sweep = new ThresholdSweep(opts);
    expect(() => sweep.addFrame(new Float32Array(5), frames[0]!.truth, null)).toThrow(/probabilities/);
  });
});

describe('morphology candidates with TensorFlow.js ops', () => {
  it('count exactly as the CPU reference (tfjs cpu backend here)', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { candidateCountsGpu } = await import('../../src/viewer/sweepCandidatesGpu');
    await tf.setBackend('cpu');
    const opts = options(20, 125);
    const grid = { car: [...opts.thresholds.car], road: [...opts.thresholds.road] };
    const hood = hoodMask();
    const cpu = new ThresholdSweep(opts);
    const gpu = new ThresholdSweep(opts);
    for (const seed of [4, 5]) {
      const f = randomFrame(seed, grid);
      cpu.addFrame(f.probs, f.truth, hood);
      gpu.addFrame(f.probs, f.truth, hood);
      for (const cls of ['car', 'road'] as const) {
        cpu.addCandidates(cls, f.probs, f.truth, hood);
        const before = tf.memory().numTensors;
        const probs = tf.tidy(() => tf.tensor3d(f.probs, [rows, placement.frameWidth, 3]).slice([0, 0, channels[cls]], [rows, placement.frameWidth, 1]).reshape([rows, placement.frameWidth]) as import('@tensorflow/tfjs').Tensor2D);
        const truth = tf.tensor2d(Float32Array.from(f.truth[cls]), [placement.frameHeight, placement.frameWidth]);
        const hoodT = tf.tensor2d(Float32Array.from(hood), [placement.frameHeight, placement.frameWidth]);
        for (const [ci, cand] of gpu.candidatesOf(cls).entries()) gpu.addCandidateCounts(cls, ci, await candidateCountsGpu(probs, truth, hoodT, placement, cand.morphology, cand.thresholds));
        tf.dispose([probs, truth, hoodT]);
        expect(tf.memory().numTensors).toBe(before);
      }
    }
    const a = cpu.result();
    const b = gpu.result();
    expect(b.car.map((c) => c.counts)).toEqual(a.car.map((c) => c.counts));
    expect(b.road.map((c) => c.counts)).toEqual(a.road.map((c) => c.counts));
    expect(b.best).toEqual(a.best);
  });
});
