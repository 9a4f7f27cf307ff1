/**
 * Frame pixels to the backend as bytes, converted there: `StudioFramePixels`.
 *
 * framesToInput's JavaScript pass writes 4-byte floats for every value it keeps and uploads them:
 * for a 320x800 crop that is a loop over 768,000 values and 3 MB sent; for a training batch of
 * eight, 6.1 million values and 25 MB, every step, before the device can start. Where the backend
 * has this kernel (WebGPU: src/backend/webgpuKernels/framePixels.ts), the frames' bytes go up as
 * they are, four to a 32-bit word (a quarter of the bytes, no JavaScript pass over the pixels), and
 * one launch does what writeRgbFloats does: crop rows, pick and order three channels, and scale,
 * subtract the mean and divide by the std, in the same float32 steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputSpec } from '../model/config';
import type { FramePixels } from './frameInput';

export const FRAME_PIXELS_KERNEL = 'StudioFramePixels';

export interface FramePixelsAttrs {
  /** Frames in the packed bytes, each frameHeight x width pixels of `channels` bytes. */
  frames: number;
  frameHeight: number;
  width: number;
  channels: number;
  /** Rows [rowStart, rowStart + rows) of each frame are kept. */
  rowStart: number;
  rows: number;
  /** The source channel of each of the three output channels. */
  sourceChannels: [number, number, number];
  /** Normalise: ((v * scale) - mean[c]) / std[c] (float32 values); false: the byte values as they are. */
  normalise: boolean;
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
}

export interface FramePixelsInputs<T> {
  /** The frames' bytes, frame after frame, four to an int32 word (little-endian), zero-padded. */
  packed: T;
}

/** The kernel's attributes for frames of this size: rows [rowStart, rowStart + rows), normalised when `spec` is given. */
export function framePixelsAttrs(
  frame: Pick<FramePixels, 'width' | 'height' | 'channels'>,
  frames: number,
  rowStart: number,
  rows: number,
  spec?: Pick<InputSpec, 'channelOrder' | 'scale' | 'mean' | 'std'>,
): FramePixelsAttrs {
  if (frame.channels < 3) throw new Error(`${FRAME_PIXELS_KERNEL}: a frame of ${frame.channels} channel(s) has no colour`);
  if (rowStart < 0 || rows < 1 || rowStart + rows > frame.height) throw new Error(`${FRAME_PIXELS_KERNEL}: rows ${rowStart}-${rowStart + rows} are outside a frame of ${frame.height}`);
  const f = Math.fround;
  return {
    frames,
    frameHeight: frame.height,
    width: frame.width,
    channels: frame.channels,
    rowStart,
    rows,
    sourceChannels: spec?.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2],
    normalise: spec !== undefined,
    scale: f(spec?.scale ?? 1),
    mean: (spec?.mean ?? [0, 0, 0]).map(f) as [number, number, number],
    std: (spec?.std ?? [1, 1, 1]).map(f) as [number, number, number],
  };
}

/**
 * Byte arrays (frames' pixels, class indices) one after another as int32 words (four bytes each,
 * little-endian, the last word zero-padded). One array whose bytes are word-aligned is viewed, not
 * copied.
 */
export function packBytes(parts: readonly Pick<FramePixels, 'data'>[]): Int32Array {
  const first = parts[0]?.data;
  if (parts.length === 1 && first && first.byteOffset % 4 === 0 && first.length % 4 === 0) {
    return new Int32Array(first.buffer, first.byteOffset, first.length / 4);
  }
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  const bytes = new Uint8Array(Math.ceil(total / 4) * 4);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p.data, offset);
    offset += p.data.length;
  }
  return new Int32Array(bytes.buffer);
}

/** True when the active backend converts frames itself (WebGPU with the studio's kernels). */
export function backendConvertsFrames(): boolean {
  return tf.getKernel(FRAME_PIXELS_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * Frames of one size (at least 3 channels), uploaded as bytes: a 1D int32 tensor for
 * pixelsOnBackend. Check backendConvertsFrames() first.
 */
export function uploadFrameBytes(frames: readonly FramePixels[]): tf.Tensor1D {
  const first = frames[0];
  if (!first) throw new Error('no frames to upload');
  for (const f of frames) {
    if (f.width !== first.width || f.height !== first.height || f.channels !== first.channels) {
      throw new Error(`frames of different sizes: ${f.width}x${f.height}x${f.channels} and ${first.width}x${first.height}x${first.channels}`);
    }
    if (f.data.length !== f.width * f.height * f.channels) throw new Error(`a ${f.width}x${f.height} frame of ${f.channels} channels has ${f.data.length} bytes`);
  }
  return tf.tensor1d(packBytes(frames), 'int32');
}

/** Uploaded frames (uploadFrameBytes) -> float32 [frames, rows, width, 3] as `attrs` say. */
export function pixelsOnBackend(packed: tf.Tensor1D, attrs: FramePixelsAttrs): tf.Tensor4D {
  const needed = Math.ceil((attrs.frames * attrs.frameHeight * attrs.width * attrs.channels) / 4);
  if (packed.size < needed) throw new Error(`${FRAME_PIXELS_KERNEL}: ${packed.size} words hold fewer bytes than ${attrs.frames} frame(s) of ${attrs.width}x${attrs.frameHeight}x${attrs.channels}`);
  return tf.engine().runKernel(FRAME_PIXELS_KERNEL, { packed } as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
