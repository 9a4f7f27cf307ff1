/** `train`: targets that line up with the frames, then a tiny real training run on the sample dataset (wasm). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARLA_SCHEME } from '../../src/data/labelScheme';
import { originalInputSpec, type InputSpec } from '../../src/model/config';
import { BatchOrder, splitTrainVal } from '../../src/training/trainingData';
import { frameMaskToInput, labelsToTargets, labelToTarget, nearestSourceIndices } from '../../src/training/trainingTargets';
import { readSafetensorsModel } from '../../src/weights/modelFile';
import { cli, makeTempDir } from './support';

const tmp = makeTempDir('train');
afterAll(() => tmp.cleanup());

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training targets', () => {
  // A small frame: 40x30, crop rows 6..22 (16 rows) -> input 8x16.
  const spec: InputSpec = { ...originalInputSpec(), frameWidth: 40, frameHeight: 30, cropTop: 6, cropBottom: 22, inputHeight: 8, inputWidth: 16 };
  const label = (() => {
    const data = new Uint8Array(40 * 30 * 3);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) data[(y * 40 + x) * 3] = (x * 7 + y * 3) % 13; // values 0..12: road 6/7, vehicle 10
    return { data, width: 40, height: 30, channels: 3 };
  })();

  beforeAll(async () => {
    tf.enableProdMode();
    await tf.setBackend('cpu');
  });

  it('matches tf.image.resizeNearestNeighbor (half-pixel centres) on the crop, one-hot float32', () => {
    const target = labelToTarget(label, spec, CARLA_SCHEME, null);
    expect(target).toBeInstanceOf(Float32Array);
    expect(target.length).toBe(8 * 16 * 3);
    // Class index per pixel at the crop, resized by TensorFlow.js.
    const cropIds = new Float32Array(16 * 40);
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 40; x++) {
        const v = label.data[((y + 6) * 40 + x) * 3];
        cropIds[y * 40 + x] = v === 6 || v === 7 ? 1 : v === 10 ? 2 : 0;
      }
    }
    const resized = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(cropIds, [1, 16, 40, 1], 'float32'), [8, 16], false, true).dataSync());
    for (let i = 0; i < 8 * 16; i++) {
      const row = Array.from(target.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      expect(row.indexOf(1)).toBe(resized[i]);
    }
    expect(Array.from(nearestSourceIndices(4, 8))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(nearestSourceIndices(10, 4))).toEqual([1, 3, 6, 8]);
  });

  it('moves hood pixels from vehicle to background, and resizes the hood like the labels', () => {
    const hood = new Uint8Array(40 * 30).fill(1);
    const target = labelToTarget(label, spec, CARLA_SCHEME, hood);
    const plain = labelToTarget(label, spec, CARLA_SCHEME, null);
    for (let i = 0; i < 8 * 16; i++) {
      expect(target[i * 3 + 2]).toBe(0);
      expect(target[i * 3 + 1]).toBe(plain[i * 3 + 1]);
      expect(target[i * 3] + target[i * 3 + 1]).toBe(1);
    }
    const rowHood = new Uint8Array(40 * 30).fill(1, 14 * 40); // rows 14.. of the frame = crop rows 8..
    const small = frameMaskToInput(rowHood, spec);
    expect(Array.from(small.subarray(0, 4 * 16)).every((v) => v === 0)).toBe(true);
    expect(Array.from(small.subarray(4 * 16)).every((v) => v === 1)).toBe(true);
    const batch = labelsToTargets([label, label], spec, CARLA_SCHEME, null);
    expect(batch.shape).toEqual([2, 8, 16, 3]);
    expect(batch.dtype).toBe('float32');
    batch.dispose();
  });

  it('splits by folders or the last 10 %, and shuffles reproducibly', () => {
    const pair = (name: string) => ({ name, rgb: name, seg: name });
    const byFolder = splitTrainVal([pair('train/CameraRGB/1.png'), pair('train/CameraRGB/2.png'), pair('val/CameraRGB/3.png')]);
    expect([byFolder.train.length, byFolder.val.length]).toEqual([2, 1]);
    const flat = splitTrainVal(Array.from({ length: 20 }, (_, i) => pair(`CameraRGB/${i}.png`)));
    expect([flat.train.length, flat.val.length]).toEqual([18, 2]);
    expect(flat.val[0].name).toBe('CameraRGB/18.png');
    const a = new BatchOrder(5, 3);
    const b = new BatchOrder(5, 3);
    const first = [...a.next(2), ...a.next(2), ...a.next(1)];
    expect([...first].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...b.next(2), ...b.next(2), ...b.next(1)]).toEqual(first);
  });
});

describe('train command', () => {
  it('prints help', async () => {
    const r = await cli('train', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run cli -- train /);
    expect(r.stdout).toContain('--size HxW');
    expect(r.stdout).toMatch(/Examples?:\n {2}npm run cli -- train /);
  });

  it('rejects a size that is not a multiple of 32 with exit code 2', async () => {
    const r = await cli('train', '--data', tmp.dir, '--out', join(tmp.dir, 'x.safetensors'), '--size', '60x160');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a multiple of 32');
    expect(r.stderr).toContain('train --help');
  });

  it('trains resnet18 at 64x160 on the sample dataset: loss falls, model saved, tensors flat', async () => {
    const data = join(tmp.dir, 'data');
    const sample = await cli('sample', '--out', data, '--count', '12', '--width', '800', '--height', '600');
    expect(sample.code).toBe(0);
    const out = join(tmp.dir, 'model.safetensors');
    const r = await cli(
      'train', '--data', data, '--out', out, '--encoder', 'resnet18', '--size', '64x160', '--batch', '2',
      '--steps', '12', '--lr', '1e-3', '--augment', 'off', '--seed', '1', '--backend', 'wasm',
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.steps).toBe(12);
    expect(report.backend).toBe('wasm');
    expect(report.msPerStep).toBeGreaterThan(0);
    expect(report.imagesPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(report.finalLoss)).toBe(true);
    expect(report.val.frames).toBe(2);
    for (const k of ['fRoad', 'fCar', 'score']) expect(report.val[k]).toBeGreaterThanOrEqual(0);
    // Measured (seed 1): 2.12, 2.10, 2.00 ... 1.68, 1.55, 1.55.
    const losses: number[] = report.losses;
    expect(losses).toHaveLength(12);
    expect(mean(losses.slice(-3))).toBeLessThan(mean(losses.slice(0, 3)) - 0.1);
    expect(report.tensors.atEnd).toBe(report.tensors.afterFirstStep);
    expect(r.stderr).toMatch(/step 12\/12 .*loss [\d.]+ F background [\d.]+ road [\d.]+ vehicle [\d.]+ \d+ ms\/step [\d.]+ images\/s/);
    expect(r.stderr).toMatch(/hood: \d{5} pixels/);

    expect(existsSync(out)).toBe(true);
    const loaded = readSafetensorsModel(new Uint8Array(readFileSync(out)));
    expect(loaded.config.encoder).toBe('resnet18');
    expect(loaded.config.input.inputHeight).toBe(64);
    expect(loaded.config.input.inputWidth).toBe(160);
    expect(loaded.config.input.cropTop).toBe(205);
    expect(loaded.config.classes).toEqual(['background', 'road', 'vehicle']);
  }, 180_000);
});
