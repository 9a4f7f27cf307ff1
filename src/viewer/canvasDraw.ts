/**
 * Drawing the viewer's composed image (a backend tensor) on its canvas. Either way the image is
 * first packed on the backend into one int32 per pixel whose bytes are the canvas's RGBA
 * (`packRgb`).
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
import { getSelectedBackend, isSoftwareAdapter } from '../backend/selectBackend';
import { packRgb, rgbaFromPacked } from './overlayGpu';

/** How a composed image reaches the canvas on the active backend. */
export type DrawPath = 'gpu' | 'readback';

/** Pixels per row of the copied buffer: a buffer-to-texture copy needs rows of a multiple of 256 bytes. */
export const GPU_ROW_ALIGNMENT = 64;

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

/** The composed image's RGBA bytes, read back in one piece. */
export async function readRgba(rgb: tf.Tensor3D): Promise<Uint8ClampedArray<ArrayBuffer>> {
  const packed = packRgb(rgb);
  try {
    return rgbaFromPacked((await packed.data()) as Int32Array);
  } finally {
    packed.dispose();
  }
}

/** Copies the packed image into the canvas's WebGPU texture; false when the canvas cannot take a WebGPU context. */
function copyToWebgpuCanvas(rgb: tf.Tensor3D, canvas: HTMLCanvasElement): boolean {
  const backend = tf.backend() as WebGPUBackend;
  const context = canvas.getContext('webgpu');
  if (!context || !backend.device) return false;
  const [height, width] = rgb.shape;
  const rowPixels = Math.ceil(width / GPU_ROW_ALIGNMENT) * GPU_ROW_ALIGNMENT;
  const packed = tf.tidy(() => tf.pad(packRgb(rgb), [[0, 0], [0, rowPixels - width]]));
  // A copy of the tensor's buffer, made and submitted in TensorFlow.js's queue order.
  const gpu = packed.dataToGPU();
  try {
    if (!gpu.buffer) throw new Error('the packed image has no GPU buffer');
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const device = backend.device;
    context.configure({ device, format: 'rgba8unorm', usage: GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT, alphaMode: 'opaque' });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToTexture({ buffer: gpu.buffer, bytesPerRow: rowPixels * 4, rowsPerImage: height }, { texture: context.getCurrentTexture() }, [width, height, 1]);
    device.queue.submit([encoder.finish()]);
  } finally {
    gpu.tensorRef.dispose();
    packed.dispose();
  }
  return true;
}

/** Draws a [H, W, 3] image of byte values on the canvas by `path`. */
export async function drawImageTensor(rgb: tf.Tensor3D, canvas: HTMLCanvasElement, path: DrawPath = drawPath()): Promise<void> {
  if (path === 'gpu' && copyToWebgpuCanvas(rgb, canvas)) return;
  const [height, width] = rgb.shape;
  putRgba(canvas, await readRgba(rgb), width, height);
}

/** RGBA bytes (a frame without masks) onto the canvas by `path`, so the canvas keeps one kind of context. */
export async function drawRgbaFrame(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number, path: DrawPath = drawPath()): Promise<void> {
  if (path === 'readback') return putRgba(canvas, rgba, width, height);
  const rgb = tf.tidy(() => tf.slice(tf.tensor3d(new Float32Array(rgba), [height, width, 4]), [0, 0, 0], [height, width, 3]) as tf.Tensor3D);
  try {
    await drawImageTensor(rgb, canvas, path);
  } finally {
    rgb.dispose();
  }
}

/** Clears the canvas whatever its context (a size assignment resets a 2D and a WebGPU canvas alike). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  const { width } = canvas;
  canvas.width = width;
}
