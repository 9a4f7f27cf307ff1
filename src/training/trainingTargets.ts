/**
 * Label images -> training targets that line up pixel for pixel with framesToInput's input:
 * the same crop rows, then a nearest-neighbour resize (half-pixel centres, like the bilinear
 * resize of the frames) to the network input size; one-hot float32 [h, w, C] built directly as
 * float32 (no int32 -> float casts). The ego hood is removed from the vehicle class (its pixels
 * become the rest class, background).
 */
import * as tf from '@tensorflow/tfjs';
import { decodeLabel, type LabelScheme } from '../data/labelScheme';
import type { InputSpec } from '../model/config';

export interface LabelPixels {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
}

/**
 * For each output index in [0, outSize), the source index in [0, inSize) of a nearest-neighbour
 * resize with half-pixel centres: floor((o + 0.5) * in / out), clamped.
 */
export function nearestSourceIndices(inSize: number, outSize: number): Int32Array {
  const out = new Int32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) out[o] = Math.min(inSize - 1, Math.floor((o + 0.5) * scale));
  return out;
}

/** A full-frame 0/1 mask (e.g. the hood) cropped and resized (nearest) to the input size. */
export function frameMaskToInput(mask: Uint8Array, spec: InputSpec): Uint8Array {
  const { frameWidth: width, cropTop, inputHeight: h, inputWidth: w } = spec;
  if (mask.length !== width * spec.frameHeight) throw new Error(`mask has ${mask.length} pixels, the frame ${width}x${spec.frameHeight}`);
  const rows = nearestSourceIndices(spec.cropBottom - cropTop, h);
  const cols = nearestSourceIndices(width, w);
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    const base = (cropTop + rows[y]) * width;
    for (let x = 0; x < w; x++) out[y * w + x] = mask[base + cols[x]];
  }
  return out;
}

/** Class index of the vehicle class that the hood is taken from, or -1. */
function hoodClass(scheme: LabelScheme): number {
  if (scheme.hoodValue === null) return -1;
  return scheme.classes.findIndex((c) => c.values.includes(scheme.hoodValue!));
}

/**
 * One label -> one-hot float32 [inputHeight * inputWidth * C] (HWC) at the input size, hood pixels
 * (full-frame 0/1 mask, or null) moved from the vehicle class to the rest class.
 */
export function labelToTarget(label: LabelPixels, spec: InputSpec, scheme: LabelScheme, hood: Uint8Array | null): Float32Array {
  if (label.width !== spec.frameWidth || label.height !== spec.frameHeight) {
    throw new Error(`the label is ${label.width}x${label.height} but the model expects ${spec.frameWidth}x${spec.frameHeight} frames`);
  }
  if (hood && hood.length !== label.width * label.height) throw new Error(`the hood has ${hood.length} pixels, the label ${label.width * label.height}`);
  const classes = decodeLabel(label.data, label.channels, label.width, label.height, scheme);
  const c = scheme.classes.length;
  const { frameWidth: width, cropTop, inputHeight: h, inputWidth: w } = spec;
  const rows = nearestSourceIndices(spec.cropBottom - cropTop, h);
  const cols = nearestSourceIndices(width, w);
  const vehicle = hoodClass(scheme);
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    const base = (cropTop + rows[y]) * width;
    for (let x = 0; x < w; x++) {
      const src = base + cols[x];
      let cls = classes[src];
      if (hood && hood[src] && cls === vehicle) cls = scheme.restClass;
      out[(y * w + x) * c + cls] = 1;
    }
  }
  return out;
}

/** Labels -> a float32 target batch [N, inputHeight, inputWidth, C]. */
export function labelsToTargets(labels: LabelPixels[], spec: InputSpec, scheme: LabelScheme, hood: Uint8Array | null): tf.Tensor4D {
  const c = scheme.classes.length;
  const size = spec.inputHeight * spec.inputWidth * c;
  const data = new Float32Array(labels.length * size);
  labels.forEach((label, i) => data.set(labelToTarget(label, spec, scheme, hood), i * size));
  return tf.tensor4d(data, [labels.length, spec.inputHeight, spec.inputWidth, c], 'float32');
}
