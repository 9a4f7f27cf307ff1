/** Near-duplicate runs: the threshold, a plot of consecutive differences, thinning. */
import { useMemo } from 'react';
import { runsAsPairs } from '../../data/datasetModel';
import { DEFAULT_DUPLICATE_THRESHOLD } from '../../data/nearDuplicates';
import { useDatasetStore } from '../../state/datasetStore';
import { baseName, formatInt } from './format';

/** Differences above this are drawn at full height (square-root scale below it). */
const PLOT_CAP = 30;
const MAX_BARS = 480;

function DifferencePlot({ differences, threshold }: { differences: number[]; threshold: number }) {
  const { same, other, bars } = useMemo(() => {
    const n = differences.length;
    const bars = Math.min(MAX_BARS, n);
    let same = '';
    let other = '';
    for (let b = 0; b < bars; b++) {
      const from = Math.floor((b * n) / bars);
      const to = Math.max(from + 1, Math.floor(((b + 1) * n) / bars));
      let min = Infinity;
      for (let i = from; i < to; i++) if (differences[i] < min) min = differences[i];
      if (!Number.isFinite(min)) continue; // a folder or size boundary
      const h = 100 * Math.sqrt(Math.min(min, PLOT_CAP) / PLOT_CAP);
      const seg = `M${b + 0.5} 100V${(100 - Math.max(h, 1.5)).toFixed(2)}`;
      if (min <= threshold) same += seg;
      else other += seg;
    }
    return { same, other, bars };
  }, [differences, threshold]);
  const ty = 100 - 100 * Math.sqrt(Math.min(threshold, PLOT_CAP) / PLOT_CAP);
  return (
    <svg className="ds-plot" viewBox={`0 0 ${Math.max(1, bars)} 100`} preserveAspectRatio="none" role="img" aria-label="Difference of each frame to the previous one">
      <path d={other} stroke="#3a4a63" strokeWidth={0.8} />
      <path d={same} stroke="#f2b84b" strokeWidth={0.8} />
      <line x1={0} x2={bars} y1={ty} y2={ty} stroke="#ff6b6b" strokeWidth={1} vectorEffect="non-scaling-stroke" strokeDasharray="4 3" />
    </svg>
  );
}

export function DuplicatesCard() {
  const derived = useDatasetStore((s) => s.derived);
  const diffs = useDatasetStore((s) => s.diffs);
  const pairing = useDatasetStore((s) => s.pairing);
  const settings = useDatasetStore((s) => s.settings);
  const setThreshold = useDatasetStore((s) => s.setThreshold);
  const thin = useDatasetStore((s) => s.thin);
  const setThinEvery = useDatasetStore((s) => s.setThinEvery);
  const select = useDatasetStore((s) => s.select);
  const ready = diffs !== null;
  const runs = useMemo(() => (derived && ready ? runsAsPairs(derived) : []), [derived, ready]);
  const longest = runs.reduce((m, r) => Math.max(m, r.frames), 0);
  const thinMode = settings.thin;

  return (
    <section className="ds-card" data-testid="dataset-duplicates">
      <header className="ds-card-head">
        <h3>Near-duplicates</h3>
        <span className="ds-card-sub">
          mean absolute difference of 32×24 gray thumbnails to the previous frame (0–255), within one folder
        </span>
      </header>
      <div className="ds-dup-controls">
        <label className="ds-slider">
          <span>Threshold</span>
          <input
            type="range"
            min={0}
            max={10}
            step={0.1}
            value={settings.threshold}
            onChange={(e) => setThreshold(Number(e.target.value))}
            data-testid="dup-threshold"
          />
          <span className="ds-slider-value" data-testid="dup-threshold-value">
            {settings.threshold.toFixed(1)}
          </span>
          {settings.threshold !== DEFAULT_DUPLICATE_THRESHOLD && (
            <button type="button" className="ds-link" onClick={() => setThreshold(DEFAULT_DUPLICATE_THRESHOLD)}>
              default {DEFAULT_DUPLICATE_THRESHOLD}
            </button>
          )}
        </label>
        <div className="ds-dup-figures">
          <span>
            <b data-testid="dup-runs" data-value={ready ? derived?.runs.length ?? 0 : ''}>
              {ready ? formatInt(derived?.runs.length ?? 0) : '…'}
            </b>{' '}
            runs
          </span>
          <span>
            <b data-testid="dup-run-frames">{ready ? formatInt(derived?.runFrames ?? 0) : '…'}</b> frames in runs
          </span>
          <span>
            longest <b>{ready ? formatInt(longest) : '…'}</b>
          </span>
          <span className={derived?.dropped.length ? 'warn-text' : ''}>
            <b data-testid="dup-dropped" data-value={derived?.dropped.length ?? 0}>
              {formatInt(derived?.dropped.length ?? 0)}
            </b>{' '}
            thinned out
          </span>
        </div>
      </div>
      {ready && diffs.differences.length > 0 ? (
        <DifferencePlot differences={diffs.differences} threshold={settings.threshold} />
      ) : (
        <div className="ds-plot ds-empty">{ready ? 'one frame: nothing to compare' : 'after decoding'}</div>
      )}
      <div className="ds-actions">
        <span className="ds-actions-label">Thin runs:</span>
        <button
          type="button"
          className={`ds-btn small${thinMode?.keep === 'first' ? ' active' : ''}`}
          onClick={() => thin({ keep: 'first' })}
          disabled={!ready || runs.length === 0}
          data-testid="thin-first"
        >
          Keep first
        </button>
        <button
          type="button"
          className={`ds-btn small${thinMode?.keep === 'every' ? ' active' : ''}`}
          onClick={() => thin({ keep: 'every', k: settings.thinEvery })}
          disabled={!ready || runs.length === 0}
          data-testid="thin-every"
        >
          Keep every
        </button>
        <input
          type="number"
          className="ds-small-input"
          min={2}
          step={1}
          value={settings.thinEvery}
          onChange={(e) => {
            const k = Number(e.target.value);
            if (Number.isInteger(k) && k >= 1) setThinEvery(k);
          }}
          aria-label="k"
          data-testid="thin-k"
        />
        <span className="ds-actions-label">-th</span>
        <button type="button" className="ds-btn small" onClick={() => thin(null)} disabled={!thinMode} data-testid="thin-undo">
          Keep all
        </button>
      </div>
      {runs.length > 0 && pairing && (
        <div className="ds-runs" data-testid="dup-run-list">
          {runs.slice(0, 200).map((r) => (
            <button type="button" key={r.first} className="ds-run" onClick={() => select(r.first)} title={pairing.pairs[r.first].framePath}>
              <span className="mono">{baseName(pairing.pairs[r.first].stem)}</span>
              <span className="muted">→</span>
              <span className="mono">{baseName(pairing.pairs[r.last].stem)}</span>
              <span className="chip chip-muted">{r.frames}</span>
            </button>
          ))}
          {runs.length > 200 && <span className="muted small">… and {runs.length - 200} more</span>}
        </div>
      )}
    </section>
  );
}
