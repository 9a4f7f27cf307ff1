import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARLA_SCHEME, decodeLabel, valueMask } from '../../src/data/labelScheme';
import { floodFill, HoodEstimator, hoodFromVehicleMask, maskStats } from '../../src/data/hoodMask';
import { decodePng } from '../../src/io/png';
import { LYFT_REAL_DIR } from '../paths';

function vehicleValueMask(file: string): { mask: Uint8Array; width: number; height: number } {
  const img = decodePng(new Uint8Array(readFileSync(file)));
  return { mask: valueMask(img.data, img.channels, img.width, img.height, CARLA_SCHEME, 10), width: img.width, height: img.height };
}

describe('hood mask', () => {
  it('flood fill is 4-connected and stays inside the mask', () => {
    // 1 1 0
    // 0 1 0
    // 1 0 1   (diagonal neighbours are not connected)
    const mask = Uint8Array.from([1, 1, 0, 0, 1, 0, 1, 0, 1]);
    expect(Array.from(floodFill(mask, 3, 3, 1, 1))).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(floodFill(mask, 3, 3, 2, 0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('one real label gives the reference hood: 73,231 pixels, rows 498-599', () => {
    const dir = join(LYFT_REAL_DIR, 'train/CameraSeg');
    const first = readdirSync(dir).filter((f) => f.endsWith('.png')).sort()[0];
    const { mask, width, height } = vehicleValueMask(join(dir, first));
    const stats = maskStats(hoodFromVehicleMask(mask, width, height), width);
    expect(stats).toEqual({ pixels: 73231, firstRow: 498, lastRow: 599 });
  });

  it('the estimate over all real train labels is the reference hood', () => {
    const dir = join(LYFT_REAL_DIR, 'train/CameraSeg');
    const files = readdirSync(dir).filter((f) => f.endsWith('.png')).sort().slice(0, 30);
    let estimator: HoodEstimator | null = null;
    for (const f of files) {
      const { mask, width, height } = vehicleValueMask(join(dir, f));
      estimator ??= new HoodEstimator(width, height);
      estimator.addVehicleMask(mask);
    }
    const hood = estimator!.result()!;
    const stats = maskStats(hood, 800);
    expect(stats.pixels).toBe(73231);
    expect(stats.firstRow).toBe(498);
    // Row 498 covers only columns 383-416; from row 521 down every row is hood.
    const row498 = Array.from(hood.subarray(498 * 800, 499 * 800)).flatMap((v, x) => (v ? [x] : []));
    expect([row498[0], row498[row498.length - 1], row498.length]).toEqual([383, 416, 34]);
    for (let r = 521; r < 600; r++) expect(hood.subarray(r * 800, (r + 1) * 800).every((v) => v === 1)).toBe(true);
  });

  it('label decoding maps road lines and road to road, 10 to vehicle, the rest to background', () => {
    const pixels = Uint8Array.from([6, 0, 0, 7, 0, 0, 10, 0, 0, 1, 0, 0, 12, 0, 0]);
    expect(Array.from(decodeLabel(pixels, 3, 5, 1, CARLA_SCHEME))).toEqual([1, 1, 2, 0, 0]);
  });
});
