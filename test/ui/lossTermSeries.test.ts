import { describe, expect, it } from 'vitest';
import { lossTermSeries } from '../../src/ui/training/lossTermSeries';
import { StepHistory } from '../../src/ui/training/stepHistory';
import type { StepReport } from '../../src/worker/trainingProtocol';

function step(n: number, terms: number[], bce: number | null): StepReport {
  return {
    step: n, epoch: 1, stepsPerEpoch: 10, totalSteps: 100, loss: terms.reduce((a, b) => a + b, 0) + (bce ?? 0), terms, bce, learningRate: 1e-4, msPerStep: 100,
    imagesPerSecond: 20, dataWaitMs: 0, tensors: 500, bytes: 1e6, cache: { entries: 0, bytes: 0, budgetBytes: 1, hits: 0, misses: 0 },
  };
}

describe('lossTermSeries', () => {
  it('has one series per class term and none for BCE when the run has no BCE term', () => {
    const h = new StepHistory();
    h.addStep(step(1, [0.5, 0.6, 0.9], null));
    h.addStep(step(2, [0.4, 0.5, 0.8], null));
    const series = lossTermSeries(h, 0, ['background', 'road', 'vehicle'], [1, 0.5, 2]);
    expect(series.map((s) => s.label)).toEqual(['background (F1)', 'road (F0.5)', 'vehicle (F2)']);
    expect(Array.from(series[2]!.ys)).toEqual([0.9, 0.8]);
  });

  it("names the terms by the scheme's classes and betas, by index beyond them", () => {
    const h = new StepHistory();
    h.addStep(step(1, [0.5, 0.6, 0.9, 0.7], null));
    expect(lossTermSeries(h, 0, ['background', 'road', 'vehicle', 'pedestrian'], [1, 0.5, 2, 1.5]).map((s) => s.label)).toEqual([
      'background (F1)', 'road (F0.5)', 'vehicle (F2)', 'pedestrian (F1.5)',
    ]);
    expect(lossTermSeries(h, 0, ['background', ' '], [1]).map((s) => s.label)).toEqual(['background (F1)', 'class 1', 'class 2', 'class 3']);
  });

  it('adds the BCE term the steps reported, smoothed like the others', () => {
    const h = new StepHistory();
    h.addStep(step(1, [0.5, 0.6, 0.9], 0.7));
    h.addStep(step(2, [0.4, 0.5, 0.8], 0.3));
    const raw = lossTermSeries(h, 0, ['background', 'road', 'vehicle'], [1, 0.5, 2]);
    expect(raw.map((s) => s.id)).toEqual(['term-0', 'term-1', 'term-2', 'bce']);
    const bce = raw.find((s) => s.id === 'bce')!;
    expect(bce.label).toBe('BCE');
    expect(Array.from(bce.xs)).toEqual([1, 2]);
    expect(Array.from(bce.ys)).toEqual([0.7, 0.3]);
    const smoothed = lossTermSeries(h, 0.5, [], []).find((s) => s.id === 'bce')!;
    // EMA with bias correction: (0.5 * 0.5 * 0.7 + 0.5 * 0.3) / (1 - 0.25)
    expect(smoothed.ys[1]).toBeCloseTo((0.25 * 0.7 + 0.5 * 0.3) / 0.75, 12);
  });
});
