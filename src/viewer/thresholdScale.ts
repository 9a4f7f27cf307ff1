/**
 * The threshold sliders' scales. Vehicle: log10 of the threshold, from 1e-5 up to 0.99 (low
 * thresholds favour recall, as F2 wants). Road: log10 of 1 - threshold, so the slider reaches
 * 1 - 1e-5 (high thresholds favour precision, as F0.5 wants). Positions run 0..SLIDER_STEPS.
 */
import type { ChallengeClass } from '../postprocess/settings';

export const SLIDER_STEPS = 1000;
const LOW = -5;
const HIGH = Math.log10(0.99);

function clampPos(pos: number): number {
  return Math.min(SLIDER_STEPS, Math.max(0, pos));
}

/** The threshold at a slider position (increasing with the position for both classes). */
export function sliderToThreshold(cls: ChallengeClass, pos: number): number {
  const f = clampPos(pos) / SLIDER_STEPS;
  if (cls === 'car') return 10 ** (LOW + (HIGH - LOW) * f);
  return 1 - 10 ** (HIGH - (HIGH - LOW) * f);
}

/** The slider position nearest to a threshold (clamped to the slider's ends). */
export function thresholdToSlider(cls: ChallengeClass, t: number): number {
  const x = cls === 'car' ? Math.log10(Math.max(t, 1e-12)) : Math.log10(Math.max(1 - t, 1e-12));
  const f = cls === 'car' ? (x - LOW) / (HIGH - LOW) : (HIGH - x) / (HIGH - LOW);
  return Math.round(clampPos(f * SLIDER_STEPS));
}

/** A threshold as people write it: 1e-5, 0.01, 0.5, 0.99999 (1 - 1e-5). */
export function formatThreshold(t: number): string {
  if (t > 0 && t < 1e-3) return t.toExponential(0).replace('e-', 'e-');
  if (t > 0.999 && t < 1) {
    const rest = 1 - t;
    const digits = Math.max(0, Math.ceil(-Math.log10(rest)) + 1);
    return t.toFixed(Math.min(digits, 12)).replace(/0+$/, '');
  }
  return String(Number(t.toPrecision(4)));
}

/** Parses a typed threshold: a number in (0, 1), also "1-1e-5". Returns null when it is not one. */
export function parseThreshold(text: string): number | null {
  const s = text.trim().replace(/\s+/g, '');
  const m = /^1-(.+)$/.exec(s);
  const v = m ? 1 - Number(m[1]) : Number(s);
  return s !== '' && Number.isFinite(v) && v > 0 && v < 1 ? v : null;
}
