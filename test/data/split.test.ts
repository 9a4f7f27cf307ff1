import { describe, expect, it } from 'vitest';
import { createSeededRng, splitDataset, type SplitItem } from '../../src/data/split';

const items = (n: number, split: SplitItem['split'] = null): SplitItem[] => Array.from({ length: n }, (_, i) => ({ id: `f${i}`, split }));

describe('seeded generator', () => {
  it('is deterministic, in [0, 1), and roughly uniform', () => {
    const a = createSeededRng(42);
    const b = createSeededRng(42);
    const c = createSeededRng(43);
    const va = Array.from({ length: 1000 }, a);
    expect(va).toEqual(Array.from({ length: 1000 }, b));
    expect(va.slice(0, 10)).not.toEqual(Array.from({ length: 10 }, c));
    expect(Math.min(...va)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...va)).toBeLessThan(1);
    const mean = va.reduce((s, v) => s + v, 0) / va.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05); // sd of the mean is 0.009
  });
});

describe('train/val split', () => {
  it('uses the folders when pairs name a val split; unmarked frames go to train', () => {
    const list: SplitItem[] = [
      { id: 'a', split: 'train' },
      { id: 'b', split: 'val' },
      { id: 'c', split: null },
      { id: 'd', split: 'val' },
    ];
    const r = splitDataset(list, { valRatio: 0.5, seed: 1 });
    expect(r.mode).toBe('folders');
    expect(r.train).toEqual(['a', 'c']);
    expect(r.val).toEqual(['b', 'd']);
    expect(r.notes[1]).toMatch(/1 frame\(s\) outside train\/val folders were put in train/);
    // Forcing a random split ignores the folders.
    expect(splitDataset(list, { valRatio: 0.5, seed: 1, mode: 'random' }).mode).toBe('random');
  });

  it('random split: deterministic by seed, close to the ratio, every item exactly once', () => {
    const list = items(1000, 'train'); // only a train folder: no val named -> random
    const a = splitDataset(list, { valRatio: 0.15, seed: 7 });
    const b = splitDataset(list, { valRatio: 0.15, seed: 7 });
    const c = splitDataset(list, { valRatio: 0.15, seed: 8 });
    expect(a.mode).toBe('random');
    expect(a).toEqual(b);
    expect(c.val).not.toEqual(a.val);
    expect(a.val).toHaveLength(150);
    expect(new Set([...a.train, ...a.val]).size).toBe(1000);
    // Input order is kept inside each side.
    expect([...a.val].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)))).toEqual(a.val);
  });

  it('keeps each near-duplicate run whole on one side, for every seed', () => {
    const list = items(200);
    const runs = [
      { start: 10, end: 29 },
      { start: 50, end: 52 },
      { start: 100, end: 139 },
      { start: 198, end: 199 },
    ];
    let runInVal = 0;
    for (let seed = 0; seed < 50; seed++) {
      const r = splitDataset(list, { valRatio: 0.2, seed, runs });
      const val = new Set(r.val);
      for (const run of runs) {
        const sides = new Set(list.slice(run.start, run.end + 1).map((it) => val.has(it.id)));
        expect(sides.size).toBe(1);
        if (val.has(list[run.start].id)) runInVal++;
      }
      expect(r.train.length + r.val.length).toBe(200);
      expect(Math.abs(r.val.length - 40)).toBeLessThanOrEqual(20); // a run of 40 can overshoot by half its size
    }
    expect(runInVal).toBeGreaterThan(0); // runs do land in val sometimes
  });

  it('edge cases: ratio 0 and 1, tiny sets, bad runs', () => {
    expect(splitDataset(items(10), { valRatio: 0 }).val).toEqual([]);
    expect(splitDataset(items(10), { valRatio: 1 }).train).toEqual([]);
    expect(splitDataset(items(10), { valRatio: 0.01 }).val).toHaveLength(1); // at least one val frame
    expect(splitDataset(items(2), { valRatio: 0.99 }).train).toHaveLength(1); // at least one train frame
    expect(splitDataset([], {}).train).toEqual([]);
    expect(() => splitDataset(items(5), { runs: [{ start: 3, end: 5 }] })).toThrow(RangeError);
    expect(() => splitDataset(items(5), { runs: [{ start: 0, end: 2 }, { start: 2, end: 3 }] })).toThrow(/overlap/);
    expect(() => splitDataset(items(5), { valRatio: 1.5 })).toThrow(RangeError);
  });
});
