import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSeededRng } from '../../src/data/split';
import { defaultAugmentConfig, noAugmentConfig, sampleAugmentParams } from '../../src/training/augment';
import { augmentPreview, type RgbaImage } from '../../src/training/augmentPreview';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function image(width: number, height: number, seed: number): RgbaImage {
  const rng = createSeededRng(seed);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 200 : Math.floor(rng() * 256);
  return { data, width, height };
}

/** The augmentation of one pixel value written out: clamp((v/255)^g * b * c, 0, 1) * 255. */
function expected(v: number, g: number | null, b: number | null, c: number | null): number {
  let x = v / 255;
  if (g !== null) x = x ** g;
  x *= (b ?? 1) * (c ?? 1);
  if (g !== null || b !== null || c !== null) x = Math.min(1, Math.max(0, x));
  return Math.round(x * 255);
}

describe('augmentation preview', () => {
  it('applies the seeded draws of the training step to every pixel, alpha kept', async () => {
    const frames = [image(6, 4, 1), image(6, 4, 2), image(6, 4, 3), image(6, 4, 4)];
    const config = { ...defaultAugmentConfig(), gamma: { probability: 1, min: 0.65, max: 1.35 } };
    const r = await augmentPreview(frames, null, config, 42);
    expect(r.params).toEqual(sampleAugmentParams(config, 4, createSeededRng(42)));
    expect(r.overlaysAfter).toBeNull();
    let changed = 0;
    frames.forEach((f, i) => {
      const p = r.params[i]!;
      for (let k = 0; k < f.data.length; k++) {
        const got = r.after[i]!.data[k]!;
        if (k % 4 === 3) {
          expect(got).toBe(200);
          continue;
        }
        const want = expected(f.data[k]!, p.gamma, p.brightness, p.color ? p.color[k % 4]! : null);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1);
        if (got !== f.data[k]) changed++;
      }
    });
    expect(changed).toBeGreaterThan(0);
    expect(r.descriptions.every((d) => d.includes('gamma'))).toBe(true);
  });

  it('flips the overlay with its frame', async () => {
    const frame = image(5, 3, 9);
    const overlay = image(5, 3, 10);
    const config = { ...noAugmentConfig(), flip: { probability: 1 } };
    const r = await augmentPreview([frame], [overlay], config, 1);
    const mirror = (img: RgbaImage, x: number, y: number, c: number) => img.data[(y * img.width + (img.width - 1 - x)) * 4 + c];
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 5; x++) {
        for (let c = 0; c < 4; c++) {
          expect(r.after[0]!.data[(y * 5 + x) * 4 + c]).toBe(mirror(frame, x, y, c));
          expect(r.overlaysAfter![0]!.data[(y * 5 + x) * 4 + c]).toBe(mirror(overlay, x, y, c));
        }
      }
    }
    expect(r.descriptions).toEqual(['flip']);
  });

  it('leaves frames unchanged with augmentation off, and leaks no tensors', async () => {
    const frames = [image(4, 4, 5), image(4, 4, 6)];
    const before = tf.memory().numTensors;
    const r = await augmentPreview(frames, null, noAugmentConfig(), 3);
    expect(tf.memory().numTensors).toBe(before);
    r.after.forEach((a, i) => expect(Array.from(a.data)).toEqual(Array.from(frames[i]!.data)));
    expect(r.descriptions).toEqual(['none', 'none']);
  });

  it('refuses frames of different sizes', async () => {
    await expect(augmentPreview([image(4, 4, 1), image(5, 4, 1)], null, noAugmentConfig(), 1)).rejects.toThrow('differ in size');
  });
});
