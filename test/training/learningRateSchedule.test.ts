import { describe, expect, it } from 'vitest';
import { learningRateAt, stepPhase } from '../../src/training/learningRateSchedule';

describe('learning-rate schedules', () => {
  it('constant keeps the base rate', () => {
    expect([0, 50, 104].map((s) => learningRateAt('constant', 1e-4, s, 105))).toEqual([1e-4, 1e-4, 1e-4]);
  });

  it("step follows the original's 75 / 20 / 10 epochs of 105 at 1e-4, 1e-5, 1e-6", () => {
    const rates = Array.from({ length: 105 }, (_, e) => learningRateAt('step', 1e-4, e, 105));
    expect(rates.filter((r) => r === 1e-4)).toHaveLength(75);
    expect(rates.filter((r) => Math.abs(r - 1e-5) < 1e-18)).toHaveLength(20);
    expect(rates.filter((r) => Math.abs(r - 1e-6) < 1e-19)).toHaveLength(10);
    expect(stepPhase(74, 105)).toBe(0);
    expect(stepPhase(75, 105)).toBe(1);
    expect(stepPhase(95, 105)).toBe(2);
  });

  it('step scales the phases to the run length', () => {
    // 210 steps: the phases end at 150 and 190.
    expect(learningRateAt('step', 2e-3, 149, 210)).toBe(2e-3);
    expect(learningRateAt('step', 2e-3, 150, 210)).toBeCloseTo(2e-4, 15);
    expect(learningRateAt('step', 2e-3, 190, 210)).toBeCloseTo(2e-5, 15);
  });

  it('cosine falls from the base to zero by half a cosine', () => {
    expect(learningRateAt('cosine', 1e-3, 0, 100)).toBe(1e-3);
    expect(learningRateAt('cosine', 1e-3, 50, 100)).toBeCloseTo(5e-4, 15);
    expect(learningRateAt('cosine', 1e-3, 25, 100)).toBeCloseTo(1e-3 * 0.5 * (1 + Math.SQRT1_2), 15);
    expect(learningRateAt('cosine', 1e-3, 100, 100)).toBeCloseTo(0, 15);
  });

  it('refuses a negative or non-numeric base', () => {
    expect(() => learningRateAt('constant', -1, 0, 10)).toThrow(RangeError);
    expect(() => learningRateAt('constant', Number.NaN, 0, 10)).toThrow(RangeError);
  });
});
