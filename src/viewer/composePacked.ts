/**
 * The viewer's composed image, packed (one int32 per pixel whose bytes are RGBA), by the fastest
 * method the backend has: on WebGPU one compute pass (`overlayWebgpu.ts`); on WebGL tensor ops
 * (`overlayGpu.ts`) then `packRgb`; on the wasm and CPU backends, whose tensors already live in
 * the page's memory, the JavaScript reference (`overlay.ts`) over the tensors' values, which there
 * beats some twenty tensor passes over the frame (measured: bench/results, "post + draw").
 */
import * as tf from '@tensorflow/tfjs';
import type { ViewSettings } from '../state/viewerStore';
import { composeErrors, composeHeat, composeMasks, sideBySide } from './overlay';
import { composeOverlayGpu, packRgb, type OverlayInputs } from './overlayGpu';
import { composePackedWebgpu } from './overlayWebgpu';

export type ComposeMethod = 'webgpu-pass' | 'tensor-ops' | 'javascript';

export function composeMethod(backend = tf.getBackend()): ComposeMethod {
  if (backend === 'webgpu') return 'webgpu-pass';
  return backend === 'wasm' || backend === 'cpu' ? 'javascript' : 'tensor-ops';
}

/** A composed image packed on the backend: [H, row] int32, of which the first `width` pixels of a row are drawn. */
export interface PackedImage {
  packed: tf.Tensor2D;
  width: number;
  height: number;
}

export function composePacked(inputs: OverlayInputs, view: ViewSettings, method: ComposeMethod = composeMethod()): PackedImage {
  const height = inputs.frame.shape[0];
  if (method === 'webgpu-pass') {
    const { packed, drawnWidth } = composePackedWebgpu(inputs, view);
    return { packed, width: drawnWidth, height };
  }
  if (method === 'javascript') return composePackedJs(inputs, view);
  const packed = tf.tidy(() => packRgb(composeOverlayGpu(inputs, view)));
  return { packed, width: packed.shape[1], height };
}

/** 0/1 channel `c` of an [H, W, 2] mask tensor's values. */
function channelOf(values: ArrayLike<number>, c: number, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = values[2 * i + c]! > 0.5 ? 1 : 0;
  return out;
}

/** The JavaScript reference over the tensors' values (synchronous reads: meant for the wasm and CPU backends). */
function composePackedJs(inputs: OverlayInputs, view: ViewSettings): PackedImage {
  const [height, width] = inputs.frame.shape;
  const n = width * height;
  const rgb = inputs.frame.dataSync();
  const frame = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    frame[4 * i] = rgb[3 * i]!;
    frame[4 * i + 1] = rgb[3 * i + 1]!;
    frame[4 * i + 2] = rgb[3 * i + 2]!;
    frame[4 * i + 3] = 255;
  }
  const m = inputs.masks.dataSync();
  const predicted = { car: channelOf(m, 0, n), road: channelOf(m, 1, n) };
  const t = inputs.truth?.dataSync();
  const truth = t ? { car: channelOf(t, 0, n), road: channelOf(t, 1, n) } : null;
  const layers = (masks: { car: Uint8Array; road: Uint8Array }) => ({ car: view.showCar ? masks.car : null, road: view.showRoad ? masks.road : null });
  let rgba: Uint8ClampedArray;
  let drawn = width;
  if (view.mode === 'heat' && inputs.heat) rgba = composeHeat(frame, inputs.heat.dataSync() as Float32Array, view.opacity);
  else if (view.mode === 'errors' && truth) rgba = composeErrors(frame, predicted[view.focus], truth[view.focus], view.opacity);
  else if (view.mode === 'side-by-side') {
    const right = truth ? composeMasks(frame, layers(truth), view.opacity) : frame;
    rgba = sideBySide(composeMasks(frame, layers(predicted), view.opacity), right, width, height);
    drawn = width * 2;
  } else rgba = composeMasks(frame, layers(predicted), view.opacity);
  const words = new Int32Array(rgba.buffer, rgba.byteOffset, drawn * height);
  return { packed: tf.tensor2d(words, [height, drawn], 'int32'), width: drawn, height };
}
