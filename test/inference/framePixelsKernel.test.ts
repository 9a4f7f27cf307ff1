import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backendConvertsFrames, framePixelsAttrs, packBytes, uploadFrameBytes } from '../../src/inference/framePixelsKernel';
import { framesToInput } from '../../src/inference/frameInput';
import { originalInputSpec } from '../../src/model/config';

const frame = (data: number[], width: number, height: number, channels: number) => ({ data: Uint8ClampedArray.from(data), width, height, channels });

describe('packBytes', () => {
  it('views one word-aligned frame without copying, little-endian', () => {
    const f = frame([1, 2, 3, 255, 5, 6, 7, 8], 2, 1, 4);
    const words = packBytes([f]);
    expect(words.buffer).toBe(f.data.buffer);
    expect(Array.from(words)).toEqual([1 | (2 << 8) | (3 << 16) | (255 << 24), 5 | (6 << 8) | (7 << 16) | (8 << 24)]);
    expect(words[0]).toBeLessThan(0);
  });

  it('copies frames one after another and pads the last word with zeros', () => {
    const a = frame([1, 2, 3], 1, 1, 3);
    const b = frame([4, 5, 6], 1, 1, 3);
    const words = packBytes([a, b]);
    expect(words.buffer).not.toBe(a.data.buffer);
    expect(Array.from(new Uint8Array(words.buffer))).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
  });

  it('copies a single frame that starts mid-word or ends mid-word', () => {
    const buffer = new Uint8ClampedArray([9, 1, 2, 3, 4, 5, 6, 7, 8]);
    const offset = { data: buffer.subarray(1), width: 2, height: 1, channels: 4 };
    expect(Array.from(new Uint8Array(packBytes([offset]).buffer))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const odd = frame([1, 2, 3, 4, 5, 6], 2, 1, 3);
    expect(Array.from(new Uint8Array(packBytes([odd]).buffer))).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
  });
});

describe('framePixelsAttrs', () => {
  const size = { width: 8, height: 6, channels: 4 };

  it('takes channel order, scale, mean and std from the spec as float32 values', () => {
    const spec = { ...originalInputSpec(), mean: [0.1, 0.2, 0.3] as [number, number, number], std: [0.7, 0.8, 0.9] as [number, number, number] };
    const a = framePixelsAttrs(size, 2, 1, 4, spec);
    expect(a).toMatchObject({ frames: 2, frameHeight: 6, width: 8, channels: 4, rowStart: 1, rows: 4, normalise: true, sourceChannels: [2, 1, 0] });
    expect(a.scale).toBe(Math.fround(1 / 255));
    expect(a.mean).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(a.std).toEqual([0.7, 0.8, 0.9].map(Math.fround));
    expect(framePixelsAttrs(size, 1, 0, 6, { ...spec, channelOrder: 'rgb' }).sourceChannels).toEqual([0, 1, 2]);
  });

  it('without a spec keeps the byte values in RGB order', () => {
    expect(framePixelsAttrs(size, 1, 0, 6)).toMatchObject({ normalise: false, sourceChannels: [0, 1, 2], scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
  });

  it('refuses rows outside the frame and frames without colour', () => {
    expect(() => framePixelsAttrs(size, 1, 4, 3)).toThrow(/rows 4-7 are outside a frame of 6/);
    expect(() => framePixelsAttrs(size, 1, -1, 2)).toThrow(/outside/);
    expect(() => framePixelsAttrs(size, 1, 0, 0)).toThrow(/outside/);
    expect(() => framePixelsAttrs({ ...size, channels: 1 }, 1, 0, 6)).toThrow(/no colour/);
  });
});

describe('uploadFrameBytes and the backends without the kernel', () => {
  it('uploads the bytes as int32 words and refuses frames of different sizes or short data', async () => {
    await tf.setBackend('cpu');
    const words = uploadFrameBytes([frame([1, 2, 3, 4, 5, 6], 2, 1, 3)]);
    expect(words.dtype).toBe('int32');
    expect(Array.from(await words.data())).toEqual([1 | (2 << 8) | (3 << 16) | (4 << 24), 5 | (6 << 8)]);
    words.dispose();
    expect(() => uploadFrameBytes([frame([1, 2, 3], 1, 1, 3), frame([1, 2, 3, 4], 1, 1, 4)])).toThrow(/different sizes/);
    expect(() => uploadFrameBytes([frame([1, 2], 1, 1, 3)])).toThrow(/has 2 bytes/);
    expect(() => uploadFrameBytes([])).toThrow(/no frames/);
  });

  it('the cpu backend converts in JavaScript: framesToInput works as before', async () => {
    await tf.setBackend('cpu');
    expect(backendConvertsFrames()).toBe(false);
    const spec = { ...originalInputSpec(), frameWidth: 1, frameHeight: 1, cropTop: 0, cropBottom: 1, inputHeight: 1, inputWidth: 1 };
    const x = framesToInput([frame([10, 20, 30, 255], 1, 1, 4)], spec);
    expect(Array.from(await x.data())).toEqual([30, 20, 10].map((v) => Math.fround(v * Math.fround(1 / 255))));
    x.dispose();
  });
});
