/**
 * Pixels the viewer draws, as plain functions over RGBA buffers: coloured class masks over the
 * frame, a heat map of one class's probability, the error view (true positives, false positives,
 * false negatives), each view mode's image, and the coloured mask image for export. This is the
 * reference the backend's compositions are tested against, and what the wasm and CPU backends draw.
 */

import type { ViewSettings } from '../state/viewerStore';

export type Rgb = readonly [number, number, number];

export const CLASS_COLOURS: { car: Rgb; road: Rgb } = { car: [255, 200, 0], road: [170, 60, 255] };
export const ERROR_COLOURS: { tp: Rgb; fp: Rgb; fn: Rgb } = { tp: [0, 200, 0], fp: [255, 0, 0], fn: [0, 90, 255] };

export interface MaskLayers {
  car: Uint8Array | null;
  road: Uint8Array | null;
}

/** The definition of a blend: each channel of pixel `o` moved towards `c` by `a`, stored as a clamped byte. */
export function blend(out: Uint8ClampedArray, o: number, c: Rgb, a: number): void {
  out[o] = out[o] * (1 - a) + c[0] * a;
  out[o + 1] = out[o + 1] * (1 - a) + c[1] * a;
  out[o + 2] = out[o + 2] * (1 - a) + c[2] * a;
}

/**
 * `blend` towards one colour at one opacity as three 256-entry tables (one per channel): each
 * entry is what `blend` stores for that byte, so a table lookup gives the same pixels.
 */
function blendTables(c: Rgb, a: number): [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray] {
  const channel = (k: number) => {
    const t = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) t[v] = v * (1 - a) + c[k]! * a;
    return t;
  };
  return [channel(0), channel(1), channel(2)];
}

/** Applies blend tables to pixel `o` of `out`. */
function blendWith(out: Uint8ClampedArray, o: number, [r, g, b]: [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray]): void {
  out[o] = r[out[o]!]!;
  out[o + 1] = g[out[o + 1]!]!;
  out[o + 2] = b[out[o + 2]!]!;
}

/**
 * The frame with road then car masks blended in at `opacity` (0-1); a null layer is not drawn.
 * Equal to `blend` per pixel; by table lookups (a copy of the frame by slice: `from` iterates).
 */
export function composeMasks(frame: Uint8ClampedArray, layers: MaskLayers, opacity: number): Uint8ClampedArray {
  const out = frame.slice();
  const n = frame.length / 4;
  const { road, car } = layers;
  const roadTables = road && blendTables(CLASS_COLOURS.road, opacity);
  const carTables = car && blendTables(CLASS_COLOURS.car, opacity);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (roadTables && road![i]) blendWith(out, o, roadTables);
    if (carTables && car![i]) blendWith(out, o, carTables);
    out[o + 3] = 255;
  }
  return out;
}

/** A blue-cyan-green-yellow-red ramp for p in [0, 1]. */
export function heatColour(p: number): Rgb {
  const t = Math.min(1, Math.max(0, p)) * 4;
  const k = Math.min(3, Math.floor(t));
  const f = t - k;
  const stops: Rgb[] = [
    [0, 0, 255],
    [0, 255, 255],
    [0, 255, 0],
    [255, 255, 0],
    [255, 0, 0],
  ];
  const a = stops[k]!;
  const b = stops[k + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** The frame with one class's probability (per frame pixel) as a heat map at `opacity`. */
export function composeHeat(frame: Uint8ClampedArray, probability: Float32Array, opacity: number): Uint8ClampedArray {
  const out = frame.slice();
  for (let i = 0; i < probability.length; i++) {
    blend(out, i * 4, heatColour(probability[i]!), opacity);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** The frame with true positives, false positives and false negatives of one class in their colours (as `blend`, by tables). */
export function composeErrors(frame: Uint8ClampedArray, predicted: Uint8Array, truth: Uint8Array, opacity: number): Uint8ClampedArray {
  const out = frame.slice();
  const tp = blendTables(ERROR_COLOURS.tp, opacity);
  const fp = blendTables(ERROR_COLOURS.fp, opacity);
  const fn = blendTables(ERROR_COLOURS.fn, opacity);
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] !== 0;
    const t = truth[i] !== 0;
    if (p && t) blendWith(out, i * 4, tp);
    else if (p) blendWith(out, i * 4, fp);
    else if (t) blendWith(out, i * 4, fn);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Two RGBA images of the same size side by side (left | right). */
export function sideBySide(left: Uint8ClampedArray, right: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * 2 * height * 4);
  for (let y = 0; y < height; y++) {
    out.set(left.subarray(y * width * 4, (y + 1) * width * 4), y * width * 8);
    out.set(right.subarray(y * width * 4, (y + 1) * width * 4), y * width * 8 + width * 4);
  }
  return out;
}

/** Car and road 0/1 masks of one frame. */
export interface MaskPair {
  car: Uint8Array;
  road: Uint8Array;
}

/** What the viewer shows in each view mode, composed in JavaScript: the image and its width. */
export function composeView(
  frame: Uint8ClampedArray,
  predicted: MaskPair,
  truth: MaskPair | null,
  heat: Float32Array | null,
  view: ViewSettings,
  width: number,
  height: number,
): { rgba: Uint8ClampedArray; width: number } {
  const layers = (m: MaskPair): MaskLayers => ({ car: view.showCar ? m.car : null, road: view.showRoad ? m.road : null });
  if (view.mode === 'heat' && heat) return { rgba: composeHeat(frame, heat, view.opacity), width };
  if (view.mode === 'errors' && truth) return { rgba: composeErrors(frame, predicted[view.focus], truth[view.focus], view.opacity), width };
  if (view.mode === 'side-by-side') {
    const right = truth ? composeMasks(frame, layers(truth), view.opacity) : frame;
    return { rgba: sideBySide(composeMasks(frame, layers(predicted), view.opacity), right, width, height), width: width * 2 };
  }
  return { rgba: composeMasks(frame, layers(predicted), view.opacity), width };
}

/** The masks alone in their class colours on black, RGB (for the coloured mask export). */
export function colouredMasksRgb(car: Uint8Array, road: Uint8Array): Uint8Array {
  const out = new Uint8Array(car.length * 3);
  for (let i = 0; i < car.length; i++) {
    const c = car[i] ? CLASS_COLOURS.car : road[i] ? CLASS_COLOURS.road : null;
    if (c) out.set(c, i * 3);
  }
  return out;
}

/** Pixels of `rgba` within `tolerance` of a colour, optionally inside a row range. */
export function countColour(rgba: ArrayLike<number>, colour: Rgb, tolerance: number, width?: number, rows?: [number, number]): number {
  let n = 0;
  const total = rgba.length / 4;
  for (let i = 0; i < total; i++) {
    if (width !== undefined && rows) {
      const y = Math.floor(i / width);
      if (y < rows[0] || y >= rows[1]) continue;
    }
    const o = i * 4;
    if (Math.abs(rgba[o]! - colour[0]) <= tolerance && Math.abs(rgba[o + 1]! - colour[1]) <= tolerance && Math.abs(rgba[o + 2]! - colour[2]) <= tolerance) n++;
  }
  return n;
}
