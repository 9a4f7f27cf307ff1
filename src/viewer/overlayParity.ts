/**
 * Compares the overlay composed on the active backend (`composePacked.ts`: the WebGPU pass or
 * tensor ops) and read back with the CPU reference (`overlay.ts`) on a seeded random frame, masks, truth and heat
 * probabilities, for every view mode, both layers on and off and a few opacities; and the
 * backend's pixel and grader counts with the CPU's. Used by a Node test (CPU and wasm backends) and
 * by the end-to-end test in the page (WebGPU, where drawing goes through the Draw kernel).
 */
import * as tf from '@tensorflow/tfjs';
import type { ViewMode, ViewSettings } from '../state/viewerStore';
import { seededRandom } from '../util/seededRandom';
import { frameCounts } from './frameScores';
import { composeErrors, composeHeat, composeMasks, sideBySide } from './overlay';
import { drawImage, readImageRgba, type DrawPath } from './canvasDraw';
import { composeMethod, composePacked, type TensorComposeMethod } from './composePacked';
import { maskStatsFromValues, maskStatsGpu } from './overlayGpu';

export interface OverlayCase {
  name: string;
  view: ViewSettings;
  width: number;
  height: number;
  /** The CPU reference's RGBA. */
  expected: Uint8ClampedArray;
}

export interface OverlayFixture {
  width: number;
  height: number;
  frame: Uint8ClampedArray;
  car: Uint8Array;
  road: Uint8Array;
  truth: { car: Uint8Array; road: Uint8Array };
  heat: Float32Array;
  cases: OverlayCase[];
}

const MODES: ViewMode[] = ['masks', 'heat', 'errors', 'side-by-side'];

/** A seeded frame with masks, truth and heat, and the CPU reference image of every case. */
export function overlayFixture(seed = 3, width = 37, height = 23): OverlayFixture {
  const r = seededRandom(seed);
  const n = width * height;
  const frame = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n * 4; i++) frame[i] = i % 4 === 3 ? 255 : Math.floor(r() * 256);
  const bits = (p: number) => Uint8Array.from({ length: n }, () => (r() < p ? 1 : 0));
  const car = bits(0.3);
  const road = bits(0.5);
  const truth = { car: bits(0.3), road: bits(0.5) };
  // Probabilities, with the ramp's joints (0, 1/4, ... 1) and values beyond [0, 1] among them.
  const heat = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (i % 5) / 4 : r() * 1.2 - 0.1));
  const cases: OverlayCase[] = [];
  for (const mode of MODES) {
    for (const opacity of [1, 0.5, 0.35]) {
      for (const [showCar, showRoad] of [[true, true], [true, false], [false, true]] as const) {
        if (mode !== 'masks' && mode !== 'side-by-side' && !(showCar && showRoad)) continue;
        for (const focus of mode === 'heat' || mode === 'errors' ? (['car', 'road'] as const) : (['car'] as const)) {
          const view: ViewSettings = { mode, opacity, showCar, showRoad, focus };
          const layers = { car: showCar ? car : null, road: showRoad ? road : null };
          let expected: Uint8ClampedArray;
          let w = width;
          if (mode === 'heat') expected = composeHeat(frame, focus === 'car' ? heat : heat.map((p) => 1 - p), opacity);
          else if (mode === 'errors') expected = composeErrors(frame, focus === 'car' ? car : road, truth[focus], opacity);
          else if (mode === 'side-by-side') {
            const right = composeMasks(frame, { car: showCar ? truth.car : null, road: showRoad ? truth.road : null }, opacity);
            expected = sideBySide(composeMasks(frame, layers, opacity), right, width, height);
            w = width * 2;
          } else expected = composeMasks(frame, layers, opacity);
          cases.push({ name: `${mode} ${focus} opacity ${opacity} car ${showCar} road ${showRoad}`, view, width: w, height, expected });
        }
      }
    }
  }
  return { width, height, frame, car, road, truth, heat, cases };
}

/** The backend tensors of a fixture (the heat of the road focus is 1 - p, so the two differ). */
export function fixtureTensors(f: OverlayFixture): { frame: tf.Tensor3D; masks: tf.Tensor3D; truth: tf.Tensor3D; heat: Record<'car' | 'road', tf.Tensor2D> } {
  const { width: w, height: h } = f;
  return tf.tidy(() => {
    const frame = tf.slice(tf.tensor3d(new Float32Array(f.frame), [h, w, 4]), [0, 0, 0], [h, w, 3]) as tf.Tensor3D;
    const pair = (a: Uint8Array, b: Uint8Array) => tf.stack([tf.tensor2d(Float32Array.from(a), [h, w]), tf.tensor2d(Float32Array.from(b), [h, w])], 2) as tf.Tensor3D;
    const car = tf.tensor2d(f.heat, [h, w]);
    return { frame, masks: pair(f.car, f.road), truth: pair(f.truth.car, f.truth.road), heat: { car, road: tf.sub(1, car) as tf.Tensor2D } };
  });
}

