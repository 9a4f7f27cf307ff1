/** Train/val: from the folders, or a seeded split by ratio that keeps near-duplicate runs whole. */
import { useDatasetStore } from '../../state/datasetStore';
import { formatInt } from './format';

export function SplitCard() {
  const derived = useDatasetStore((s) => s.derived);
  const settings = useDatasetStore((s) => s.settings);
  const setSplit = useDatasetStore((s) => s.setSplit);
  const hasFolderVal = useDatasetStore((s) => s.pairing?.pairs.some((p) => p.split === 'val') ?? false);
  const random = derived?.split.mode === 'random';

  return (
    <section className="ds-card" data-testid="dataset-split">
      <header className="ds-card-head">
        <h3>Split</h3>
        <span className="ds-card-sub">
          {derived ? `${formatInt(derived.split.train.length)} train · ${formatInt(derived.split.val.length)} val` : '—'}
        </span>
      </header>
      <div className="ds-form">
        <label className="field">
          <span>Mode</span>
          <select value={settings.splitMode} onChange={(e) => setSplit({ splitMode: e.target.value as typeof settings.splitMode })} data-testid="split-mode">
            <option value="auto" title={hasFolderVal ? 'folders name a val set: from folders' : 'no val folder: seeded random'}>
              auto
            </option>
            <option value="folders">from folders</option>
            <option value="random">seeded random</option>
          </select>
        </label>
        <label className="field">
          <span>Val share (%)</span>
          <input
            type="number"
            min={0}
            max={100}
            step={1}
            value={Math.round(settings.valRatio * 1000) / 10}
            disabled={!random}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (Number.isFinite(v) && v >= 0 && v <= 100) setSplit({ valRatio: v / 100 });
            }}
            data-testid="split-ratio"
          />
        </label>
        <label className="field">
          <span>Seed</span>
          <input
            type="number"
            step={1}
            value={settings.seed}
            disabled={!random}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (Number.isInteger(v)) setSplit({ seed: v });
            }}
            data-testid="split-seed"
          />
        </label>
      </div>
      <ul className="ds-notes" data-testid="split-notes">
        {derived?.split.notes.map((n) => <li key={n}>{n}</li>)}
      </ul>
    </section>
  );
}
