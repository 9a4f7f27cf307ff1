/**
 * How the viewer composes its image, by the fastest method the backend has: on WebGPU one compute
 * pass (`overlayWebgpu.ts`); on a hardware WebGL tensor ops (`overlayGpu.ts`) then `packRgb`,
 * both packed (one int32 per pixel whose bytes are RGBA) on the backend. On the wasm and CPU
 * backends, whose tensors already live in the page's memory, and on a software WebGL, the engine
 * reads the masks once and counts and composes in JavaScript (`overlay.ts`): there that beats some
 * twenty tensor passes over the frame (bench/results/2026-12-05-vm-2cpu-overlay-tensor-ops.md).
 */
import * as tf from '@tensorflow/tfjs';
import { isSoftwareAdapter } from '../backend/decide';
import { getSelectedBackend } from '../backend/selectedBackend';
import type { ViewSettings } from '../state/viewerStore';
import { composeOverlayGpu, packRgb, type OverlayInputs } from './overlayGpu';
import { composePackedWebgpu } from './overlayWebgpu';

export type ComposeMethod = 'webgpu-pass' | 'tensor-ops' | 'javascript';

/**
 * The method for `backend` (and its adapter or renderer description). A software WebGL
 * (SwiftShader, llvmpipe) runs tensor ops on the CPU, slower than JavaScript there (bench: 0.65x).
 */
export function composeMethod(backend = tf.getBackend(), adapter: string | null = getSelectedBackend()?.adapter ?? null): ComposeMethod {
  if (backend === 'webgpu') return 'webgpu-pass';
  if (backend === 'webgl' && !isSoftwareAdapter(adapter)) return 'tensor-ops';
  return 'javascript';
}

/** Where a frame's post-processing, overlay and drawing ran, in words (the Viewer shows it). */
export function pipelineDescription(compose: ComposeMethod, draw: 'gpu' | 'readback'): string {
  if (compose === 'javascript') return 'Probabilities read back once per frame; post-processing and the overlay composed in the page.';
  const overlay = compose === 'webgpu-pass' ? 'overlay in one WebGPU pass' : 'overlay as tensor ops';
  return draw === 'gpu' ? `Post-processing, ${overlay} and drawing on the GPU: nothing read back but the counts.` : `Post-processing and ${overlay} on the GPU; the drawn frame read back once.`;
}

/** A composed image packed on the backend: [H, row] int32, of which the first `width` pixels of a row are drawn. */
export interface PackedImage {
  packed: tf.Tensor2D;
  width: number;
  height: number;
}

/** The methods that compose on the backend from tensors (the engine runs 'javascript' itself, on the read-back probabilities). */
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

/** RGBA bytes composed in JavaScript (the wasm and CPU backends): drawn as they are. */
export interface RgbaImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

/** What the viewer draws: packed on the backend, or bytes in the page. */
export type ComposedImage = PackedImage | RgbaImage;

export function isPacked(image: ComposedImage): image is PackedImage {
  return 'packed' in image;
}

/** A packed image made from RGBA bytes (read as little-endian int32 words), to draw them through the GPU path. */
export function packedFromRgba(rgba: Uint8ClampedArray, width: number, height: number): PackedImage {
  const words = new Int32Array(rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + width * height * 4));
  return { packed: tf.tensor2d(words, [height, width], 'int32'), width, height };
}
