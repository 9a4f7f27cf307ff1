import { describe, expect, it } from 'vitest';
import { downsampleIndices, emaSmooth, etaMs, finiteRange, formatBytes, formatDuration, linearTicks, logTicks, niceStep, recentMedian } from '../../src/training/history';

describe('emaSmooth', () => {
  it('returns the input for weight 0 and a constant series unchanged for any weight (bias-corrected)', () => {
    expect(emaSmooth([3, 1, 4, 1, 5], 0)).toEqual([3, 1, 4, 1, 5]);
    for (const v of emaSmooth([2, 2, 2, 2], 0.9)) expect(v).toBeCloseTo(2, 12);
  });

  it('follows the EMA recurrence with debiasing', () => {
    const w = 0.5;
    const out = emaSmooth([1, 3], w);
    expect(out[0]).toBeCloseTo(1, 12);
    // acc = 0.5*(0.5*1) + 0.5*3 = 1.75; debias 1 - 0.25 = 0.75
    expect(out[1]).toBeCloseTo(1.75 / 0.75, 12);
  });

  it('skips non-finite values and lags a step change', () => {
    const out = emaSmooth([NaN, 1, NaN, 1, 10, 10], 0.8);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(1, 12);
    expect(out[2]).toBeCloseTo(1, 12);
    expect(out[4]).toBeGreaterThan(1);
    expect(out[4]).toBeLessThan(10);
    expect(out[5]).toBeGreaterThan(out[4]!);
  });

  it('refuses a weight outside [0, 1)', () => {
    expect(() => emaSmooth([1], 1)).toThrow(/weight/);
    expect(() => emaSmooth([1], -0.1)).toThrow(/weight/);
  });
});

describe('downsampleIndices', () => {
  it('keeps every index when the series fits', () => {
    expect(downsampleIndices([5, 4, 3], 100)).toEqual([0, 1, 2]);
  });

  it('reduces a long series to at most 4 points per bucket, ordered, keeping the global extremes and both ends', () => {
    const n = 100_000;
    const ys = Array.from({ length: n }, (_, i) => Math.sin(i / 500) + (i === 31_337 ? 50 : 0) - (i === 77_777 ? 40 : 0));
    const idx = downsampleIndices(ys, 300);
    expect(idx.length).toBeLessThanOrEqual(1200);
    expect(idx.length).toBeGreaterThan(300);
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
    expect(idx).toContain(31_337);
    expect(idx).toContain(77_777);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
  });

  it('never picks a NaN as an extreme', () => {
    const ys = Array.from({ length: 1000 }, (_, i) => (i % 7 === 3 ? NaN : i % 11));
    const idx = downsampleIndices(ys, 10);
    const interior = idx.filter((i) => i % 100 !== 0 && i % 100 !== 99);
    for (const i of interior) expect(Number.isFinite(ys[i]!)).toBe(true);
  });
});

describe('ticks', () => {
  it('picks 1-2-5 steps', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(1, 4)).toBe(0.2);
    expect(niceStep(700, 5)).toBe(100);
  });

  it('linear ticks lie inside the range on multiples of the step', () => {
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0.13, 0.92, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(linearTicks(3, 3)).toEqual([3]);
    expect(linearTicks(NaN, 1)).toEqual([]);
    const t = linearTicks(-37, 1234, 6);
    for (const v of t) expect(v).toBeGreaterThanOrEqual(-37);
    expect(t.every((v) => v % 200 === 0)).toBe(true);
  });

  it('log ticks are powers of ten over many decades, 1-2-5 over few', () => {
    expect(logTicks(1e-6, 1e-4)).toEqual([1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4]);
    expect(logTicks(3e-7, 2e-3)).toEqual([1e-6, 1e-5, 1e-4, 1e-3]);
    expect(logTicks(0, 1)).toEqual([]);
  });

  it('finiteRange ignores NaN/Inf and, for log axes, non-positive values', () => {
    expect(finiteRange([NaN, 2, -1, Infinity, 5])).toEqual([-1, 5]);
    expect(finiteRange([0, -1, 3, 0.5], true)).toEqual([0.5, 3]);
    expect(finiteRange([NaN])).toBeNull();
  });
});

describe('ETA and formats', () => {
  it('uses the median of recent step times (a slow first step does not dominate)', () => {
    expect(recentMedian([9000, 100, 110, 90, 100], 20)).toBe(100);
    expect(recentMedian([1, 2, 3, 4], 2)).toBe(3.5);
    expect(etaMs([9000, 100, 110, 90, 100], 5, 105)).toBe(100 * 100);
    expect(etaMs([], 0, 10)).toBeNull();
    expect(etaMs([100], 10, 10)).toBe(0);
  });

  it('formats durations and bytes', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(725_000)).toBe('12 min 05 s');
    expect(formatDuration(3 * 3600_000 + 7 * 60_000)).toBe('3 h 07 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3.5 * 1024 * 1024)).toBe('3.50 MiB');
    expect(formatBytes(1.2 * 1024 ** 3)).toBe('1.20 GiB');
  });
});
