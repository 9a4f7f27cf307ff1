/** A failure reported by the worker: what happened, what to do, and the buttons for it. */
import { memo } from 'react';
import { useTrainingStore } from '../../state/trainingStore';

const TITLES: Record<string, string> = {
  'device-lost': 'The GPU device was lost',
  'out-of-memory': 'Out of GPU memory',
  'nan-loss': 'The loss is not a number',
  'storage-quota': 'Browser storage is full',
  data: 'A data file could not be read',
  backend: 'No training backend',
  other: 'The run failed',
};

export const FailureBanner = memo(function FailureBanner() {
  const failure = useTrainingStore((s) => s.failure);
  const phase = useTrainingStore((s) => s.phase);
  const best = useTrainingStore((s) => s.best);
  const { resume, dismissFailure, loadBest } = useTrainingStore.getState();
  if (!failure) return null;
  return (
    <div className="tr-failure" role="alert" data-testid="training-failure" data-failure={failure.failure}>
      <div>
        <strong>{TITLES[failure.failure] ?? 'The run failed'}</strong>
        <p data-testid="training-failure-message">{failure.message}</p>
        <p className="tr-advice" data-testid="training-failure-advice">
          {failure.advice}
        </p>
      </div>
      <div className="tr-buttons">
        {failure.recoverable && phase === 'paused' && (
          <button type="button" className="ds-btn primary small" onClick={resume} data-testid="training-failure-resume">
            Resume
          </button>
        )}
        {failure.failure === 'nan-loss' && best && (
          <button type="button" className="ds-btn small" onClick={() => void loadBest()}>
            Load the last good checkpoint
          </button>
        )}
        <button type="button" className="ds-btn ghost small" onClick={dismissFailure}>
          Dismiss
        </button>
      </div>
    </div>
  );
});
