import { describe, expect, it } from 'vitest';
import {
  classifyUnpaired,
  consecutiveFrameDifferences,
  deriveDataset,
  folderOf,
  runsAsPairs,
  sizeMismatchReason,
  type DeriveSettings,
  type IndexedPair,
} from '../../src/data/datasetModel';
import { CARLA_SCHEME } from '../../src/data/labelScheme';
import { pairFiles, UNPAIRED_REASONS, type FramePair } from '../../src/data/pairing';

const SETTINGS: DeriveSettings = { threshold: 1.5, thin: null, valRatio: 0.25, seed: 0, splitMode: 'auto' };

function pair(path: string, split: FramePair['split'] = null): FramePair {
  const stem = path.slice(path.lastIndexOf('/') + 1, path.lastIndexOf('.'));
  return { id: path.slice(0, path.lastIndexOf('.')), framePath: path, labelPath: path.replace('CameraRGB', 'CameraSeg'), split, stem };
}

/** A record whose signature is one constant value (differences are then |a - b|). */
function rec(level: number, counts = [60, 30, 10], size = 10): IndexedPair {
  return { width: size, height: size, counts, signature: new Float32Array(4).fill(level) };
}

function derive(pairs: FramePair[], records: (IndexedPair | null)[], settings: Partial<DeriveSettings> = {}, hoodOverlaps: Float64Array | null = null) {
  const d = consecutiveFrameDifferences(pairs, records);
  return deriveDataset({ pairs, records, ...d, scheme: CARLA_SCHEME, hoodOverlaps, settings: { ...SETTINGS, ...settings } });
}

describe('dataset model: problems', () => {
  it('sorts pairing leftovers into problems and plain unpaired files', () => {
    const r = pairFiles([
      { path: 'd/CameraRGB/a.png', size: 10 },
      { path: 'd/CameraRGB/a.jpg', size: 10 },
      { path: 'd/CameraSeg/a.png', size: 10 },
      { path: 'd/CameraRGB/e.png', size: 0 },
      { path: 'd/CameraSeg/e.png', size: 10 },
      { path: 'd/CameraRGB/j.png', size: 10 },
      { path: 'd/CameraSeg/j.jpg', size: 10 },
      { path: 'd/README.md', size: 10 },
    ]);
    const { problems, unpaired } = classifyUnpaired(r.unpaired);
    expect(problems.map((p) => [p.path, p.kind])).toEqual([
      ['d/CameraRGB/a.jpg', 'duplicate-stem'],
      ['d/CameraRGB/e.png', 'empty'],
      ['d/CameraSeg/j.jpg', 'label-not-png'],
    ]);
    expect(unpaired.map((u) => u.path)).toEqual(['d/CameraRGB/j.png', 'd/CameraSeg/e.png', 'd/README.md']);
    expect(unpaired.find((u) => u.path === 'd/README.md')?.reason).toBe(UNPAIRED_REASONS.notImage);
  });

  it('names both sizes when a label differs from its frame', () => {
    expect(sizeMismatchReason(400, 300, 800, 600)).toBe("label is 400x300, its frame 800x600: a label must have its frame's size");
  });
});

