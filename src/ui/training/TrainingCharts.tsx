/** The live charts: loss (raw + smoothed, compared runs), loss terms, validation scores, learning rate. */
import { memo, useMemo, useState } from 'react';
import { useDatasetStore } from '../../state/datasetStore';
import { comparedHistories, liveHistory, useTrainingStore } from '../../state/trainingStore';
import { emaSmooth } from '../../training/history';
import type { ChartSeries } from './chartGeometry';
import { LineChart } from './LineChart';
import { lossTermSeries } from './lossTermSeries';
import type { StepHistory } from './stepHistory';
import { useDeferredHistoryVersion, useDeferredTraining } from './useDeferredVersion';

const COMPARE_COLORS = ['#c38bff', '#ff8fb1', '#7ee0d0', '#e0c07e'];
const SCORE_DOMAIN: [number, number] = [0, 1];

function validationSeries(h: StepHistory, key: 'score' | 'fRoad' | 'fCar'): { xs: number[]; ys: number[] } {
  return { xs: h.validations.map((v) => v.step), ys: h.validations.map((v) => v[key]) };
}

export const TrainingCharts = memo(function TrainingCharts() {
  const version = useDeferredHistoryVersion();
  // Deferred like the version: a listing of the saved runs (which only names the compared ones)
  // must not redraw every chart synchronously.
  const compared = useDeferredTraining((s) => s.compared);
  const savedRuns = useDeferredTraining((s) => s.savedRuns);
  const [smoothing, setSmoothing] = useState(0.9);
  const [logLoss, setLogLoss] = useState(false);

  const nameOf = (id: string) => savedRuns?.find((r) => r.runId === id)?.name ?? id;

  const lossSeries = useMemo((): ChartSeries[] => {
    const h = liveHistory;
    const out: ChartSeries[] = [
      { id: 'raw', label: 'raw', color: '#4f9dff', xs: h.steps, ys: h.loss, faint: true },
      { id: 'smoothed', label: `smoothed (${smoothing})`, color: '#4f9dff', xs: h.steps, ys: smoothing > 0 ? emaSmooth(h.loss, smoothing) : h.loss },
    ];
    compared.forEach((id, i) => {
      const c = comparedHistories.get(id);
      if (c) out.push({ id: `cmp-${i}`, label: nameOf(id), color: COMPARE_COLORS[i % COMPARE_COLORS.length]!, xs: c.steps, ys: smoothing > 0 ? emaSmooth(c.loss, smoothing) : c.loss, faint: true, dashed: true });
    });
    return out;
  }, [version, smoothing, compared, savedRuns]);

  const scheme = useDatasetStore((s) => s.scheme);
  const lossTerms = useTrainingStore((s) => s.settings.loss.terms);
  const termSeries = useMemo(
    (): ChartSeries[] => lossTermSeries(liveHistory, smoothing, scheme.classes.map((c) => c.name), lossTerms.map((t) => t.beta)),
    [version, smoothing, scheme, lossTerms],
  );

  const valSeries = useMemo((): ChartSeries[] => {
    const s = validationSeries(liveHistory, 'score');
    const r = validationSeries(liveHistory, 'fRoad');
    const v = validationSeries(liveHistory, 'fCar');
    const out: ChartSeries[] = [
      { id: 'score', label: 'score', color: '#3ecf8e', ...s, dots: true },
      { id: 'froad', label: 'F0.5 road', color: '#4f9dff', ...r, dots: true },
      { id: 'fcar', label: 'F2 vehicle', color: '#f2b84b', ...v, dots: true },
    ];
    compared.forEach((id, i) => {
      const c = comparedHistories.get(id);
      if (c) out.push({ id: `cmp-${i}`, label: `${nameOf(id)} score`, color: COMPARE_COLORS[i % COMPARE_COLORS.length]!, ...validationSeries(c, 'score'), faint: true, dashed: true, dots: true });
    });
    return out;
  }, [version, compared, savedRuns]);

  const lrSeries = useMemo((): ChartSeries[] => [{ id: 'lr', label: 'learning rate', color: '#c38bff', xs: liveHistory.steps, ys: liveHistory.learningRate }], [version]);

  return (
    <section className="ds-card tr-charts" data-testid="training-charts">
      <header className="ds-card-head">
        <h3>Curves</h3>
        <span className="tr-chart-controls">
          <label>
            smoothing
            <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} data-testid="training-smoothing" />
            <span className="tr-mono">{smoothing.toFixed(2)}</span>
          </label>
          <label>
            <input type="checkbox" checked={logLoss} onChange={(e) => setLogLoss(e.target.checked)} data-testid="training-log-loss" /> log scale
          </label>
          <button
            type="button"
            className="ds-btn ghost small"
            disabled={liveHistory.steps.length === 0}
            onClick={() => void useTrainingStore.getState().exportCurves(null)}
            title="Download this run's curves: one row per step (loss, loss terms, learning rate, time) and one per validation (score, F-scores, precision and recall per class)"
            data-testid="training-export-curves"
          >
            Export CSV
          </button>
        </span>
      </header>
      <div className="tr-chart-grid">
        <LineChart testId="chart-loss" title="Training loss" series={lossSeries} version={version} yScale={logLoss ? 'log' : 'linear'} />
        <LineChart testId="chart-val" title="Validation (challenge grader)" series={valSeries} version={version} yDomain={SCORE_DOMAIN} />
        <LineChart testId="chart-terms" title="Loss terms (1 − soft F; BCE when weighted)" series={termSeries} version={version} yScale={logLoss ? 'log' : 'linear'} />
        <LineChart testId="chart-lr" title="Learning rate" series={lrSeries} version={version} yScale="log" />
      </div>
    </section>
  );
});
