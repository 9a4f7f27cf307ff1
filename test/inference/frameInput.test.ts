/**
 * Frame pixels -> network input. framesToInput does the crop, channel order and normalisation in
 * one JavaScript pass; it must give exactly what the same steps give as tensor ops on the cpu
 * backend (the definition below: the way it was computed before), for every spec variant.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { framesToInput, writeRgbFloats, type FramePixels } from '../../src/inference/frameInput';
import { originalInputSpec, type InputSpec } from '../../src/model/config';

function frame(width: number, height: number, channels: number, seed: number): FramePixels {
  const data = new Uint8ClampedArray(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + seed * 104729) % 256;
  return { data, width, height, channels };
}

/** The steps as tensor ops: crop, drop alpha, reverse for BGR, scale, mean, std, resize. */
function definition(frames: FramePixels[], spec: InputSpec): tf.Tensor4D {
  return tf.tidy(() => {
    const rows = spec.cropBottom - spec.cropTop;
    const batch = frames.map((f) => {
      const all = tf.tensor3d(Array.from(f.data), [f.height, f.width, f.channels], 'float32');
      let t = tf.slice(all, [spec.cropTop, 0, 0], [rows, f.width, 3]);
      if (spec.channelOrder === 'bgr') t = tf.reverse(t, 2);
      return t;
    });
    let x = tf.stack(batch) as tf.Tensor4D;
    x = tf.div(tf.sub(tf.mul(x, spec.scale), tf.tensor1d(spec.mean)), tf.tensor1d(spec.std)) as tf.Tensor4D;
    if (spec.inputHeight !== rows || spec.inputWidth !== spec.frameWidth) x = tf.image.resizeBilinear(x, [spec.inputHeight, spec.inputWidth], false, true);
    return x;
  });
}

const small = (over: Partial<InputSpec>): InputSpec => ({
  ...originalInputSpec(),
  frameWidth: 40,
  frameHeight: 30,
  cropTop: 5,
  cropBottom: 21,
  inputHeight: 16,
  inputWidth: 40,
  ...over,
});

describe('framesToInput', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const cases: [string, InputSpec, number][] = [
    ['the original spec shape (BGR, 1/255, no mean/std), RGBA frames', small({}), 4],
    ['RGB order with ImageNet mean and std, RGB frames', small({ channelOrder: 'rgb', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }), 3],
    ['BGR with mean/std and a resize of the crop', small({ mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.25], inputHeight: 32, inputWidth: 64 }), 4],
    ['a scale of 1 (byte values)', small({ scale: 1, mean: [100, 110, 120], std: [50, 60, 70] }), 3],
  ];
  for (const [what, spec, channels] of cases) {
    it(`equals the tensor-op definition exactly: ${what}, batch 2`, async () => {
      const frames = [frame(40, 30, channels, 1), frame(40, 30, channels, 2)];
      const before = tf.memory().numTensors;
      const actual = framesToInput(frames, spec);
      expect(tf.memory().numTensors).toBe(before + 1);
      const expected = definition(frames, spec);
      expect(actual.shape).toEqual([2, spec.inputHeight, spec.inputWidth, 3]);
      expect(actual.shape).toEqual(expected.shape);
      const [a, e] = [await actual.data(), await expected.data()];
      let differing = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) differing++;
      expect(differing).toBe(0);
      tf.dispose([actual, expected]);
    });
  }

  it('rejects a frame of another size or a gray frame, naming the problem', () => {
    const spec = small({});
    expect(() => framesToInput([frame(40, 30, 3, 1), frame(41, 30, 3, 1)], spec)).toThrow('the frame is 41x30 but the model expects 40x30 frames');
    expect(() => framesToInput([frame(40, 30, 1, 1)], spec)).toThrow('a colour (RGB) image is needed');
  });
});

describe('writeRgbFloats', () => {
  it('copies byte values of a pixel range, dropping alpha, at an offset', () => {
    const f = frame(4, 2, 4, 3);
    const out = new Float32Array(2 + 3 * 3).fill(-1);
    writeRgbFloats(f, 2, 3, out, 2);
    expect(Array.from(out.subarray(0, 2))).toEqual([-1, -1]);
    const expected = [2, 3, 4].flatMap((p) => [f.data[4 * p]!, f.data[4 * p + 1]!, f.data[4 * p + 2]!]);
    expect(Array.from(out.subarray(2))).toEqual(expected);
  });

  it('normalises in network order when given a spec', () => {
    const f: FramePixels = { data: new Uint8Array([10, 20, 30]), width: 1, height: 1, channels: 3 };
    const out = new Float32Array(3);
    writeRgbFloats(f, 0, 1, out, 0, { channelOrder: 'bgr', scale: 0.5, mean: [1, 2, 3], std: [2, 4, 8] });
    expect(Array.from(out)).toEqual([(15 - 1) / 2, (10 - 2) / 4, (5 - 3) / 8]);
  });
});
