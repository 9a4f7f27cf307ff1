/** Header badge: the active TensorFlow.js backend, its adapter, and why earlier choices were skipped. */
import { BACKEND_LABELS, isSoftwareAdapter } from '../../backend/decide';
import { BACKEND_SETTINGS, useStudioStore, type BackendSetting } from '../../state/studioStore';
import { useDismissable } from './useDismissable';

export function BackendBadge() {
  const backend = useStudioStore((s) => s.backend);
  const setBackendSetting = useStudioStore((s) => s.setBackendSetting);
  const { open, setOpen, ref: rootRef } = useDismissable();

  const { info, status } = backend;
  const software = !!info && (isSoftwareAdapter(info.adapter) || /fallback adapter/.test(info.adapter ?? ''));
  const tone =
    status === 'failed'
      ? 'bad'
      : status !== 'ready' || !info
        ? 'pending'
        : info.name === 'webgpu' || info.name === 'webgl'
          ? software
            ? 'soft'
            : 'good'
          : 'warn';
  const name = info && status === 'ready' ? info.name : status === 'failed' ? 'failed' : 'selecting…';
  const hover = info ? [`${info.name}${info.adapter ? ` — ${info.adapter}` : ''}`, ...info.reasons].join('\n') : (backend.error ?? '');

  return (
    <div className="backend" ref={rootRef}>
      <button
        type="button"
        className={`backend-badge tone-${tone}`}
        aria-expanded={open}
        aria-haspopup="dialog"
        title={hover}
        onClick={() => setOpen((o) => !o)}
        data-testid="backend-badge"
        data-status={status}
      >
        <span className="dot" aria-hidden />
        <span className="backend-name" data-testid="backend-name">
          {name}
        </span>
        {info?.adapter && (
          <span className="backend-adapter" data-testid="backend-adapter">
            {info.adapter}
          </span>
        )}
        {info?.forced && (
          <span className="chip" data-testid="backend-forced">
            forced
          </span>
        )}
        {info && info.reasons.length > 0 && <span className="chip chip-muted">{info.reasons.length} skipped</span>}
      </button>

      {open && (
        <div className="backend-popover" role="dialog" aria-label="Backend details">
          <dl className="kv">
            <dt>Backend</dt>
            <dd>{info ? `${BACKEND_LABELS[info.name]} (${info.name})` : status}</dd>
            <dt>Adapter</dt>
            <dd>
              {info?.adapter ?? '—'}
              {software && <span className="muted small"> · software rasteriser (runs on the CPU)</span>}
            </dd>
            <dt>Forced</dt>
            <dd>{info?.forced ? 'yes' : 'no'}</dd>
            <dt>Training</dt>
            <dd>{info ? (info.canTrain ? 'supported' : 'not supported (inference only)') : '—'}</dd>
          </dl>
          {backend.error && <p className="error-text">{backend.error}</p>}
          <div className="popover-section">
            <div className="section-label">Why earlier choices were skipped</div>
            {info && info.reasons.length > 0 ? (
              <ul className="reasons" data-testid="backend-reasons">
                {info.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            ) : (
              <p className="muted">Nothing skipped: this is the first choice.</p>
            )}
          </div>
          <label className="field">
            <span>Preferred backend</span>
            <select
              value={backend.setting}
              disabled={status === 'selecting'}
              onChange={(e) => void setBackendSetting(e.target.value as BackendSetting)}
              data-testid="backend-setting"
            >
              {BACKEND_SETTINGS.map((s) => (
                <option key={s} value={s}>
                  {s === 'auto' ? 'auto (WebGPU → WebGL → CPU)' : s}
                </option>
              ))}
            </select>
          </label>
          {backend.urlForced && (
            <p className="muted">The URL parameter ?backend={backend.urlForced} overrides this setting.</p>
          )}
        </div>
      )}
    </div>
  );
}
