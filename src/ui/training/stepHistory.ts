/**
 * A run's per-step and per-validation numbers, appended in place (a long run has many thousand
 * steps: copying arrays on every step would cost more than drawing them). Holders watch `version`.
 */
import type { StepReport, ValidationReport } from '../../worker/trainingProtocol';

export interface ValidationPoint {
  step: number;
  epoch: number;
  score: number;
  fRoad: number;
  fCar: number;
  precision: number[];
  recall: number[];
}

export class StepHistory {
  readonly steps: number[] = [];
  readonly loss: number[] = [];
  /** One array per loss term (channel order), aligned with `steps`. */
  readonly terms: number[][] = [];
  readonly bce: number[] = [];
  readonly learningRate: number[] = [];
  readonly msPerStep: number[] = [];
  readonly validations: ValidationPoint[] = [];
  version = 0;

  /** Appends a step; a step at or before the last one (a resumed run replaying) replaces the tail from there. */
  addStep(r: StepReport): void {
    const last = this.steps[this.steps.length - 1];
    if (last !== undefined && r.step <= last) this.truncateAfter(r.step - 1);
    this.steps.push(r.step);
    this.loss.push(r.loss);
    r.terms.forEach((t, c) => {
      if (!this.terms[c]) this.terms[c] = new Array<number>(this.steps.length - 1).fill(NaN);
      this.terms[c]!.push(t);
    });
    for (const t of this.terms) if (t.length < this.steps.length) t.push(NaN);
    this.bce.push(r.bce ?? NaN);
    this.learningRate.push(r.learningRate);
    this.msPerStep.push(r.msPerStep);
    this.version++;
  }

  addValidation(r: Omit<ValidationReport, 'previews'>): void {
    const point: ValidationPoint = { step: r.step, epoch: r.epoch, score: r.score, fRoad: r.fRoad, fCar: r.fCar, precision: [...r.precision], recall: [...r.recall] };
    const at = this.validations.findIndex((v) => v.step >= r.step);
    if (at >= 0) this.validations.splice(at, this.validations.length - at, point);
    else this.validations.push(point);
    this.version++;
  }

  /** Drops everything after `step`. */
  truncateAfter(step: number): void {
    let n = this.steps.length;
    while (n > 0 && this.steps[n - 1]! > step) n--;
    for (const a of [this.steps, this.loss, this.bce, this.learningRate, this.msPerStep, ...this.terms]) a.length = Math.min(a.length, n);
    const v = this.validations.findIndex((p) => p.step > step);
    if (v >= 0) this.validations.length = v;
    this.version++;
  }

  /** Replaces everything with a saved run's history. */
  replaceWith(steps: readonly StepReport[], validations: readonly Omit<ValidationReport, 'previews'>[]): void {
    this.clear();
    for (const s of steps) this.addStep(s);
    for (const v of validations) this.addValidation(v);
  }

  clear(): void {
    this.truncateAfter(-Infinity);
    this.terms.length = 0;
  }

  get lastStep(): number | null {
    return this.steps.length ? this.steps[this.steps.length - 1]! : null;
  }

  /** The best validation so far (highest score), or null. */
  best(): ValidationPoint | null {
    let b: ValidationPoint | null = null;
    for (const v of this.validations) if (!b || v.score > b.score) b = v;
    return b;
  }
}
