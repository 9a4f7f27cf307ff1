/** The best checkpoint (saved automatically in the browser) and what to do with it; the latest weights for the viewer. */
import { memo } from 'react';
import { holdsRunWeights, useTrainingStore } from '../../state/trainingStore';
import { useDeferredTraining } from './useDeferredVersion';

export const CheckpointCard = memo(function CheckpointCard() {
  const best = useDeferredTraining((s) => s.best);
  const count = useDeferredTraining((s) => s.checkpoints.length);
  const phase = useDeferredTraining((s) => s.phase);
  const runId = useTrainingStore((s) => s.runId);
  const busy = useTrainingStore((s) => s.busy);
  const { loadBest, exportBest, useLatestWeights } = useTrainingStore.getState();
  const live = holdsRunWeights(runId, phase);
  return (
    <section className="ds-card tr-checkpoint" data-testid="training-checkpoint" data-count={count}>
      <header className="ds-card-head">
        <h3>Best checkpoint</h3>
        <span className="ds-card-sub">kept by validation score</span>
      </header>
      {best ? (
        <dl className="tr-dl">
          <dt>name</dt>
          <dd data-testid="training-best-name" data-value={best.name}>
            {best.name}
          </dd>
          <dt>step</dt>
          <dd data-testid="training-best-step" data-value={best.step}>
            {best.step} (epoch {best.epoch})
          </dd>
          <dt>score</dt>
          <dd data-testid="training-best-score" data-value={best.score}>
            {best.score.toFixed(4)}
          </dd>
          <dt>saved</dt>
          <dd data-value={best.savedAt}>{new Date(best.savedAt).toLocaleString()}</dd>
        </dl>
      ) : (
        <p className="ds-note">None yet: the first validation saves one.</p>
      )}
      <div className="tr-buttons">
        <button type="button" className="ds-btn small" disabled={!best || !!busy} onClick={() => void loadBest()} data-testid="training-load-best">
          Use as current model
        </button>
        <button type="button" className="ds-btn small" disabled={!best || !!busy} onClick={() => void exportBest()} data-testid="training-export-best">
          Export (safetensors)
        </button>
        <button type="button" className="ds-btn small" disabled={!live || !!busy} onClick={() => void useLatestWeights()} title="The weights of the latest step become the studio's current model (the viewer uses it)" data-testid="training-use-latest">
          Use latest weights in the viewer
        </button>
      </div>
    </section>
  );
});
