/** Start / pause / resume / stop, the progress bar with ETA, and the live throughput and memory numbers. */
import { isActive, liveHistory, useTrainingStore } from '../../state/trainingStore';
import { etaMs, formatBytes, formatDuration } from '../../training/history';
import { useDeferredTraining } from './useDeferredVersion';

function Stat({ label, value, text, testId, detail }: { label: string; value: number | string; text: string; testId: string; detail?: string }) {
  return (
    <div className="ds-stat">
      <div className="ds-stat-label">{label}</div>
      <div className="ds-stat-value tr-mono" data-testid={testId} data-value={value}>
        {text}
      </div>
      {detail && <div className="ds-stat-detail">{detail}</div>}
    </div>
  );
}

export function RunCard({ canStart, why }: { canStart: boolean; why: string | null }) {
  const phase = useDeferredTraining((s) => s.phase);
  const latest = useDeferredTraining((s) => s.latest);
  const backend = useTrainingStore((s) => s.backend);
  const lastSaved = useTrainingStore((s) => s.lastSaved);
  const runName = useTrainingStore((s) => s.runName);
  const error = useTrainingStore((s) => s.error);
  const notice = useTrainingStore((s) => s.notice);
  const busy = useTrainingStore((s) => s.busy);
  const logs = useTrainingStore((s) => s.logs);
  const { start, pause, resume, stop } = useTrainingStore.getState();

  const active = isActive(phase);
  const step = latest?.step ?? liveHistory.lastStep ?? 0;
  const total = latest?.totalSteps ?? 0;
  const fraction = total > 0 ? Math.min(1, step / total) : 0;
  const eta = latest ? etaMs(liveHistory.msPerStep, step, total) : null;
  const epochStep = latest ? step - (latest.epoch - 1) * latest.stepsPerEpoch : 0;
  const cache = latest?.cache;
  const hitRate = cache && cache.hits + cache.misses > 0 ? cache.hits / (cache.hits + cache.misses) : null;

  return (
    <section className="ds-card tr-run" data-testid="training-run" data-phase={phase}>
      <header className="ds-card-head">
        <h3>Run</h3>
        <span className="ds-card-sub">
          {runName && <span data-testid="training-run-title">{runName}</span>}
          {backend && (
            <span data-testid="training-backend" data-value={backend.name}>
              {' '}
              · {backend.name}
              {backend.adapter ? ` (${backend.adapter})` : ''}
            </span>
          )}
        </span>
      </header>
      <div className="tr-buttons">
        {!active && (
          <button type="button" className="ds-btn primary" onClick={() => void start()} disabled={!canStart || !!busy} title={why ?? undefined} data-testid="training-start">
            Start training
          </button>
        )}
        {phase === 'running' && (
          <button type="button" className="ds-btn" onClick={pause} data-testid="training-pause">
            Pause
          </button>
        )}
        {phase === 'paused' && (
          <button type="button" className="ds-btn primary" onClick={resume} data-testid="training-resume">
            Resume
          </button>
        )}
        {active && (
          <button type="button" className="ds-btn" onClick={stop} disabled={phase === 'stopping'} data-testid="training-stop">
            Stop
          </button>
        )}
        <span className={`tr-phase tr-phase-${phase}`} data-testid="training-phase" data-value={phase}>
          {phase}
        </span>
        {busy && <span className="ds-hint">{busy}…</span>}
      </div>
      {!active && why && <p className="ds-note">{why}</p>}
      {error && (
        <p className="tr-error" role="alert" data-testid="training-error">
          {error}
        </p>
      )}
      {notice && <p className="ds-note" data-testid="training-notice">{notice}</p>}
      <div className="tr-progress">
        <div className="tr-bar" role="progressbar" aria-label="Training progress (steps)" aria-valuemin={0} aria-valuemax={total} aria-valuenow={step} data-testid="training-progress" data-value={fraction}>
          <div className={`tr-bar-fill${active ? ' running' : ''}`} style={{ transform: `scaleX(${fraction.toFixed(4)})` }} />
        </div>
        <div className="tr-progress-text">
          step{' '}
          <b data-testid="training-step" data-value={step}>
            {step}
          </b>
          {total > 0 && ` / ${total}`}
          {latest && (
            <>
              {' · '}epoch{' '}
              <b data-testid="training-epoch" data-value={latest.epoch}>
                {latest.epoch}
              </b>
              {latest.stepsPerEpoch > 0 && ` / ${Math.ceil(latest.totalSteps / latest.stepsPerEpoch)}`}
              {` (step ${epochStep} of ${latest.stepsPerEpoch})`}
            </>
          )}
          {' · '}ETA{' '}
          <b data-testid="training-eta" data-value={eta ?? ''}>
            {active ? formatDuration(eta) : '—'}
          </b>
          {lastSaved && (
            <span data-testid="training-saved" data-value={lastSaved.step}>
              {' · '}state saved at step {lastSaved.step}
            </span>
          )}
        </div>
      </div>
      <div className="tr-stats">
        <Stat label="loss" value={latest?.loss ?? ''} text={latest ? latest.loss.toFixed(4) : '—'} testId="training-loss" />
        <Stat label="images / s" value={latest?.imagesPerSecond ?? ''} text={latest ? latest.imagesPerSecond.toFixed(2) : '—'} testId="training-ips" />
        <Stat label="ms / step" value={latest?.msPerStep ?? ''} text={latest ? Math.round(latest.msPerStep).toLocaleString('en-US') : '—'} testId="training-ms-step" />
        <Stat label="data wait" value={latest?.dataWaitMs ?? ''} text={latest ? `${Math.round(latest.dataWaitMs)} ms` : '—'} testId="training-data-wait" detail={latest && latest.msPerStep > 0 ? `${((100 * latest.dataWaitMs) / latest.msPerStep).toFixed(0)} % of the step` : undefined} />
        <Stat label="learning rate" value={latest?.learningRate ?? ''} text={latest ? latest.learningRate.toExponential(1) : '—'} testId="training-current-lr" />
        <Stat label="tensors" value={latest?.tensors ?? ''} text={latest ? latest.tensors.toLocaleString('en-US') : '—'} testId="training-tensors" />
        <Stat label="backend memory" value={latest?.bytes ?? ''} text={latest ? formatBytes(latest.bytes) : '—'} testId="training-bytes" />
        <Stat
          label="frame cache"
          value={cache?.bytes ?? ''}
          text={cache ? formatBytes(cache.bytes) : '—'}
          testId="training-cache-use"
          detail={cache ? `of ${formatBytes(cache.budgetBytes)}, ${cache.entries} frames${hitRate !== null ? `, ${(hitRate * 100).toFixed(0)} % hits` : ''}` : undefined}
        />
      </div>
      {logs.length > 0 && (
        <details className="tr-details" data-testid="training-log">
          <summary>Log ({logs.length})</summary>
          <ol className="tr-log">
            {logs.slice(-30).map((l, i) => (
              <li key={i} className={`tr-log-${l.level}`}>
                {l.text}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
