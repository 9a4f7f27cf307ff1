/** The ego car's hood: estimated from the labels, or imported, or off; exported as PNG. */
import { useRef } from 'react';
import { useDatasetStore } from '../../state/datasetStore';
import { downloadFile } from '../../util/browserDownload';
import { formatInt } from './format';

export function HoodCard() {
  const inputRef = useRef<HTMLInputElement | null>(null);
  const hood = useDatasetStore((s) => s.hood);
  const estimated = useDatasetStore((s) => s.estimatedHood);
  const error = useDatasetStore((s) => s.hoodError);
  const phase = useDatasetStore((s) => s.phase);
  const scheme = useDatasetStore((s) => s.scheme);
  const setSource = useDatasetStore((s) => s.setHoodSource);
  const importHood = useDatasetStore((s) => s.importHood);
  const hoodPng = useDatasetStore((s) => s.hoodPng);
  const loaded = phase === 'done';

  let status: string;
  if (hood.source === 'off') status = 'switched off: hood pixels count as vehicle';
  else if (hood.source === 'imported') status = `imported from ${hood.fileName}`;
  else if (!loaded) status = phase === 'indexing' ? 'estimating from the labels…' : 'estimated from the labels once a dataset is loaded';
  else if (!estimated) status = `no label has the hood value ${scheme.hoodValue ?? '—'}`;
  else if (!hood.mask) status = `no hood: no pixel is hood in ${Math.round(estimated.agreement * 100)} % of ${estimated.frames} labels`;
  else status = `estimated from ${formatInt(estimated.frames)} labels (flood fill of value ${scheme.hoodValue} from the bottom centre, kept where ≥ ${Math.round(estimated.agreement * 100)} % agree)`;

  return (
    <section className="ds-card" data-testid="dataset-hood">
      <header className="ds-card-head">
        <h3>Hood</h3>
        <span className={`chip${hood.source === 'off' ? ' chip-muted' : ''}`} data-testid="hood-source" data-source={hood.source}>
          {hood.source}
        </span>
      </header>
      <div className="ds-kpis">
        <div className="ds-kpi">
          <span className="ds-kpi-label">Pixels</span>
          <span className="ds-kpi-value" data-testid="hood-pixels" data-value={hood.stats?.pixels ?? ''}>
            {hood.stats ? formatInt(hood.stats.pixels) : '—'}
          </span>
        </div>
        <div className="ds-kpi">
          <span className="ds-kpi-label">Rows</span>
          <span className="ds-kpi-value" data-testid="hood-rows" data-first={hood.stats?.firstRow ?? ''} data-last={hood.stats?.lastRow ?? ''}>
            {hood.stats ? `${hood.stats.firstRow}–${hood.stats.lastRow}` : '—'}
          </span>
        </div>
        <div className="ds-kpi">
          <span className="ds-kpi-label">Share of frame</span>
          <span className="ds-kpi-value">{hood.mask && hood.stats ? `${((100 * hood.stats.pixels) / hood.mask.mask.length).toFixed(1)} %` : '—'}</span>
        </div>
      </div>
      <p className="ds-note" data-testid="hood-status">
        {status}
      </p>
      <div className="ds-actions">
        {hood.source !== 'estimated' ? (
          <button type="button" className="ds-btn small" onClick={() => setSource('estimated')} disabled={!loaded} data-testid="hood-estimate">
            Use estimate
          </button>
        ) : (
          <button type="button" className="ds-btn small" onClick={() => setSource('off')} disabled={!loaded} data-testid="hood-off">
            Switch off
          </button>
        )}
        <button type="button" className="ds-btn small" onClick={() => inputRef.current?.click()} disabled={!loaded} data-testid="hood-import">
          Import PNG…
        </button>
        <button
          type="button"
          className="ds-btn small"
          disabled={!hood.mask}
          onClick={() => {
            const png = hoodPng();
            if (png) downloadFile({ name: 'hood.png', bytes: png, type: 'image/png' });
          }}
          data-testid="hood-export"
        >
          Export PNG
        </button>
        <input
          ref={inputRef}
          type="file"
          accept="image/png,.png"
          hidden
          data-testid="hood-import-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importHood(f);
            e.target.value = '';
          }}
        />
      </div>
      {error && (
        <p className="problem small" data-testid="hood-error">
          {error}
        </p>
      )}
    </section>
  );
}
