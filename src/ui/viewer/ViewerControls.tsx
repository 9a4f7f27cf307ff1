/** Post-processing and view controls: thresholds, morphology, hood, overlay mode and opacity. */
import { settingsLabel } from '../../postprocess/settings';
import { useDatasetStore } from '../../state/datasetStore';
import { useStudioStore } from '../../state/studioStore';
import { useViewerStore, type ViewMode } from '../../state/viewerStore';
import type { ViewerController } from '../../viewer/controller';
import { MorphologyControl } from './MorphologyControl';
import { ThresholdControl } from './ThresholdControl';

const MODES: { id: ViewMode; label: string }[] = [
  { id: 'masks', label: 'Masks' },
  { id: 'heat', label: 'Heat map' },
  { id: 'errors', label: 'Errors' },
  { id: 'side-by-side', label: 'Side by side' },
];

export function ViewerControls({ controller }: { controller: ViewerController | null }) {
  const settings = useViewerStore((s) => s.settings);
  const view = useViewerStore((s) => s.view);
  const hoodChoice = useViewerStore((s) => s.hoodChoice);
  const importedHoodName = useViewerStore((s) => s.importedHoodName);
  const { setThreshold, setMorphology, setHood, applyPreset, setSettings, setView, setHoodChoice } = useViewerStore.getState();
  const carried = useStudioStore((s) => s.weights.current?.postprocess ?? null);
  const datasetHood = useDatasetStore((s) => s.hood.mask);
  const hoodKnown = hoodChoice === 'dataset' ? datasetHood !== null : importedHoodName !== null;

  return (
    <div className="vw-controls" data-testid="viewer-controls">
      <section className="ds-card">
        <div className="ds-card-head">
          <h3>Post-processing</h3>
          <span className="vw-presets">
            <button type="button" className="ds-btn small" onClick={() => applyPreset('original')} data-testid="preset-original" title="car > 1e-5 dilated 3×3 once, road > 1 - 1e-5">
              Original's values
            </button>
            <button type="button" className="ds-btn small" onClick={() => applyPreset('neutral')} data-testid="preset-neutral" title="0.5 thresholds, no morphology">
              Neutral
            </button>
            {carried && (
              <button type="button" className="ds-btn small" onClick={() => setSettings(carried)} data-testid="preset-model" title={`The post-processing the model's file carries: ${settingsLabel(carried)}`}>
                Model's values
              </button>
            )}
          </span>
        </div>
        <ThresholdControl cls="car" label="Vehicle" value={settings.car.threshold} onChange={(v) => setThreshold('car', v)} />
        <MorphologyControl cls="car" value={settings.car.morphology} onChange={(p) => setMorphology('car', p)} />
        <ThresholdControl cls="road" label="Road" value={settings.road.threshold} onChange={(v) => setThreshold('road', v)} />
        <MorphologyControl cls="road" value={settings.road.morphology} onChange={(p) => setMorphology('road', p)} />
        <div className="vw-hood">
          <label className="vw-inline">
            <input type="checkbox" checked={settings.hood} onChange={(e) => setHood(e.target.checked)} data-testid="hood-toggle" />
            Remove the hood
          </label>
          <select value={hoodChoice} onChange={(e) => setHoodChoice(e.target.value as 'dataset' | 'imported')} aria-label="Hood source" data-testid="hood-source">
            <option value="dataset">from the dataset</option>
            <option value="imported" disabled={importedHoodName === null}>
              {importedHoodName ?? 'imported PNG'}
            </option>
          </select>
          <label className="ds-btn small">
            Import PNG…
            <input
              type="file"
              accept="image/png"
              hidden
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f && controller) void controller.importHood(f);
                e.target.value = '';
              }}
              data-testid="hood-input"
            />
          </label>
          {settings.hood && !hoodKnown && (
            <p className="muted small" data-testid="hood-unknown">
              No hood known: load a dataset (its hood is estimated) or import a hood PNG.
            </p>
          )}
        </div>
      </section>
      <section className="ds-card">
        <h3>Overlay</h3>
        <div className="vw-modes" role="radiogroup" aria-label="View">
          {MODES.map((m) => (
            <button
              key={m.id}
              type="button"
              role="radio"
              aria-checked={view.mode === m.id}
              className={`ds-btn small${view.mode === m.id ? ' active' : ''}`}
              onClick={() => setView({ mode: m.id })}
              data-testid={`view-${m.id}`}
            >
              {m.label}
            </button>
          ))}
        </div>
        <label className="vw-row">
          <span className="vw-label">Opacity</span>
          <input type="range" min={0} max={100} value={Math.round(view.opacity * 100)} onChange={(e) => setView({ opacity: Number(e.target.value) / 100 })} data-testid="opacity" />
        </label>
        <div className="vw-row wrap">
          <label className="vw-inline">
            <input type="checkbox" checked={view.showCar} onChange={(e) => setView({ showCar: e.target.checked })} data-testid="show-car" />
            <span className="vw-swatch car" /> Vehicle
          </label>
          <label className="vw-inline">
            <input type="checkbox" checked={view.showRoad} onChange={(e) => setView({ showRoad: e.target.checked })} data-testid="show-road" />
            <span className="vw-swatch road" /> Road
          </label>
        </div>
        <label className="vw-row">
          <span className="vw-label">Heat map and errors of</span>
          <select value={view.focus} onChange={(e) => setView({ focus: e.target.value as 'car' | 'road' })} aria-label="Class of the heat map and error view" data-testid="focus-class">
            <option value="car">vehicle</option>
            <option value="road">road</option>
          </select>
        </label>
        {view.mode === 'errors' && (
          <p className="muted small vw-legend">
            <span className="vw-swatch tp" /> true positive <span className="vw-swatch fp" /> false positive <span className="vw-swatch fn" /> false negative
          </p>
        )}
      </section>
    </div>
  );
}
