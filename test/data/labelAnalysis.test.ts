import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classPixelCounts } from '../../src/data/classStats';
import {
  analyseLabel,
  classOverlayRgba,
  displayColor,
  hoodOverlaps,
  maskPrefixSums,
  maskRuns,
  noClassReason,
  runsOverlap,
} from '../../src/data/labelAnalysis';
import { CARLA_SCHEME, decodeLabel, valueMask, type LabelScheme } from '../../src/data/labelScheme';
import { createSeededRng } from '../../src/data/split';
import { decodePng } from '../../src/io/png';
import { LYFT_REAL_DIR } from '../paths';

const PALETTE_SCHEME: LabelScheme = {
  id: 'palette',
  name: 'palette',
  kind: 'rgb-palette',
  channel: 0,
  classes: [
    { name: 'background', color: [0, 0, 0], values: [] },
    { name: 'road', color: [128, 64, 128], values: [0x804080] },
  ],
  restClass: 0,
  hoodValue: null,
};

function reference(pixels: Uint8Array, channels: number, w: number, h: number, scheme: LabelScheme) {
  const classMap = decodeLabel(pixels, channels, w, h, scheme);
  return {
    classMap,
    counts: Array.from(classPixelCounts(classMap, scheme.classes.length)),
    hood: scheme.hoodValue === null ? null : valueMask(pixels, channels, w, h, scheme, scheme.hoodValue),
  };
}

describe('label analysis', () => {
  it('matches decodeLabel, classPixelCounts and valueMask on a real label', () => {
    const dir = join(LYFT_REAL_DIR, 'train/CameraSeg');
    const img = decodePng(new Uint8Array(readFileSync(join(dir, readdirSync(dir).sort()[0]))));
    const a = analyseLabel(img.data, img.channels, img.width, img.height, CARLA_SCHEME);
    const r = reference(img.data, img.channels, img.width, img.height, CARLA_SCHEME);
    expect(a.counts).toEqual(r.counts);
    expect(a.classMap).toEqual(r.classMap);
    expect(a.hoodValueMask).toEqual(r.hood);
    expect(a.foreground).toBe(r.counts[1] + r.counts[2]);
    expect(a.counts[1] / (800 * 600)).toBeGreaterThan(0.15);
  });

  it('the same on random RGBA values (4 channels, as a canvas gives them)', () => {
    const rng = createSeededRng(3);
    const pixels = Uint8Array.from({ length: 37 * 11 * 4 }, () => Math.floor(rng() * 14));
    const a = analyseLabel(pixels, 4, 37, 11, CARLA_SCHEME);
    const r = reference(pixels, 4, 37, 11, CARLA_SCHEME);
    expect([a.counts, a.classMap, a.hoodValueMask]).toEqual([r.counts, r.classMap, r.hood]);
  });

  it('palette schemes go the general way', () => {
    const pixels = Uint8Array.from([0x80, 0x40, 0x80, 1, 2, 3, 0x80, 0x40, 0x80]);
    const a = analyseLabel(pixels, 3, 3, 1, PALETTE_SCHEME);
    expect(a.counts).toEqual([1, 2]);
    expect(a.hoodValueMask).toBeNull();
  });

  it('an all-zero label has no foreground, and the reason says what that means', () => {
    const a = analyseLabel(new Uint8Array(6 * 4 * 3), 3, 6, 4, CARLA_SCHEME);
    expect(a.foreground).toBe(0);
    expect(noClassReason(CARLA_SCHEME)).toBe(
      'label has no pixel of any non-background class (road, vehicle): every pixel is background, nothing to learn from',
    );
  });

  it('runs and prefix sums count the overlap of two masks exactly', () => {
    const rng = createSeededRng(11);
    for (let t = 0; t < 20; t++) {
      const n = 1 + Math.floor(rng() * 200);
      const a = Uint8Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0));
      const b = Uint8Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
      let brute = 0;
      for (let i = 0; i < n; i++) brute += a[i] & b[i];
      expect(runsOverlap(maskRuns(a), maskPrefixSums(b))).toBe(brute);
    }
    expect(Array.from(maskRuns(Uint8Array.from([1, 1, 0, 1, 0, 0, 1])))).toEqual([0, 2, 3, 4, 6, 7]);
  });

  it('hood overlaps: per label, NaN where the size differs or no runs were kept', () => {
    const hood = { mask: Uint8Array.from([0, 0, 1, 1]), width: 2, height: 2 };
    const labels = [
      { runs: maskRuns(Uint8Array.from([0, 1, 1, 1])), width: 2, height: 2 },
      { runs: maskRuns(Uint8Array.from([1, 1, 1, 1])), width: 4, height: 1 },
      null,
    ];
    const o = hoodOverlaps(labels, hood);
    expect(o[0]).toBe(2);
    expect(Number.isNaN(o[1]) && Number.isNaN(o[2])).toBe(true);
  });

  it('overlays sample the nearest pixel, background transparent, dark colours brightened', () => {
    const classMap = Uint8Array.from([0, 1, 2, 2]); // 4x1
    const rgba = classOverlayRgba(classMap, 4, 1, CARLA_SCHEME, 2, 1, 200);
    // Output pixel 0 samples input 1 (road), pixel 1 samples input 3 (vehicle).
    expect(Array.from(rgba)).toEqual([...displayColor([128, 64, 128]), 200, ...displayColor([0, 0, 142]), 200]);
    expect(Array.from(classOverlayRgba(classMap, 4, 1, CARLA_SCHEME)).slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(displayColor([0, 0, 142])).toEqual([51, 51, 255]);
    expect(displayColor([220, 20, 60])).toEqual([220, 20, 60]);
  });
});
