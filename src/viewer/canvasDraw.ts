/**
 * Drawing the viewer's composed image on its canvas. The image arrives packed on the backend, one
 * int32 per pixel whose bytes are the canvas's RGBA (`composePacked.ts`).
 * - 'gpu' (WebGPU on a hardware adapter): the packed buffer is copied straight into the canvas's
 *   WebGPU texture (copyBufferToTexture: no shader, no storage-texture format needed): nothing is
 *   read back. Rows are padded to a multiple of 64 pixels, as a buffer-to-texture copy needs
 *   256-byte rows.
 * - 'readback' (WebGL, wasm, CPU, a software WebGPU adapter, or a canvas that already has a 2D
 *   context): the packed image is read back once, as exactly the bytes of an ImageData, and put on
 *   a 2D canvas.
 *
 * Why not on a software adapter: a browser that runs WebGPU on SwiftShader usually composites
 * without a GPU, and there presenting a WebGPU canvas destroys the device (seen in headless
 * Chromium unless its compositor runs on Vulkan SwiftShader, `--enable-features=Vulkan
 * --use-vulkan=swiftshader`); a CPU gains nothing from it anyway. `?draw=gpu|readback` overrides.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { isSoftwareAdapter } from '../backend/decide';
import { getSelectedBackend } from '../backend/selectedBackend';
import { isPacked, packedFromRgba, type ComposedImage, type PackedImage } from './composePacked';
import { rgbaFromPacked } from './overlayGpu';
import { paddedRow } from './overlayWebgpu';

/** How a composed image reaches the canvas on the active backend. */
export type DrawPath = 'gpu' | 'readback';

/** The draw path for the active backend and adapter (see above), or the one `?draw=` names. */
export function drawPath(search = (globalThis as { location?: Location }).location?.search ?? '', adapter = getSelectedBackend()?.adapter ?? null): DrawPath {
  if (tf.getBackend() !== 'webgpu') return 'readback';
  const asked = new URLSearchParams(search).get('draw');
  if (asked === 'gpu' || asked === 'readback') return asked;
  return isSoftwareAdapter(adapter) || adapter?.includes('fallback adapter') ? 'readback' : 'gpu';
}

/** RGBA bytes onto a 2D canvas (resized to the image). */
export function putRgba(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number): void {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.getContext('2d')?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
}

/** The image's RGBA bytes: a packed image read back in one piece (row padding dropped). */
export async function readImageRgba(image: ComposedImage): Promise<Uint8ClampedArray> {
  if (!isPacked(image)) return image.rgba;
  const values = (await image.packed.data()) as Int32Array;
  const row = image.packed.shape[1];
  if (row === image.width) return rgbaFromPacked(values);
  const rows = new Int32Array(image.width * image.height);
  for (let y = 0; y < image.height; y++) rows.set(values.subarray(y * row, y * row + image.width), y * image.width);
  return rgbaFromPacked(rows);
}

/** Copies the packed image into the canvas's WebGPU texture; false when the canvas cannot take a WebGPU context. */
function copyToWebgpuCanvas(image: PackedImage, canvas: HTMLCanvasElement): boolean {
  const backend = tf.backend() as WebGPUBackend;
  const context = canvas.getContext('webgpu');
  if (!context || !backend.device) return false;
  const { width, height } = image;
  const row = image.packed.shape[1];
  const aligned = paddedRow(row);
  const source = aligned === row ? image.packed : tf.pad(image.packed, [[0, 0], [0, aligned - row]]);
  // A copy of the tensor's buffer, made and submitted in TensorFlow.js's queue order.
  const gpu = source.dataToGPU();
  try {
    if (!gpu.buffer) throw new Error('the packed image has no GPU buffer');
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const device = backend.device;
    context.configure({ device, format: 'rgba8unorm', usage: GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT, alphaMode: 'opaque' });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToTexture({ buffer: gpu.buffer, bytesPerRow: aligned * 4, rowsPerImage: height }, { texture: context.getCurrentTexture() }, [width, height, 1]);
    device.queue.submit([encoder.finish()]);
  } finally {
    gpu.tensorRef.dispose();
    if (source !== image.packed) source.dispose();
  }
  return true;
}

/**
 * Draws an image on the canvas by `path` (bytes in the page go through the GPU path packed).
 * Returns the path taken: 'readback' also when the GPU path was asked for and the canvas could not take it.
 */
export async function drawImage(image: ComposedImage, canvas: HTMLCanvasElement, path: DrawPath = drawPath()): Promise<DrawPath> {
  if (path === 'gpu') {
    if (isPacked(image)) {
      if (copyToWebgpuCanvas(image, canvas)) return 'gpu';
    } else {
      const packed = packedFromRgba(image.rgba, image.width, image.height);
      try {
        if (copyToWebgpuCanvas(packed, canvas)) return 'gpu';
      } finally {
        packed.packed.dispose();
      }
    }
  }
  putRgba(canvas, await readImageRgba(image), image.width, image.height);
  return 'readback';
}

/** RGBA bytes (a frame without masks) onto the canvas by `path`, so the canvas keeps one kind of context. */
export function drawRgbaFrame(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number, path: DrawPath = drawPath()): Promise<DrawPath> {
  return drawImage({ rgba, width, height }, canvas, path);
}

/** Clears the canvas whatever its context (a size assignment resets a 2D and a WebGPU canvas alike). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  const { width } = canvas;
  canvas.width = width;
}
