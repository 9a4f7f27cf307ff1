/** Camera frame pixels -> network input, following a model's input spec. */
import * as tf from '@tensorflow/tfjs';
import type { InputSpec } from '../model/config';
import { backendConvertsFrames, framePixelsAttrs, pixelsOnBackend, uploadFrameBytes } from './framePixelsKernel';

export interface FramePixels {
  /** Interleaved 8-bit pixels, `channels` per pixel (3 = RGB, 4 = RGBA). */
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: number;
}

/** Why a frame cannot be fed to a model with this spec, or null. */
export function frameProblem(frame: Pick<FramePixels, 'width' | 'height' | 'channels'>, spec: InputSpec): string | null {
  if (frame.channels < 3) return `the frame has ${frame.channels} channel(s); a colour (RGB) image is needed`;
  if (frame.width !== spec.frameWidth || frame.height !== spec.frameHeight) {
    return `the frame is ${frame.width}x${frame.height} but the model expects ${spec.frameWidth}x${spec.frameHeight} frames (crop rows ${spec.cropTop}-${spec.cropBottom})`;
  }
  return null;
}

/**
 * Pixels [start, start + count) of a frame as float32 byte values, 3 channels a pixel (alpha and
 * any further channels dropped), written to `out` from `offset`. In network order and normalised
 * (((v * scale) - mean) / std, in float32 steps as the backends compute it) when `spec` is given.
 * One plain loop: `Float32Array.from` on the bytes is about 8x slower in V8, and converting all
 * channels first costs an extra slice on the backend.
 */
export function writeRgbFloats(
  frame: FramePixels,
  start: number,
  count: number,
  out: Float32Array,
  offset: number,
  spec?: Pick<InputSpec, 'channelOrder' | 'scale' | 'mean' | 'std'>,
): void {
  const { data, channels } = frame;
  if (!spec) {
    for (let i = 0, s = start * channels, o = offset; i < count; i++, s += channels, o += 3) {
      out[o] = data[s]!;
      out[o + 1] = data[s + 1]!;
      out[o + 2] = data[s + 2]!;
    }
    return;
  }
  const f = Math.fround;
  const scale = f(spec.scale);
  const [m0, m1, m2] = spec.mean.map(f) as [number, number, number];
  const [d0, d1, d2] = spec.std.map(f) as [number, number, number];
  // Source channel of each network channel.
  const [c0, c2] = spec.channelOrder === 'bgr' ? [2, 0] : [0, 2];
  for (let i = 0, s = start * channels, o = offset; i < count; i++, s += channels, o += 3) {
    out[o] = f(f(f(data[s + c0]! * scale) - m0) / d0);
    out[o + 1] = f(f(f(data[s + 1]! * scale) - m1) / d1);
    out[o + 2] = f(f(f(data[s + c2]! * scale) - m2) / d2);
  }
}

/**
 * Frames (same size) -> [N, inputHeight, inputWidth, 3] float32: crop rows, channel order,
 * scale, mean/std, then a bilinear resize on the backend when the input size differs from the crop.
 * Where the backend converts frames itself (framePixelsKernel.ts) the bytes are uploaded and
 * converted there (`uploaded`: the frames' bytes already uploaded with uploadFrameBytes, kept by the
 * caller); elsewhere one pass in JavaScript and one upload of floats.
 */
export function framesToInput(frames: FramePixels[], spec: InputSpec, uploaded?: tf.Tensor1D): tf.Tensor4D {
  for (const f of frames) {
    const problem = frameProblem(f, spec);
    if (problem) throw new Error(problem);
  }
  const rows = spec.cropBottom - spec.cropTop;
  const x = backendConvertsFrames() ? cropOnBackend(frames, spec, uploaded) : cropInJavaScript(frames, spec);
  if (spec.inputHeight === rows && spec.inputWidth === spec.frameWidth) return x;
  return tf.tidy(() => {
    const resized = tf.image.resizeBilinear(x, [spec.inputHeight, spec.inputWidth], false, true);
    x.dispose();
    return resized;
  });
}

/** The crop as network values, converted in JavaScript and uploaded as floats. */
function cropInJavaScript(frames: FramePixels[], spec: InputSpec): tf.Tensor4D {
  const rows = spec.cropBottom - spec.cropTop;
  const width = spec.frameWidth;
  const perFrame = rows * width;
  const values = new Float32Array(frames.length * perFrame * 3);
  frames.forEach((f, n) => writeRgbFloats(f, spec.cropTop * width, perFrame, values, n * perFrame * 3, spec));
  return tf.tensor4d(values, [frames.length, rows, width, 3], 'float32');
}

/** The crop as network values, the frames' bytes uploaded and converted on the backend. */
function cropOnBackend(frames: FramePixels[], spec: InputSpec, uploaded?: tf.Tensor1D): tf.Tensor4D {
  const packed = uploaded ?? uploadFrameBytes(frames);
  try {
    return pixelsOnBackend(packed, framePixelsAttrs(frames[0]!, frames.length, spec.cropTop, spec.cropBottom - spec.cropTop, spec));
  } finally {
    if (!uploaded) packed.dispose();
  }
}
