/** A thumbnail Blob (JPEG/PNG) -> RGBA pixels at its own size, decoded off the DOM (createImageBitmap + OffscreenCanvas). */
import type { RgbaImage } from '../../training/augmentPreview';

export async function decodeToRgba(blob: Blob): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas context');
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { data, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

/** Draws a frame and (optionally) its overlay on a canvas of the frame's size. */
export function drawRgba(canvas: HTMLCanvasElement, frame: RgbaImage, overlay: RgbaImage | null): void {
  canvas.width = frame.width;
  canvas.height = frame.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height), 0, 0);
  if (!overlay) return;
  const layer = new OffscreenCanvas(overlay.width, overlay.height);
  layer.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(overlay.data), overlay.width, overlay.height), 0, 0);
  ctx.globalAlpha = 0.6;
  ctx.drawImage(layer, 0, 0, frame.width, frame.height);
  ctx.globalAlpha = 1;
}
