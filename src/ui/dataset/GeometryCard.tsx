/** Crop rows and scale factor, and the network input they give (frameGeometry). */
import { formatScale } from '../../data/frameGeometry';
import { datasetGeometry, useDatasetStore } from '../../state/datasetStore';

const SCALES = [1, 0.75, 0.5, 0.25, 0.125];

export function GeometryCard() {
  const frame = useDatasetStore((s) => s.derived?.sizes[0] ?? null);
  const settings = useDatasetStore((s) => s.settings);
  const setCrop = useDatasetStore((s) => s.setCrop);
  const setScale = useDatasetStore((s) => s.setScale);
  const { geometry, problems } = datasetGeometry(frame, settings);
  const top = settings.cropTop ?? geometry?.cropTop ?? '';
  const bottom = settings.cropBottom ?? geometry?.cropBottom ?? '';

  const num = (v: string): number | null => (v.trim() === '' ? null : Number(v));

  return (
    <section className="ds-card" data-testid="dataset-geometry">
      <header className="ds-card-head">
        <h3>Network input</h3>
        <span className="ds-card-sub">{frame ? `from ${frame.width}×${frame.height} frames` : 'no frames yet'}</span>
      </header>
      <div className="ds-form">
        <label className="field">
          <span title="First row of the crop">Crop top</span>
          <input type="number" min={0} value={top} onChange={(e) => setCrop(num(e.target.value), settings.cropBottom ?? geometry?.cropBottom ?? null)} disabled={!frame} data-testid="geometry-crop-top" />
        </label>
        <label className="field">
          <span title="The row after the crop (exclusive)">Crop bottom</span>
          <input type="number" min={1} value={bottom} onChange={(e) => setCrop(settings.cropTop ?? geometry?.cropTop ?? null, num(e.target.value))} disabled={!frame} data-testid="geometry-crop-bottom" />
        </label>
        <label className="field">
          <span>Scale</span>
          <select value={settings.scale} onChange={(e) => setScale(Number(e.target.value))} disabled={!frame} data-testid="geometry-scale">
            {SCALES.map((s) => (
              <option key={s} value={s}>
                {formatScale(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="ds-geometry-result">
        <span className="ds-kpi-label">Input (H × W)</span>
        <span className="ds-kpi-value" data-testid="geometry-input-size" data-height={geometry?.inputHeight ?? ''} data-width={geometry?.inputWidth ?? ''}>
          {geometry ? `${geometry.inputHeight} × ${geometry.inputWidth}` : '—'}
        </span>
        {geometry && (
          <span className="ds-card-sub">
            rows {geometry.cropTop}–{geometry.cropBottom} ({geometry.cropHeight} rows){geometry.resize ? ', resized' : ', no resize'}
          </span>
        )}
      </div>
      {(settings.cropTop !== null || settings.cropBottom !== null || settings.scale !== 1) && (
        <button type="button" className="ds-link" onClick={() => { setCrop(null, null); setScale(1); }}>
          back to the original's crop (rows 205–525 of 600, scale 1)
        </button>
      )}
      <ul className="ds-notes" data-testid="geometry-notes">
        {geometry?.notes.map((n) => <li key={n}>{n}</li>)}
        {geometry && geometry.notes.length === 0 && <li className="muted">a multiple of 32 already: the crop is the input, no resize</li>}
        {problems.map((p) => (
          <li key={p} className="error-text">
            {p}
          </li>
        ))}
      </ul>
    </section>
  );
}