describe('dataset model: the derived set', () => {
  it('differences stop at folder and size boundaries; refused pairs are skipped', () => {
    const pairs = [pair('t/CameraRGB/1.png'), pair('t/CameraRGB/2.png'), pair('t/CameraRGB/3.png'), pair('v/CameraRGB/1.png'), pair('v/CameraRGB/2.png')];
    const records = [rec(0), null, rec(1), rec(1), rec(1, undefined, 12)];
    const d = consecutiveFrameDifferences(pairs, records);
    expect(d.usable).toEqual([0, 2, 3, 4]);
    expect(d.differences).toEqual([1, Infinity, Infinity]);
    expect(folderOf('a/b/c.png')).toBe('a/b');
    expect(folderOf('c.png')).toBe('');
  });

  it('folders decide the split when they name val', () => {
    const pairs = [pair('train/CameraRGB/1.png', 'train'), pair('train/CameraRGB/2.png', 'train'), pair('val/CameraRGB/1.png', 'val')];
    const d = derive(pairs, [rec(0), rec(50), rec(100)]);
    expect(d.split.mode).toBe('folders');
    expect([d.split.train, d.split.val]).toEqual([[0, 1], [2]]);
    expect(Array.from(d.splitOf)).toEqual([1, 1, 2]);
  });

  it('a random split keeps near-duplicate runs whole and is the same for the same seed', () => {
    // 12 frames: a run 0-5 (identical), then 6 distinct frames.
    const pairs = Array.from({ length: 12 }, (_, i) => pair(`d/CameraRGB/${i}.png`));
    const records = Array.from({ length: 12 }, (_, i) => rec(i < 6 ? 0 : 10 * i));
    for (let seed = 0; seed < 10; seed++) {
      const d = derive(pairs, records, { seed, valRatio: 0.3 });
      expect(d.runs).toEqual([{ start: 0, end: 5 }]);
      const sides = new Set([0, 1, 2, 3, 4, 5].map((i) => d.splitOf[i]));
      expect(sides.size).toBe(1);
      expect(derive(pairs, records, { seed, valRatio: 0.3 }).split).toEqual(d.split);
    }
  });

  it('thinning keeps the first of each run (or every k-th) and leaves the rest out of both splits', () => {
    const pairs = Array.from({ length: 8 }, (_, i) => pair(`train/CameraRGB/${i}.png`, 'train'));
    const records = Array.from({ length: 8 }, (_, i) => rec(i < 5 ? 0.5 * i : 20 * i));
    const plain = derive(pairs, records);
    expect(plain.runs).toEqual([{ start: 0, end: 4 }]);
    expect(plain.runFrames).toBe(5);
    const first = derive(pairs, records, { thin: { keep: 'first' }, splitMode: 'folders' });
    expect(first.dropped).toEqual([1, 2, 3, 4]);
    expect(first.split.train).toEqual([0, 5, 6, 7]);
    expect(first.split.notes.join(' ')).toContain('4 near-duplicate frame(s) thinned out');
    const every = derive(pairs, records, { thin: { keep: 'every', k: 2 } });
    expect(every.dropped).toEqual([1, 3]);
    expect(runsAsPairs(plain)).toEqual([{ first: 0, last: 4, frames: 5 }]);
  });

  it('class fractions per split, the hood counted as background when given', () => {
    const pairs = [pair('train/CameraRGB/1.png', 'train'), pair('train/CameraRGB/2.png', 'train'), pair('val/CameraRGB/1.png', 'val')];
    const records = [rec(0, [50, 30, 20]), rec(99, [70, 30, 0]), rec(50, [40, 40, 20])];
    const d = derive(pairs, records);
    expect(d.stats.hoodExcluded).toBe(false);
    expect(d.stats.train.classes.map((c) => c.fraction)).toEqual([0.6, 0.3, 0.1]);
    expect(d.stats.train.frameMin).toEqual([0.5, 0.3, 0]);
    expect(d.stats.train.frameMax).toEqual([0.7, 0.3, 0.2]);
    expect(d.stats.val.classes[1].fraction).toBe(0.4);
    // 15 vehicle pixels of frame 0 and 10 of the val frame lie in the hood; NaN = the hood does not apply.
    const h = derive(pairs, records, {}, Float64Array.from([15, NaN, 10]));
    expect(h.stats.hoodExcluded).toBe(true);
    expect(h.stats.train.classes.map((c) => c.pixels)).toEqual([135, 60, 5]);
    expect(h.stats.val.classes.map((c) => c.pixels)).toEqual([50, 40, 10]);
  });

  it('frame sizes, most frequent first', () => {
    const pairs = Array.from({ length: 4 }, (_, i) => pair(`d/CameraRGB/${i}.png`));
    const d = derive(pairs, [rec(0, undefined, 8), rec(50), rec(100), null]);
    expect(d.sizes).toEqual([
      { width: 10, height: 10, count: 2 },
      { width: 8, height: 8, count: 1 },
    ]);
    expect(d.usable).toEqual([0, 1, 2]);
  });
});
