/**
 * The viewer's overlay composed on the backend (on the GPU when the backend is one), from tensors
 * the engine keeps: the frame, the post-processed masks, the heat class's probabilities and the
 * ground truth. It is the same definition as the CPU reference in overlay.ts: road then car blended
 * over the frame, each blend stored as a byte (rounded half to even, as a Uint8ClampedArray does),
 * the heat ramp, the error colours, side by side. Float32 arithmetic on the backend against float64
 * in the reference can move a value that lies within rounding of a half by one level.
 *
 * `packRgb` turns the composed image into one int32 per pixel whose little-endian bytes are the
 * canvas's RGBA (alpha 255), so a backend without a canvas-drawing kernel reads the drawn frame back
 * as exactly the bytes of an ImageData: one readback of width x height x 4 bytes, no per-pixel work
 * in JavaScript. `maskStats` gives the pixel counts and the grader's counts in one small tensor.
 */
import * as tf from '@tensorflow/tfjs';
import type { ChallengeClass } from '../postprocess/settings';
import type { ViewSettings } from '../state/viewerStore';
import { CLASS_COLOURS, ERROR_COLOURS, type Rgb } from './overlay';

/** What the overlay is composed from. Masks and truth are [H, W, 2] float32 0/1 (channel 0 car, 1 road). */
export interface OverlayInputs {
  /** The frame, [H, W, 3] float32 0-255. */
  frame: tf.Tensor3D;
  masks: tf.Tensor3D;
  /** The heat class's probability per frame pixel [H, W] (0 outside the crop); heat view only. */
  heat: tf.Tensor2D | null;
  truth: tf.Tensor3D | null;
}

const CHANNEL: Record<ChallengeClass, number> = { car: 0, road: 1 };

function maskOf(masks: tf.Tensor3D, cls: ChallengeClass): tf.Tensor3D {
  const [h, w] = masks.shape;
  return tf.slice(masks, [0, 0, CHANNEL[cls]], [h, w, 1]);
}

/** A byte store of float values: round half to even (tf.round), clamped to 0-255. */
function toByte(x: tf.Tensor): tf.Tensor3D {
  return tf.clipByValue(tf.round(x), 0, 255) as tf.Tensor3D;
}

/** Where `mask` (0/1, broadcast over channels) is set: base * (1 - a) + colour * a, as a byte; elsewhere base. */
function blend(base: tf.Tensor3D, mask: tf.Tensor, colour: tf.Tensor, opacity: number): tf.Tensor3D {
  const blended = toByte(tf.add(tf.mul(base, 1 - opacity), tf.mul(colour, opacity)));
  // Both products are exact for a 0/1 mask, and so is their sum: no rounding enters here.
  return tf.add(tf.mul(base, tf.sub(1, mask)), tf.mul(blended, mask)) as tf.Tensor3D;
}

function colourTensor(c: Rgb): tf.Tensor1D {
  return tf.tensor1d([c[0], c[1], c[2]], 'float32');
}

/** The frame with road then car masks blended in (a class not shown is not drawn). */
function composeMasksGpu(frame: tf.Tensor3D, masks: tf.Tensor3D, show: { car: boolean; road: boolean }, opacity: number): tf.Tensor3D {
  let out = frame;
  if (show.road) out = blend(out, maskOf(masks, 'road'), colourTensor(CLASS_COLOURS.road), opacity);
  if (show.car) out = blend(out, maskOf(masks, 'car'), colourTensor(CLASS_COLOURS.car), opacity);
  return out;
}

/**
 * The heat ramp (blue, cyan, green, yellow, red at p = 0, 1/4, 1/2, 3/4, 1) as three piecewise
 * linear functions of t = 4p: the same colours as overlay.ts's heatColour.
 */
export function heatColoursGpu(p: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const t = tf.mul(tf.clipByValue(p, 0, 1), 4);
    const ramp = (from: number) => tf.clipByValue(tf.sub(t, from), 0, 1);
    const r = tf.mul(ramp(2), 255);
    const g = tf.mul(tf.sub(ramp(0), ramp(3)), 255);
    const b = tf.mul(tf.sub(1, ramp(1)), 255);
    return tf.stack([r, g, b], 2) as tf.Tensor3D;
  });
}

