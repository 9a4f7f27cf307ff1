/** The series of the "loss terms" chart: 1 − soft F per class, and the BCE term when the run has one. */
import { classNameAt } from '../../data/labelScheme';
import { emaSmooth } from '../../training/history';
import type { ChartSeries } from './chartGeometry';
import type { StepHistory } from './stepHistory';

const TERM_COLORS = ['#8a94a6', '#4f9dff', '#f2b84b', '#c38bff'];
const BCE_COLOR = '#ff8fb1';

/**
 * One series per class term, named by the label scheme's class and its beta ("road (F0.5)"), plus
 * 'BCE' when any step reported one (its weight was > 0); EMA-smoothed when smoothing > 0.
 */
export function lossTermSeries(history: Pick<StepHistory, 'steps' | 'terms' | 'bce'>, smoothing: number, classNames: readonly string[], betas: readonly number[]): ChartSeries[] {
  const smooth = (ys: number[]) => (smoothing > 0 ? emaSmooth(ys, smoothing) : ys);
  const out: ChartSeries[] = history.terms.map((t, c) => ({
    id: `term-${c}`,
    label: termLabel(classNames, betas[c], c),
    color: TERM_COLORS[c % TERM_COLORS.length]!,
    xs: history.steps,
    ys: smooth(t),
  }));
  if (history.bce.some(Number.isFinite)) out.push({ id: 'bce', label: 'BCE', color: BCE_COLOR, xs: history.steps, ys: smooth(history.bce) });
  return out;
}

function termLabel(classNames: readonly string[], beta: number | undefined, c: number): string {
  const shown = classNameAt(classNames, c);
  return beta === undefined ? shown : `${shown} (F${beta})`;
}
