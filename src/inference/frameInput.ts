/** Camera frame pixels -> network input, following a model's input spec. */
import * as tf from '@tensorflow/tfjs';
import type { InputSpec } from '../model/config';

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
 * Frames (same size) -> [N, inputHeight, inputWidth, 3] float32: crop rows, channel order,
 * scale, mean/std, then a bilinear resize when the input size differs from the crop.
 */
export function framesToInput(frames: FramePixels[], spec: InputSpec): tf.Tensor4D {
  for (const f of frames) {
    const problem = frameProblem(f, spec);
    if (problem) throw new Error(problem);
  }
  return tf.tidy(() => {
    const batch = frames.map((f) => {
      const rows = spec.cropBottom - spec.cropTop;
      const start = spec.cropTop * f.width * f.channels;
      const cropped = f.data.subarray(start, start + rows * f.width * f.channels);
      let t: tf.Tensor3D = tf.tensor3d(Float32Array.from(cropped), [rows, f.width, f.channels], 'float32');
      if (f.channels !== 3) t = tf.slice(t, [0, 0, 0], [rows, f.width, 3]);
      if (spec.channelOrder === 'bgr') t = tf.reverse(t, 2);
      return t;
    });
    let x = tf.stack(batch) as tf.Tensor4D;
    x = tf.div(tf.sub(tf.mul(x, spec.scale), tf.tensor1d(spec.mean)), tf.tensor1d(spec.std)) as tf.Tensor4D;
    const rows = spec.cropBottom - spec.cropTop;
    if (spec.inputHeight !== rows || spec.inputWidth !== spec.frameWidth) {
      x = tf.image.resizeBilinear(x, [spec.inputHeight, spec.inputWidth], false, true);
    }
    return x;
  });
}