/** The composed image the viewer draws, [H, W, 3] float32 with byte values ([H, 2W, 3] side by side). */
export function composeOverlayGpu(inputs: OverlayInputs, view: ViewSettings): tf.Tensor3D {
  const { frame, masks, heat, truth } = inputs;
  return tf.tidy(() => {
    const show = { car: view.showCar, road: view.showRoad };
    switch (view.mode) {
      case 'heat':
        if (!heat) return composeMasksGpu(frame, masks, show, view.opacity);
        return toByte(tf.add(tf.mul(frame, 1 - view.opacity), tf.mul(heatColoursGpu(heat), view.opacity)));
      case 'errors': {
        if (!truth) return composeMasksGpu(frame, masks, show, view.opacity);
        const p = maskOf(masks, view.focus);
        const t = maskOf(truth, view.focus);
        const tp = tf.mul(p, t);
        const fp = tf.sub(p, tp);
        const fn = tf.sub(t, tp);
        // The three are disjoint: one blend with each pixel's own colour. (No tf.addN: see runLoop.)
        const colours = tf.add(tf.add(tf.mul(tp, colourTensor(ERROR_COLOURS.tp)), tf.mul(fp, colourTensor(ERROR_COLOURS.fp))), tf.mul(fn, colourTensor(ERROR_COLOURS.fn)));
        return blend(frame, tf.add(tf.add(tp, fp), fn), colours, view.opacity);
      }
      case 'side-by-side': {
        const left = composeMasksGpu(frame, masks, show, view.opacity);
        const right = truth ? composeMasksGpu(frame, truth, show, view.opacity) : frame;
        return tf.concat([left, right], 1);
      }
      default:
        return composeMasksGpu(frame, masks, show, view.opacity);
    }
  });
}

/**
 * [H, W, 3] byte values -> [H, W] int32 r + 256 g + 65536 b - 2^24: the int32 whose little-endian
 * bytes are r, g, b, 255. Every step is exact in float32 (|value| <= 2^24), which is what WebGL
 * computes int32 in.
 */
export function packRgb(rgb: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const weights = tf.tensor1d([1, 256, 65536], 'float32');
    const packed = tf.sub(tf.sum(tf.mul(rgb, weights), 2), 16777216);
    return tf.cast(packed, 'int32') as tf.Tensor2D;
  });
}

/** The RGBA bytes of a read-back `packRgb` result (a view of the same memory, no copy). */
export function rgbaFromPacked(values: Int32Array): Uint8ClampedArray<ArrayBuffer> {
  return new Uint8ClampedArray(values.buffer as ArrayBuffer, values.byteOffset, values.byteLength);
}

/** What `maskStats` holds, in order. */
export interface MaskStats {
  carPixels: number;
  roadPixels: number;
  /** The grader's counts of this frame against the truth, or null without one. */
  counts: { car: { tp: number; fp: number; fn: number }; road: { tp: number; fp: number; fn: number } } | null;
}

/** [car, road] pixel counts, then (with truth) tp, fp, fn of car and of road: one small tensor. */
export function maskStatsGpu(masks: tf.Tensor3D, truth: tf.Tensor3D | null): tf.Tensor1D {
  return tf.tidy(() => {
    const predicted = tf.sum(masks, [0, 1]);
    if (!truth) return predicted as tf.Tensor1D;
    const tp = tf.sum(tf.mul(masks, truth), [0, 1]);
    const fp = tf.sub(predicted, tp);
    const fn = tf.sub(tf.sum(truth, [0, 1]), tp);
    // [car, road, tp car, tp road, fp car, fp road, fn car, fn road]
    return tf.concat([predicted, tp, fp, fn]) as tf.Tensor1D;
  });
}

/** Reads `maskStatsGpu`'s values. Sums of 0/1 floats are exact below 2^24 pixels. */
export function maskStatsFromValues(v: ArrayLike<number>): MaskStats {
  const at = (i: number) => Math.round(v[i]!);
  const counts = v.length >= 8 ? { car: { tp: at(2), fp: at(4), fn: at(6) }, road: { tp: at(3), fp: at(5), fn: at(7) } } : null;
  return { carPixels: at(0), roadPixels: at(1), counts };
}
