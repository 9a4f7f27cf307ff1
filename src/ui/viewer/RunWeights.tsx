/**
 * The Viewer's model line: which model draws the masks and, while a training run holds weights,
 * a button to take its latest ones and "follow the run" (new weights after each validation).
 * The decisions are in src/viewer/runWeights.ts and src/state/viewerFollowsRun.ts.
 */
import { useEffect } from 'react';
import { useStudioStore } from '../../state/studioStore';
import { holdsRunWeights, useTrainingStore } from '../../state/trainingStore';
import { followRunWhileOpen } from '../../state/viewerFollowsRun';
import { useViewerStore } from '../../state/viewerStore';
import { runWeightsOffer } from '../../viewer/runWeights';

export function RunWeights() {
  const model = useStudioStore((s) => s.weights.current);
  const runId = useTrainingStore((s) => s.runId);
  const runName = useTrainingStore((s) => s.runName);
  const step = useTrainingStore((s) => s.latest?.step ?? null);
  const hasWeights = useTrainingStore((s) => holdsRunWeights(s.runId, s.phase));
  const busy = useTrainingStore((s) => s.busy);
  const follow = useViewerStore((s) => s.followRun);
  const followNote = useViewerStore((s) => s.followNote);

  useEffect(() => followRunWhileOpen(), []);

  const offer = runWeightsOffer({ runId, name: runName, step, hasWeights }, model?.origin ?? null);
  if (!model && !offer) return null;
  return (
    <div className="vw-run" data-testid="viewer-run">
      {model && (
        <span className="muted small" data-testid="viewer-model" data-origin={model.origin.kind}>
          Model: {model.label}
        </span>
      )}
      {offer && (
        <span className="vw-run-offer">
          <span className="small" data-testid="viewer-run-status" data-step={offer.step} data-shown={offer.shown ?? ''}>
            Training “{offer.name || 'run'}” is at step {offer.step}
            {offer.shown === null ? '' : offer.shown === offer.step ? ': the viewer shows it' : `; the viewer shows step ${offer.shown}`}
          </span>
          <button
            type="button"
            className="ds-btn small"
            disabled={busy !== null || offer.shown === offer.step}
            onClick={() => void useTrainingStore.getState().useLatestWeights()}
            data-testid="viewer-run-latest"
          >
            {busy === null ? `Use step ${offer.step}` : `${busy}…`}
          </button>
          <label className="vw-inline" title="While the Viewer is open, the run's latest weights become the model after each validation">
            <input type="checkbox" checked={follow} onChange={(e) => useViewerStore.setState({ followRun: e.target.checked })} data-testid="viewer-run-follow" />
            follow the run
          </label>
          {follow && followNote && (
            <span className="muted small" data-testid="viewer-run-follow-note">
              {followNote}
            </span>
          )}
        </span>
      )}
    </div>
  );
}
