import { describe, expect, it } from 'vitest';
import { StepHistory } from '../../src/ui/training/stepHistory';
import type { StepReport, ValidationReport } from '../../src/worker/trainingProtocol';

function step(n: number, loss: number, terms = [loss / 3, loss / 3, loss / 3]): StepReport {
  return {
    step: n, epoch: 0, stepsPerEpoch: 10, totalSteps: 100, loss, terms, bce: null, learningRate: 1e-4, msPerStep: 100, imagesPerSecond: 20, dataWaitMs: 0, tensors: 500, bytes: 1e6,
    cache: { entries: 0, bytes: 0, budgetBytes: 1, hits: 0, misses: 0 },
  };
}

function val(n: number, score: number): ValidationReport {
  return { step: n, epoch: 0, frames: 2, fRoad: score, fCar: score, score, precision: [1, 1, 1], recall: [1, 1, 1], thresholds: { road: 0.5, car: 0.5 }, previews: [] };
}

describe('StepHistory', () => {
  it('appends steps with aligned term arrays and bumps the version', () => {
    const h = new StepHistory();
    h.addStep(step(1, 3));
    h.addStep(step(2, 2.4));
    expect(h.steps).toEqual([1, 2]);
    expect(h.loss).toEqual([3, 2.4]);
    expect(h.terms).toHaveLength(3);
    expect(h.terms[1]).toEqual([1, 2.4 / 3]);
    expect(h.bce.every(Number.isNaN)).toBe(true);
    expect(h.version).toBe(2);
    expect(h.lastStep).toBe(2);
  });

  it('replaces the tail when a resumed run reports steps again from an earlier point', () => {
    const h = new StepHistory();
    for (let i = 1; i <= 6; i++) h.addStep(step(i, 3 - i * 0.1));
    h.addValidation(val(3, 0.4));
    h.addValidation(val(6, 0.5));
    h.addStep(step(5, 1));
    expect(h.steps).toEqual([1, 2, 3, 4, 5]);
    expect(h.loss[4]).toBe(1);
    expect(h.terms.every((t) => t.length === 5)).toBe(true);
    expect(h.validations.map((v) => v.step)).toEqual([3]);
  });

  it('keeps validations ordered by step and reports the best', () => {
    const h = new StepHistory();
    h.addValidation(val(10, 0.3));
    h.addValidation(val(20, 0.7));
    h.addValidation(val(30, 0.6));
    expect(h.best()?.step).toBe(20);
    h.addValidation(val(20, 0.2));
    expect(h.validations.map((v) => v.step)).toEqual([10, 20]);
    expect(h.best()?.step).toBe(10);
    h.clear();
    expect(h.steps).toEqual([]);
    expect(h.validations).toEqual([]);
    expect(h.best()).toBeNull();
  });
});
