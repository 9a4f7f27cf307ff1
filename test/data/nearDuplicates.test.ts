import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consecutiveDifferences,
  DEFAULT_DUPLICATE_THRESHOLD,
  findRuns,
  frameDifference,
  runsFromDifferences,
  thinRuns,
  thumbnailSignature,
} from '../../src/data/nearDuplicates';
import { naturalCompare } from '../../src/data/pairing';
import { decodePng, type DecodedImage } from '../../src/io/png';
import { LYFT_REAL_DIR } from '../paths';

/*
 * Real frames: train/ is one drive sampled every 4th frame; the car waits at a red light from
 * 000_0149 to about 000_0193 (then a car drives up beside it). Decoding an 800x600 PNG costs tens
 * of ms, so the test reads a 20-frame window around that stop (moving -> stopped -> moving) and
 * the 5 val frames, not all 120; the numbers for all 120 are in src/data/nearDuplicates.ts.
 */
const WINDOW_FIRST = '000_0133.png';
const WINDOW_SIZE = 20;

function pngFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.png')).sort(naturalCompare);
}

function load(dir: string, names: string[]): Array<{ name: string; img: DecodedImage; sig: Float32Array }> {
  return names.map((name) => {
    const img = decodePng(new Uint8Array(readFileSync(join(dir, name))));
    return { name, img, sig: thumbnailSignature(img.data, img.width, img.height, img.channels) };
  });
}

const stats = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o: { min: number; median: number; max: number }) => `min ${o.min.toFixed(2)}, median ${o.median.toFixed(2)}, max ${o.max.toFixed(2)}`;

/** Deterministic noise in -amp..amp. */
function addNoise(data: Uint8Array, amp: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.max(0, Math.min(255, data[i] + (s % (2 * amp + 1)) - amp));
  }
  return out;
}

let train: ReturnType<typeof load>;
let val: ReturnType<typeof load>;

beforeAll(() => {
  const trainDir = join(LYFT_REAL_DIR, 'train/CameraRGB');
  const names = pngFiles(trainDir);
  const first = names.indexOf(WINDOW_FIRST);
  train = load(trainDir, names.slice(first, first + WINDOW_SIZE));
  const valDir = join(LYFT_REAL_DIR, 'val/CameraRGB');
  val = load(valDir, pngFiles(valDir));
});

describe('thumbnail signature and difference', () => {
  it('box-averages luma into 32x24 cells; handles gray, RGBA and images smaller than the thumbnail', () => {
    // 64x48 RGB: left half black, right half white -> cells 0..15 are 0, 16..31 are 255.
    const w = 64;
    const h = 48;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = w / 2; x < w; x++) rgb.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const sig = thumbnailSignature(rgb, w, h, 3);
    expect(sig.length).toBe(32 * 24);
    expect(sig[0]).toBe(0);
    expect(sig[15]).toBe(0);
    expect(sig[16]).toBeCloseTo(255, 3);
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 7], i * 4);
    expect(frameDifference(sig, thumbnailSignature(rgba, w, h, 4))).toBeLessThan(1e-3);
    const gray = Uint8Array.from({ length: 10 * 5 }, (_, i) => i);
    const small = thumbnailSignature(gray, 10, 5, 1, { width: 20, height: 10 });
    expect(small.length).toBe(200);
    expect(small[0]).toBe(0);
    expect(small[199]).toBe(49);
    expect(() => thumbnailSignature(gray, 10, 6, 1)).toThrow(RangeError);
    expect(() => frameDifference(new Float32Array(3), new Float32Array(4))).toThrow(RangeError);
  });

  it('a frame and itself differ by 0; tiny noise barely registers', () => {
    const f = train[0];
    expect(frameDifference(f.sig, f.sig)).toBe(0);
    expect(frameDifference(f.sig, thumbnailSignature(f.img.data, f.img.width, f.img.height, 3))).toBe(0);
    const noisy = addNoise(f.img.data, 3, 1);
    expect(frameDifference(f.sig, thumbnailSignature(noisy, f.img.width, f.img.height, 3))).toBeLessThan(0.2);
  });
});

