/**
 * The viewer's composed image, packed (one int32 per pixel whose bytes are RGBA), by the fastest
 * method the backend has: on WebGPU one compute pass (`overlayWebgpu.ts`); on WebGL tensor ops
 * (`overlayGpu.ts`) then `packRgb`; on the wasm and CPU backends, whose tensors already live in
 * the page's memory, the JavaScript reference (`overlay.ts`) on the read-back masks, with the
 * counts in JavaScript too (the engine does that one): there it beats some twenty tensor passes
 * over the frame (bench/results/2026-12-05-vm-2cpu-overlay-tensor-ops.md).
 */
import * as tf from '@tensorflow/tfjs';
import type { ViewSettings } from '../state/viewerStore';
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

/** The methods that compose on the backend from tensors (the engine runs 'javascript' itself, on read-back masks). */
export type TensorComposeMethod = Exclude<ComposeMethod, 'javascript'>;

export function composePacked(inputs: OverlayInputs, view: ViewSettings, method: TensorComposeMethod): PackedImage {
  const height = inputs.frame.shape[0];
  if (method === 'webgpu-pass') {
    const { packed, drawnWidth } = composePackedWebgpu(inputs, view);
    return { packed, width: drawnWidth, height };
  }
  const packed = tf.tidy(() => packRgb(composeOverlayGpu(inputs, view)));
  return { packed, width: packed.shape[1], height };
}

/** A packed image made from RGBA bytes composed in JavaScript (read as little-endian int32 words). */
export function packedFromRgba(rgba: Uint8ClampedArray, width: number, height: number): PackedImage {
  const words = new Int32Array(rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + width * height * 4));
  return { packed: tf.tensor2d(words, [height, width], 'int32'), width, height };
}
