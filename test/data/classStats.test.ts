import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClassStatsAccumulator, classPixelCounts, DatasetClassStats, hoodClassIndex } from '../../src/data/classStats';
import { hoodFromVehicleMask } from '../../src/data/hoodMask';
import { CARLA_SCHEME, decodeLabel, valueMask } from '../../src/data/labelScheme';
import { decodePng } from '../../src/io/png';
import { LYFT_REAL_DIR } from '../paths';

const NAMES = CARLA_SCHEME.classes.map((c) => c.name);

describe('class statistics', () => {
  it('counts pixels per class and accumulates fractions over frames', () => {
    const acc = new ClassStatsAccumulator(NAMES);
    expect(acc.fractions()).toEqual([0, 0, 0]);
    acc.add(Uint8Array.from([0, 0, 1, 2])); // 2 bg, 1 road, 1 vehicle
    acc.add(Uint8Array.from([1, 1, 1, 0])); // 1 bg, 3 road
    expect(acc.frames).toBe(2);
    expect(Array.from(acc.pixels)).toEqual([3, 4, 1]);
    expect(acc.fractions()).toEqual([3 / 8, 4 / 8, 1 / 8]);
    const s = acc.summary();
    expect(s.pixels).toBe(8);
    expect(s.classes[2]).toEqual({ name: 'vehicle', pixels: 1, fraction: 1 / 8, frames: 1, frameFraction: 0.5 });
    expect(() => acc.add(Uint8Array.from([3]))).toThrow(/class index 3/);
  });

  it('restricts to crop rows and counts hood vehicle pixels as background', () => {
    // 2x3 map (width 2): rows [0 1] [2 2] [2 2]; hood = the bottom row.
    const map = Uint8Array.from([0, 1, 2, 2, 2, 2]);
    const hood = Uint8Array.from([0, 0, 0, 0, 1, 1]);
    expect(Array.from(classPixelCounts(map, 3))).toEqual([1, 1, 4]);
    expect(Array.from(classPixelCounts(map, 3, { hood, hoodClass: 2 }))).toEqual([3, 1, 2]);
    expect(Array.from(classPixelCounts(map, 3, { rows: { top: 1, bottom: 3 }, width: 2 }))).toEqual([0, 0, 4]);
    expect(() => classPixelCounts(map, 3, { rows: { top: 0, bottom: 4 }, width: 2 })).toThrow(RangeError);
    expect(hoodClassIndex(CARLA_SCHEME)).toBe(2);
  });

  it('keeps train and val apart; merge adds totals', () => {
    const ds = new DatasetClassStats(NAMES);
    ds.add('train', Uint8Array.from([0, 1]));
    ds.add('val', Uint8Array.from([2, 2]));
    const s = ds.summary();
    expect(s.train.classes.map((c) => c.fraction)).toEqual([0.5, 0.5, 0]);
    expect(s.val.classes.map((c) => c.fraction)).toEqual([0, 0, 1]);
    const all = new ClassStatsAccumulator(NAMES);
    all.merge(ds.train);
    all.merge(ds.val);
    expect(Array.from(all.pixels)).toEqual([1, 1, 2]);
    expect(all.frames).toBe(2);
  });

  it('real labels: road 15-29 % of a frame, vehicles (hood excluded) 0-7 %, as the data README says', () => {
    const file = join(LYFT_REAL_DIR, 'train/CameraSeg/000_0021.png');
    const img = decodePng(new Uint8Array(readFileSync(file)));
    const map = decodeLabel(img.data, img.channels, img.width, img.height, CARLA_SCHEME);
    const hood = hoodFromVehicleMask(valueMask(img.data, img.channels, img.width, img.height, CARLA_SCHEME, 10), img.width, img.height);
    const acc = new ClassStatsAccumulator(NAMES);
    acc.add(map, { hood, hoodClass: 2 });
    const [bg, road, vehicle] = acc.fractions();
    expect(road).toBeGreaterThan(0.15);
    expect(road).toBeLessThan(0.29);
    expect(vehicle).toBeGreaterThanOrEqual(0);
    expect(vehicle).toBeLessThan(0.07);
    expect(bg + road + vehicle).toBeCloseTo(1, 12);
    // With the hood counted as a vehicle, the vehicle share grows by the hood's 73,231 pixels.
    const withHood = classPixelCounts(map, 3);
    expect(withHood[2] - acc.pixels[2]).toBe(73231);
  });
});
