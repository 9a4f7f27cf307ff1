/** Browser decoding of the viewer's inputs: image files and the current frame of a video element. */
import type { FramePixels } from '../inference/frameInput';

export interface DecodedFrame extends FramePixels {
  data: Uint8ClampedArray;
  channels: 4;
}

function context(width: number, height: number): OffscreenCanvasRenderingContext2D {
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context is available');
  return ctx;
}

/** Decodes an image file (PNG, JPEG, WebP) to RGBA pixels, without colour conversion. */
export async function decodeImageFile(file: Blob, name: string): Promise<DecodedFrame> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error(`${name}: cannot decode this image (not an image, or a corrupt or truncated file)`);
  }
  try {
    const ctx = context(bitmap.width, bitmap.height);
    ctx.drawImage(bitmap, 0, 0);
    const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { data: img.data, width: img.width, height: img.height, channels: 4 };
  } finally {
    bitmap.close();
  }
}

/**
 * The canvas video frames are read through, kept between frames (a new one when the size changes)
 * rather than a new 800x600 canvas at every frame of a playing video. It draws with 'copy', so a
 * frame with transparency replaces the previous one instead of blending over it.
 */
let videoContext: OffscreenCanvasRenderingContext2D | null = null;

/** The frame a video element shows now, as RGBA pixels. */
export function grabVideoFrame(video: HTMLVideoElement): DecodedFrame {
  const { videoWidth: w, videoHeight: h } = video;
  if (!videoContext || videoContext.canvas.width !== w || videoContext.canvas.height !== h) {
    videoContext = context(w, h);
    videoContext.globalCompositeOperation = 'copy';
  }
  const ctx = videoContext;
  ctx.drawImage(video, 0, 0);
  const img = ctx.getImageData(0, 0, w, h);
  return { data: img.data, width: img.width, height: img.height, channels: 4 };
}
