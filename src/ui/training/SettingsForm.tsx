/** The run's settings: disabled while a run is active, except the learning rate (changed live). */
import { memo, useState } from 'react';
import { ENCODER_NAMES, type EncoderName } from '../../model/config';
import { classNameAt } from '../../data/labelScheme';
import { useDatasetStore } from '../../state/datasetStore';
import { isActive, useTrainingStore } from '../../state/trainingStore';
import type { LearningRateSchedule } from '../../worker/trainingProtocol';
import { useDeferredTraining } from './useDeferredVersion';

const SCHEDULES: { id: LearningRateSchedule; label: string }[] = [
  { id: 'step', label: 'step (original)' },
  { id: 'constant', label: 'constant' },
  { id: 'cosine', label: 'cosine' },
];

function NumberField(props: { label: string; value: number; onChange: (v: number) => void; disabled: boolean; testId: string; step?: number; min?: number; title?: string }) {
  const { label, value, onChange, disabled, testId, step, min, title } = props;
  return (
    <label className="field" title={title}>
      <span>{label}</span>
      <input
        type="number"
        value={value}
        step={step ?? 1}
        min={min}
        disabled={disabled}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isFinite(v)) onChange(v);
        }}
        data-testid={testId}
      />
    </label>
  );
}

/** The learning rate as text (scientific notation is how people write it); applied on Enter or blur. */
function LearningRateField({ active }: { active: boolean }) {
  const lr = useTrainingStore((s) => s.settings.learningRate);
  const setLearningRate = useTrainingStore((s) => s.setLearningRate);
  const [text, setText] = useState<string | null>(null);
  const value = text ?? String(lr);
  const parsed = Number(value);
  const bad = !(parsed > 0) || !Number.isFinite(parsed);
  const apply = () => {
    if (!bad) setLearningRate(parsed);
    setText(null);
  };
  return (
    <label className="field" title={active ? 'Applies to the running training from its next step' : 'Base learning rate (the schedule scales it)'}>
      <span>Learning rate{active ? ' (live)' : ''}</span>
      <input
        type="text"
        inputMode="decimal"
        value={value}
        className={bad ? 'invalid' : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
        data-testid="training-lr"
        data-value={lr}
      />
    </label>
  );
}

export const SettingsForm = memo(function SettingsForm() {
  const settings = useTrainingStore((s) => s.settings);
  const scheme = useDatasetStore((s) => s.scheme);
  const classNames = scheme.classes.map((k) => k.name);
  const phase = useDeferredTraining((s) => s.phase);
  const runName = useTrainingStore((s) => s.runName);
  const modelStart = useTrainingStore((s) => s.modelStart);
  const set = useTrainingStore((s) => s.setSettings);
  const setRunName = useTrainingStore((s) => s.setRunName);
  const setModelStart = useTrainingStore((s) => s.setModelStart);
  const resetSettings = useTrainingStore((s) => s.resetSettings);
  const setThresholds = useTrainingStore((s) => s.setThresholds);
  const active = isActive(phase);
  const off = active;

  const setTerm = (c: number, patch: Partial<{ beta: number; weight: number }>) =>
    set({ loss: { ...settings.loss, terms: settings.loss.terms.map((t, i) => (i === c ? { ...t, ...patch } : t)) } });

  return (
    <section className="ds-card tr-settings" data-testid="training-settings" data-disabled={off ? 'true' : 'false'}>
      <header className="ds-card-head">
        <h3>Run settings</h3>
        <button type="button" className="ds-link" onClick={resetSettings} disabled={off}>
          the original's values
        </button>
      </header>
      <div className="tr-form">
        <label className="field full">
          <span>Run name</span>
          <input type="text" value={runName} placeholder="(encoder and date)" onChange={(e) => setRunName(e.target.value)} disabled={off} data-testid="training-run-name" />
        </label>
        <label className="field">
          <span>Encoder</span>
          <select value={settings.encoder} onChange={(e) => set({ encoder: e.target.value as EncoderName })} disabled={off} data-testid="training-encoder">
            {ENCODER_NAMES.slice(0, 3).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="field wide">
          <span>Start from</span>
          <select value={modelStart} onChange={(e) => setModelStart(e.target.value as 'new' | 'current')} disabled={off} data-testid="training-model-start">
            <option value="new">a new model (seeded)</option>
            <option value="current">the current model (continue training)</option>
          </select>
        </label>
        <NumberField label="Batch size" value={settings.batchSize} min={1} onChange={(v) => set({ batchSize: Math.max(1, Math.round(v)) })} disabled={off} testId="training-batch" />
        <NumberField label="Epochs" value={settings.epochs} min={1} onChange={(v) => set({ epochs: Math.max(1, Math.round(v)) })} disabled={off} testId="training-epochs" />
        <LearningRateField active={active} />
        <label className="field">
          <span>Schedule</span>
          <select value={settings.schedule} onChange={(e) => set({ schedule: e.target.value as LearningRateSchedule })} disabled={off} data-testid="training-schedule">
            {SCHEDULES.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <NumberField label="Seed" value={settings.seed} min={0} onChange={(v) => set({ seed: Math.max(0, Math.round(v)) })} disabled={off} testId="training-seed" />
        <NumberField label="Validate every (steps)" value={settings.validateEverySteps} min={0} title="0 = after each epoch only" onChange={(v) => set({ validateEverySteps: Math.max(0, Math.round(v)) })} disabled={off} testId="training-validate-every" />
        <NumberField label="Save state every (steps)" value={settings.saveEverySteps} min={0} title="0 = at pause and epoch ends only" onChange={(v) => set({ saveEverySteps: Math.max(0, Math.round(v)) })} disabled={off} testId="training-save-every" />
        <NumberField label="Road threshold (live)" value={settings.thresholds.road} step={0.05} min={0} title="Validation: a pixel is road when P(road) > this (the viewer's road threshold: moving one moves the other)" onChange={(v) => setThresholds({ road: v })} disabled={false} testId="training-threshold-road" />
        <NumberField label="Vehicle threshold (live)" value={settings.thresholds.car} step={0.05} min={0} title="Validation: a pixel is vehicle when P(vehicle) > this (the viewer's vehicle threshold: moving one moves the other)" onChange={(v) => setThresholds({ car: v })} disabled={false} testId="training-threshold-car" />
        <NumberField label="Frame cache (MiB)" value={settings.cacheBudgetMiB} min={0} onChange={(v) => set({ cacheBudgetMiB: Math.max(0, v) })} disabled={off} testId="training-cache" />
      </div>
      <details className="tr-details">
        <summary>Loss: betas and class weights, BCE</summary>
        <table className="tr-table">
          <thead>
            <tr>
              <th>class</th>
              <th>β</th>
              <th>weight</th>
            </tr>
          </thead>
          <tbody>
            {settings.loss.terms.map((t, c) => (
              <tr key={c}>
                <td>{classNameAt(classNames, c)}</td>
                <td>
                  <input type="number" step={0.25} min={0} value={t.beta} disabled={off} onChange={(e) => setTerm(c, { beta: Number(e.target.value) })} data-testid={`training-beta-${c}`} />
                </td>
                <td>
                  <input type="number" step={0.1} min={0} value={t.weight} disabled={off} onChange={(e) => setTerm(c, { weight: Number(e.target.value) })} data-testid={`training-weight-${c}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <NumberField label="BCE weight" value={settings.loss.bceWeight} step={0.1} min={0} onChange={(v) => set({ loss: { ...settings.loss, bceWeight: Math.max(0, v) } })} disabled={off} testId="training-bce" />
      </details>
    </section>
  );
});
