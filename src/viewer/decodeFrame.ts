/**
 * Browser decoding of the viewer's inputs: image files and the current frame of a video element,
 * each drawn at the model's frame size where it differs (a dashcam's 1280x720 into 800x600: the
 * resampling is the browser's, in the same draw that reads the pixels), and frames already decoded
 * fitted the same way.
 */
import type { FramePixels } from '../inference/frameInput';

export interface FrameSize {
  width: number;
  height: number;
}

export interface DecodedFrame extends FramePixels {
  data: Uint8ClampedArray;
  channels: 4;
  /** The source's own size where it was drawn at another (the model's frame size). */
  resizedFrom?: FrameSize;
}

/** A 2D context of `width` x `height` for drawing frames (resampled with care) and reading their pixels. */
export function pixelContext(width: number, height: number): OffscreenCanvasRenderingContext2D {
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context is available');
  ctx.imageSmoothingQuality = 'high';
  return ctx;
}

/** The `resizedFrom` of a frame drawn at `drawn` from a source of `own` size: none where they are the same. */
export function resizedFromOf(drawn: FrameSize, own: FrameSize): { resizedFrom?: FrameSize } {
  return drawn.width === own.width && drawn.height === own.height ? {} : { resizedFrom: own };
}

/** `image` (of `width` x `height`) drawn over the whole of `ctx`'s canvas and read as RGBA; says so where that is another size. */
function drawnFrame(ctx: OffscreenCanvasRenderingContext2D, image: CanvasImageSource, width: number, height: number): DecodedFrame {
  const { width: w, height: h } = ctx.canvas;
  ctx.drawImage(image, 0, 0, w, h);
  const img = ctx.getImageData(0, 0, w, h);
  return { data: img.data, width: w, height: h, channels: 4, ...resizedFromOf({ width: w, height: h }, { width, height }) };
}

/** Decodes an image file (PNG, JPEG, WebP) to RGBA pixels, without colour conversion; at `size` where given. */
export async function decodeImageFile(file: Blob, name: string, size: FrameSize | null = null): Promise<DecodedFrame> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error(`${name}: cannot decode this image (not an image, or a corrupt or truncated file)`);
  }
  try {
    const ctx = pixelContext(size?.width ?? bitmap.width, size?.height ?? bitmap.height);
    return drawnFrame(ctx, bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** `frame` resampled to `size` by the browser (as it is where it has that size already). */
export async function fitFrame(frame: DecodedFrame, size: FrameSize): Promise<DecodedFrame> {
  if (frame.width === size.width && frame.height === size.height) return frame;
  const source = new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height);
  const bitmap = await createImageBitmap(source, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const fitted = drawnFrame(pixelContext(size.width, size.height), bitmap, frame.width, frame.height);
    return frame.resizedFrom ? { ...fitted, resizedFrom: frame.resizedFrom } : fitted;
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

/** The frame a video element shows now, as RGBA pixels; at `size` where given. */
export function grabVideoFrame(video: HTMLVideoElement, size: FrameSize | null = null): DecodedFrame {
  const { videoWidth, videoHeight } = video;
  const w = size?.width ?? videoWidth;
  const h = size?.height ?? videoHeight;
  if (!videoContext || videoContext.canvas.width !== w || videoContext.canvas.height !== h) {
    videoContext = pixelContext(w, h);
    videoContext.globalCompositeOperation = 'copy';
  }
  return drawnFrame(videoContext, video, videoWidth, videoHeight);
}
