/** Runs saved in this browser: resume an unfinished one, rename, delete, overlay their curves. */
import { memo, useState } from 'react';
import { useDeferredTraining } from './useDeferredVersion';
import { isActive, useTrainingStore } from '../../state/trainingStore';
import { isUnfinished, type SavedRun } from './engine';

function RunRow({ run }: { run: SavedRun }) {
  const compared = useTrainingStore((s) => s.compared.includes(run.runId));
  const phase = useTrainingStore((s) => s.phase);
  const currentRun = useTrainingStore((s) => s.runId);
  const { renameRun, deleteRun, toggleCompare, resumeRun, exportCurves } = useTrainingStore.getState();
  const [editing, setEditing] = useState<string | null>(null);
  const busyHere = isActive(phase) && currentRun === run.runId;
  const commit = () => {
    if (editing !== null && editing.trim() && editing.trim() !== run.name) void renameRun(run.runId, editing);
    setEditing(null);
  };
  return (
    <tr data-testid="training-saved-run" data-run={run.runId} data-step={run.step}>
      <td>
        {editing !== null ? (
          <input autoFocus value={editing} onChange={(e) => setEditing(e.target.value)} onBlur={commit} onKeyDown={(e) => (e.key === 'Enter' ? commit() : e.key === 'Escape' && setEditing(null))} data-testid="training-run-rename-input" />
        ) : (
          <span data-testid="training-saved-run-name">{run.name}</span>
        )}
      </td>
      <td className="tr-mono">
        {run.step}
        {run.totalSteps > 0 ? ` / ${run.totalSteps}` : ''}
      </td>
      <td data-testid="training-saved-run-state">{busyHere ? phase : run.phase}</td>
      <td>{run.encoder}</td>
      <td className="tr-mono" data-testid="training-saved-run-best">{run.bestScore !== null ? run.bestScore.toFixed(4) : '—'}</td>
      <td>{new Date(run.savedAt).toLocaleString()}</td>
      <td className="tr-row-buttons">
        {isUnfinished(run) && !isActive(phase) && (
          <button type="button" className="ds-btn small" onClick={() => void resumeRun(run.runId)} data-testid="training-saved-run-resume">
            Resume
          </button>
        )}
        <label className="tr-compare" title="Overlay this run's curves on the charts">
          <input type="checkbox" checked={compared} onChange={() => void toggleCompare(run.runId)} data-testid="training-saved-run-compare" /> compare
        </label>
        <button type="button" className="ds-btn ghost small" onClick={() => void exportCurves(run.runId)} title="Download this run's curves as CSV (steps and validations)" data-testid="training-saved-run-csv">
          CSV
        </button>
        <button type="button" className="ds-btn ghost small" onClick={() => setEditing(run.name)} data-testid="training-saved-run-rename">
          Rename
        </button>
        <button
          type="button"
          className="ds-btn ghost small"
          disabled={busyHere}
          onClick={() => {
            if (globalThis.confirm?.(`Delete the run "${run.name}" and its saved state?`) ?? true) void deleteRun(run.runId);
          }}
          data-testid="training-saved-run-delete"
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

export const SavedRuns = memo(function SavedRuns() {
  const runs = useDeferredTraining((s) => s.savedRuns);
  return (
    <section className="ds-card tr-saved" data-testid="training-saved-runs" data-count={runs?.length ?? 0}>
      <header className="ds-card-head">
        <h3>Saved runs</h3>
        <span className="ds-card-sub">in this browser (IndexedDB)</span>
      </header>
      {runs === null ? (
        <p className="ds-note">Listing…</p>
      ) : runs.length === 0 ? (
        <p className="ds-note">No saved runs yet: a run saves its state as it trains and when paused.</p>
      ) : (
        <table className="tr-table tr-runs">
          <thead>
            <tr>
              <th>name</th>
              <th>step</th>
              <th>state</th>
              <th>encoder</th>
              <th>best</th>
              <th>saved</th>
              <th>
                <span className="visually-hidden">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <RunRow key={r.runId} run={r} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
});
