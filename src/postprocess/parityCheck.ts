/**
 * Compares the post-processing ops on the active backend with the CPU reference on seeded random
 * probabilities and masks (every op and shape, a spread of kernel sizes and iteration counts).
 * Used by the end-to-end test in the page, on the page's own TensorFlow.js instance.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../util/seededRandom';
import { probabilitiesToMasks, probabilitiesToMasksCpu, splitMaskValues } from './masks';
import { morphologyCpu } from './morphologyCpu';
import { morphologyGpu } from './morphologyGpu';
import { KERNEL_SHAPES, MORPHOLOGY_OPS, type Morphology, type PostprocessSettings } from './settings';

export interface ParityReport {
  backend: string;
  /** Pixels compared. */
  compared: number;
  /** The first differences (description), at most 10. */
  differences: string[];
  differenceCount: number;
  ms: number;
}

function randomProbabilities(r: () => number, pixels: number): Float32Array {
  const probs = new Float32Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const e = [Math.exp(r() * 6), Math.exp(r() * 30 - 10), Math.exp(r() * 20 - 10)];
    const s = e[0]! + e[1]! + e[2]!;
    for (let k = 0; k < 3; k++) probs[i * 3 + k] = e[k]! / s;
  }
  return probs;
}

const none: Morphology = { op: 'none', size: 3, shape: 'square', iterations: 1 };
const SETTINGS: PostprocessSettings[] = [
  { car: { threshold: 1e-5, morphology: { op: 'dilate', size: 3, shape: 'square', iterations: 1 } }, road: { threshold: 1 - 1e-5, morphology: none }, hood: true },
  { car: { threshold: 0.01, morphology: { op: 'close', size: 5, shape: 'cross', iterations: 2 } }, road: { threshold: 0.5, morphology: { op: 'open', size: 2, shape: 'square', iterations: 1 } }, hood: true },
  { car: { threshold: 0.3, morphology: { op: 'erode', size: 4, shape: 'square', iterations: 1 } }, road: { threshold: 0.9, morphology: { op: 'dilate', size: 15, shape: 'cross', iterations: 1 } }, hood: false },
];

export async function postprocessParity(seed = 5, sizes: readonly number[] = [1, 2, 3, 6, 15], iterationCounts: readonly number[] = [1, 3]): Promise<ParityReport> {
  const t0 = performance.now();
  const r = seededRandom(seed);
  const differences: string[] = [];
  let compared = 0;
  const w = 40;
  const h = 30;
  const placement = { frameWidth: w, frameHeight: h, cropTop: 6, cropBottom: 24 };
  const rows = placement.cropBottom - placement.cropTop;
  const channels = { car: 2, road: 1 };
  const hood = new Uint8Array(w * h);
  for (let i = 22 * w; i < w * h; i++) hood[i] = 1;
  for (const settings of SETTINGS) {
    const probs = randomProbabilities(r, rows * w);
    const cpu = probabilitiesToMasksCpu(probs, 3, channels, placement, settings, hood);
    const t = tf.tidy(() => probabilitiesToMasks(tf.tensor3d(probs, [rows, w, 3]), channels, placement, settings, tf.tensor2d(Float32Array.from(hood), [h, w])));
    const got = splitMaskValues(await t.data(), w * h);
    t.dispose();
    for (const cls of ['car', 'road'] as const) {
      compared += w * h;
      for (let i = 0; i < w * h; i++) if (got[cls][i] !== cpu[cls][i]) differences.push(`${cls} ${JSON.stringify(settings[cls])} pixel ${i}`);
    }
  }
  const mw = 23;
  const mh = 17;
  for (const op of MORPHOLOGY_OPS.filter((o) => o !== 'none')) {
    for (const size of sizes) {
      for (const shape of KERNEL_SHAPES) {
        for (const iterations of iterationCounts) {
          const density = op === 'erode' || op === 'open' ? 0.85 : 0.08;
          const mask = Uint8Array.from({ length: mw * mh }, () => (r() < density ? 1 : 0));
          const m: Morphology = { op, size, shape, iterations };
          const expected = morphologyCpu(mask, mw, mh, m);
          const t = tf.tidy(() => morphologyGpu(tf.tensor2d(Float32Array.from(mask), [mh, mw]), m));
          const got = await t.data();
          t.dispose();
          compared += mw * mh;
          for (let i = 0; i < mw * mh; i++) if (got[i] !== expected[i]) differences.push(`${JSON.stringify(m)} pixel ${i}: ${got[i]} vs ${expected[i]}`);
        }
      }
    }
  }
  return { backend: tf.getBackend(), compared, differences: differences.slice(0, 10), differenceCount: differences.length, ms: performance.now() - t0 };
}