export interface OverlayParityReport {
  backend: string;
  cases: number;
  /** Bytes compared, and those that differ (by at most `maxDifference`). */
  compared: number;
  differing: number;
  maxDifference: number;
  /** Cases whose differences go beyond one level, named (at most 10). */
  failures: string[];
  /** The backend's pixel and grader counts equal the CPU's. */
  statsEqual: boolean;
}

/** Compares two RGBA images byte by byte. */
export function compareRgba(got: ArrayLike<number>, expected: ArrayLike<number>): { differing: number; maxDifference: number } {
  let differing = 0;
  let maxDifference = 0;
  if (got.length !== expected.length) return { differing: Math.max(got.length, expected.length), maxDifference: 255 };
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(got[i]! - expected[i]!);
    if (d > 0) differing++;
    if (d > maxDifference) maxDifference = d;
  }
  return { differing, maxDifference };
}

/** Every case composed on the backend by `method` and read back, against the reference. */
export async function overlayParity(method: TensorComposeMethod, seed = 3): Promise<OverlayParityReport> {
  const f = overlayFixture(seed);
  const t = fixtureTensors(f);
  const report: OverlayParityReport = { backend: tf.getBackend(), cases: f.cases.length, compared: 0, differing: 0, maxDifference: 0, failures: [], statsEqual: false };
  try {
    for (const c of f.cases) {
      const image = composePacked({ frame: t.frame, masks: t.masks, heat: t.heat[c.view.focus], truth: t.truth }, c.view, method);
      const rgba = await readImageRgba(image);
      image.packed.dispose();
      const d = compareRgba(rgba, c.expected);
      report.compared += c.expected.length;
      report.differing += d.differing;
      report.maxDifference = Math.max(report.maxDifference, d.maxDifference);
      if (d.maxDifference > 1 && report.failures.length < 10) report.failures.push(`${c.name}: ${d.differing} bytes differ, by up to ${d.maxDifference}`);
    }
    const stats = maskStatsGpu(t.masks, t.truth);
    const got = maskStatsFromValues(await stats.data());
    stats.dispose();
    const sum = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
    const counts = frameCounts({ car: f.car, road: f.road }, f.truth);
    const same = (cls: 'car' | 'road') => (['tp', 'fp', 'fn'] as const).every((k) => got.counts?.[cls][k] === counts[cls][k]);
    report.statsEqual = got.carPixels === sum(f.car) && got.roadPixels === sum(f.road) && same('car') && same('road');
  } finally {
    tf.dispose([t.frame, t.masks, t.truth, t.heat.car, t.heat.road]);
  }
  return report;
}

/**
 * Every case drawn through the viewer's draw path (`canvasDraw.ts`) onto a 2D canvas in the page,
 * read back from the canvas, against the reference. Browser only.
 */
export async function drawParity(path: DrawPath, seed = 3): Promise<OverlayParityReport> {
  const f = overlayFixture(seed);
  const t = fixtureTensors(f);
  const report: OverlayParityReport = { backend: tf.getBackend(), cases: f.cases.length, compared: 0, differing: 0, maxDifference: 0, failures: [], statsEqual: true };
  const canvas = document.createElement('canvas');
  // What the canvas shows, copied onto a 2D canvas to be read (a WebGPU canvas has no getImageData).
  const reader = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!reader) throw new Error('no 2D canvas context');
  try {
    for (const c of f.cases) {
      const method = composeMethod();
      if (method === 'javascript') throw new Error('drawParity composes on the backend: run it on WebGPU or WebGL');
      const image = composePacked({ frame: t.frame, masks: t.masks, heat: t.heat[c.view.focus], truth: t.truth }, c.view, method);
      try {
        await drawImage(image, canvas, path);
      } finally {
        image.packed.dispose();
      }
      if (canvas.width !== c.width || canvas.height !== c.height) throw new Error(`${c.name}: the canvas is ${canvas.width}x${canvas.height}, the image ${c.width}x${c.height}`);
      reader.canvas.width = c.width;
      reader.canvas.height = c.height;
      reader.drawImage(canvas, 0, 0);
      const d = compareRgba(reader.getImageData(0, 0, c.width, c.height).data, c.expected);
      report.compared += c.expected.length;
      report.differing += d.differing;
      report.maxDifference = Math.max(report.maxDifference, d.maxDifference);
      if (d.maxDifference > 1 && report.failures.length < 10) report.failures.push(`${c.name}: ${d.differing} bytes differ, by up to ${d.maxDifference}`);
    }
  } finally {
    tf.dispose([t.frame, t.masks, t.truth, t.heat.car, t.heat.road]);
  }
  return report;
}
