/**
 * The model's weights in the Model panel: new (seeded), import, export, save to / load from the
 * browser, and the error of the last attempt. Thin: the work is in state/modelSession.ts and the store.
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import { settingsDifferences, useStudioStore } from '../../state/studioStore';
import type { ExportTarget } from '../../state/modelSession';
import { formatBytes, formatCount } from './Figure';
import './modelWeights.css';
import { useDismissable } from './useDismissable';

const EXPORT_CHOICES: { target: ExportTarget; label: string; detail: string }[] = [
  { target: 'F32', label: 'safetensors · F32', detail: 'full precision, PyTorch names and layout' },
  { target: 'F16', label: 'safetensors · F16', detail: 'half the size' },
  { target: 'BF16', label: 'safetensors · BF16', detail: 'half the size, float32 range' },
  { target: 'tfjs', label: 'TensorFlow.js', detail: 'model.json + weights.bin' },
  { target: 'onnx', label: 'ONNX', detail: 'opset 17, BatchNorm folded, for inference elsewhere' },
];

function modelLabel(encoder: string): string {
  return encoder.replace('resnet', 'LinkNet');
}

function ExportMenu({ disabled, onPick }: { disabled: boolean; onPick: (t: ExportTarget) => void }) {
  const { open, setOpen, ref } = useDismissable();
  return (
    <div className="weights-menu-wrap" ref={ref}>
      <button
        type="button"
        className="weights-btn"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        data-testid="export-button"
      >
        Export ▾
      </button>
      {open && (
        <div className="weights-menu" role="menu" aria-label="Export the model">
          {EXPORT_CHOICES.map((c) => (
            <button
              key={c.target}
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                onPick(c.target);
              }}
              data-testid={`export-${c.target}`}
            >
              <span>{c.label}</span>
              <span className="muted small">{c.detail}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

export function ModelWeights() {
  const weights = useStudioStore((s) => s.weights);
  const panel = useStudioStore((s) => s.model);
  const newModel = useStudioStore((s) => s.newModel);
  const importFiles = useStudioStore((s) => s.importModelFiles);
  const exportModel = useStudioStore((s) => s.exportModel);
  const saveModel = useStudioStore((s) => s.saveModelToBrowser);
  const loadSaved = useStudioStore((s) => s.loadSavedModel);
  const deleteSaved = useStudioStore((s) => s.deleteSavedModel);
  const refreshSaved = useStudioStore((s) => s.refreshSavedModels);
  const dismissError = useStudioStore((s) => s.dismissModelError);
  const setSeed = useStudioStore((s) => s.setSeed);
  const [name, setName] = useState('');

  useEffect(() => {
    void refreshSaved();
  }, [refreshSaved]);

  const { current, busy, error, notice, saved } = weights;
  const isBusy = busy !== null;
  const differences = current ? settingsDifferences(current.config, panel) : [];
  const nameTaken = saved?.some((m) => m.name === name.trim()) ?? false;

  const onFiles = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = ''; // the same file can be picked again
    if (files.length > 0) void importFiles(files);
  };

  return (
    <div className="panel-sub weights" data-testid="model-weights">
      <h3>Weights</h3>

      <div className="weights-current" data-testid="current-model" data-state={current ? 'loaded' : 'none'}>
        {current ? (
          <>
            <div>
              <strong data-testid="current-model-name">{modelLabel(current.config.encoder)}</strong>
              <span className="muted">
                {' '}
                · {current.config.classes.length} classes ·{' '}
                <span data-testid="current-model-parameters" data-value={current.parameters}>
                  {formatCount(current.parameters)}
                </span>{' '}
                parameters
              </span>
            </div>
            <div className="muted small" data-testid="current-model-origin">
              {current.label}
            </div>
          </>
        ) : (
          <span className="muted small">No weights yet: the figures describe the settings. Create, import or load a model.</span>
        )}
      </div>
      {differences.length > 0 && (
        <p className="note" data-testid="settings-differ">
          The settings differ from these weights ({differences.join(', ')}): New model applies them; export and save use the weights.
        </p>
      )}

      <div className="weights-actions">
        <button type="button" className="weights-btn" onClick={() => void newModel()} disabled={isBusy || panel.problem !== null} data-testid="new-model">
          New model
        </button>
        <label className="weights-seed" title="Seed of the initial weights (new models, and decoders of imported encoders)">
          seed
          <input
            type="number"
            min={0}
            step={1}
            value={weights.seed}
            onChange={(e) => setSeed(Number(e.target.value))}
            data-testid="seed-input"
          />
        </label>
        <label className={`weights-btn${isBusy ? ' is-disabled' : ''}`} data-testid="import-button">
          Import…
          <input
            type="file"
            accept=".safetensors,.json,.bin"
            multiple
            disabled={isBusy}
            onChange={onFiles}
            className="visually-hidden"
            data-testid="import-input"
          />
        </label>
        <ExportMenu disabled={isBusy || !current} onPick={(t) => void exportModel(t)} />
      </div>
      <p className="muted small weights-hint">Import, or drop on this panel, a LinkNet or torchvision ResNet .safetensors file, or a TensorFlow.js model.json with its weights.bin.</p>

      {busy && (
        <p className="weights-busy" data-testid="model-busy" role="status">
          <span className="weights-spinner" aria-hidden /> {busy}…
        </p>
      )}
      {error && (
        <div className="problem weights-error" role="alert" data-testid="model-error">
          <span data-testid="model-error-message">{error}</span>
          <button type="button" className="weights-dismiss" aria-label="Dismiss the error" onClick={dismissError} data-testid="model-error-dismiss">
            ×
          </button>
        </div>
      )}
      {notice && !error && !busy && (
        <p className="weights-notice" data-testid="model-notice">
          {notice}
        </p>
      )}

      <form
        className="weights-save"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void saveModel(name);
        }}
      >
        <input
          type="text"
          placeholder="name, e.g. linknet34-run1"
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.target.value)}
          aria-label="Name to save the model under"
          data-testid="save-name"
        />
        <button type="submit" className="weights-btn" disabled={isBusy || !current || name.trim() === ''} data-testid="save-browser">
          {nameTaken ? 'Replace in browser' : 'Save to browser'}
        </button>
      </form>

      <div className="weights-saved">
        <div className="section-label">Saved in this browser</div>
        {saved === null ? (
          <p className="muted small">Reading…</p>
        ) : saved.length === 0 ? (
          <p className="muted small" data-testid="saved-empty">
            None yet.
          </p>
        ) : (
          <ul className="weights-list" data-testid="saved-models">
            {saved.map((m) => (
              <li key={m.name} data-testid="saved-model" data-name={m.name}>
                <div className="weights-list-text">
                  <span className="weights-list-name">{m.name}</span>
                  <span className="muted small">
                    {m.encoder ? `${modelLabel(m.encoder)} · ${m.classes} classes · ` : ''}
                    {formatBytes(m.bytes)} · {new Date(m.savedAt).toLocaleString()}
                  </span>
                </div>
                <button type="button" className="weights-btn small" disabled={isBusy} onClick={() => void loadSaved(m.name)} data-testid="saved-load">
                  Load
                </button>
                <button
                  type="button"
                  className="weights-btn small danger"
                  disabled={isBusy}
                  onClick={() => void deleteSaved(m.name)}
                  aria-label={`Delete ${m.name}`}
                  data-testid="saved-delete"
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