describe('near-duplicate runs on real frames', () => {
  it('consecutive frames vs frames of other drives: the distributions and the default threshold', () => {
    const consecutive = consecutiveDifferences(train.map((t) => t.sig));
    const valPairs: number[] = [];
    for (let i = 0; i < val.length; i++) for (let j = i + 1; j < val.length; j++) valPairs.push(frameDifference(val[i].sig, val[j].sig));
    const valTrain: number[] = [];
    for (const v of val) for (const t of train) valTrain.push(frameDifference(v.sig, t.sig));
    console.log(
      `consecutive train frames (${consecutive.length}): ${consecutive.map((d) => d.toFixed(1)).join(' ')}\n` +
        `  ${fmt(stats(consecutive))}\n` +
        `val vs val (other drives, ${valPairs.length} pairs): ${fmt(stats(valPairs))}\n` +
        `val vs train (${valTrain.length} pairs): ${fmt(stats(valTrain))}\n` +
        `default threshold: ${DEFAULT_DUPLICATE_THRESHOLD}`,
    );
    // The stop: 11 differences in a row below the threshold; the moving frames around it well above.
    const below = consecutive.map((d) => d <= DEFAULT_DUPLICATE_THRESHOLD);
    expect(below.filter(Boolean).length).toBe(11);
    expect(Math.min(...consecutive.slice(0, 4))).toBeGreaterThan(2 * DEFAULT_DUPLICATE_THRESHOLD);
    // Frames of other drives are far apart.
    expect(stats(valPairs).min).toBeGreaterThan(10 * DEFAULT_DUPLICATE_THRESHOLD);
    expect(stats(valTrain).min).toBeGreaterThan(5 * DEFAULT_DUPLICATE_THRESHOLD);
  });

  it('finds the wait at the red light as one run: 000_0149 .. 000_0193', () => {
    const runs = findRuns(train.map((t) => t.sig));
    expect(runs).toHaveLength(1);
    expect(train[runs[0].start].name).toBe('000_0149.png');
    expect(train[runs[0].end].name).toBe('000_0193.png');
    const thinned = thinRuns(train.map((t) => t.name), runs, { keep: 'first' });
    expect(thinned.kept).toHaveLength(WINDOW_SIZE - 11);
    expect(thinned.kept).toContain('000_0149.png');
    expect(thinned.dropped).not.toContain('000_0149.png');
  });

  it('frames from different drives (val/) are not a run, in any order', () => {
    expect(findRuns(val.map((v) => v.sig))).toEqual([]);
    expect(findRuns([...val].reverse().map((v) => v.sig))).toEqual([]);
  });

  it('an artificially repeated frame (3 times with tiny noise) is found as a run', () => {
    const v = val[2];
    const copies = [1, 2].map((seed) => thumbnailSignature(addNoise(v.img.data, 4, seed), v.img.width, v.img.height, 3));
    const seq = [val[0].sig, val[1].sig, v.sig, ...copies, val[3].sig, val[4].sig];
    expect(findRuns(seq)).toEqual([{ start: 2, end: 4 }]);
  });
});

describe('runs and thinning (synthetic)', () => {
  it('runs are maximal chains of >= 2 frames, each within the threshold of the previous', () => {
    // frames: 0 1 2 3 4 5 6 ; differences between neighbours:
    const d = [0.5, 0.5, 9, 1, 9, 0.2, 0.2];
    expect(runsFromDifferences(d, 1)).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 4 },
      { start: 5, end: 7 },
    ]);
    expect(runsFromDifferences(d, 0.1)).toEqual([]);
    expect(runsFromDifferences([], 1)).toEqual([]);
    expect(findRuns([new Float32Array([1])])).toEqual([]);
  });

  it("thinRuns: 'first' keeps the first of each run; 'every' keeps every k-th from the start", () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const runs = [{ start: 1, end: 5 }, { start: 6, end: 7 }];
    expect(thinRuns(ids, runs, { keep: 'first' })).toEqual({ kept: ['a', 'b', 'g'], dropped: ['c', 'd', 'e', 'f', 'h'] });
    expect(thinRuns(ids, runs, { keep: 'every', k: 2 })).toEqual({ kept: ['a', 'b', 'd', 'f', 'g'], dropped: ['c', 'e', 'h'] });
    expect(thinRuns(ids, runs, { keep: 'every', k: 1 }).kept).toEqual(ids);
    expect(thinRuns(ids, [], { keep: 'first' }).kept).toEqual(ids);
    expect(() => thinRuns(ids, [{ start: 5, end: 8 }], { keep: 'first' })).toThrow(RangeError);
    expect(() => thinRuns(ids, runs, { keep: 'every', k: 0 })).toThrow(RangeError);
  });
});
