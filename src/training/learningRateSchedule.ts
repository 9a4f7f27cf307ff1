/**
 * Learning rate per step. 'step' follows the original: 1e-4, 1e-5, 1e-6 over 75, 20 and 10 of
 * 105 epochs, i.e. base * 10^-k for the phases [0, 75/105), [75/105, 95/105), [95/105, 1] of the
 * run's steps. 'cosine' falls from base to 0 over the run (half a cosine).
 */
import type { LearningRateSchedule } from '../worker/trainingProtocol';

/** Phase boundaries of the 'step' schedule as fractions of the run. */
export const STEP_PHASE_ENDS = [75 / 105, 95 / 105] as const;

/** The phase (0, 1 or 2) of 0-based `step` in a run of `totalSteps` under the 'step' schedule. */
export function stepPhase(step: number, totalSteps: number): number {
  const t = totalSteps > 0 ? step / totalSteps : 0;
  return t < STEP_PHASE_ENDS[0] ? 0 : t < STEP_PHASE_ENDS[1] ? 1 : 2;
}

/** The learning rate of 0-based `step` (the step about to run) of `totalSteps`. */
export function learningRateAt(schedule: LearningRateSchedule, base: number, step: number, totalSteps: number): number {
  if (!(base >= 0) || !Number.isFinite(base)) throw new RangeError(`learning rate ${base} is not a number >= 0`);
  switch (schedule) {
    case 'constant':
      return base;
    case 'step':
      return base * 10 ** -stepPhase(step, totalSteps);
    case 'cosine': {
      const t = totalSteps > 0 ? Math.min(1, Math.max(0, step / totalSteps)) : 0;
      return base * 0.5 * (1 + Math.cos(Math.PI * t));
    }
  }
}
