/** The model panel: LinkNet configuration and its summary (parameters, compute, memory, input spec), and its weights. */
import { ENCODER_NAMES, type EncoderName, type InputSpec } from '../../model/config';
import { MAX_CLASSES, useStudioStore } from '../../state/studioStore';
import { DatasetInputMatch } from './DatasetInputMatch';
import { Figure, formatBytes, formatCount, formatNumber } from './Figure';
import { ModelWeights } from './ModelWeights';
import { useFileDrop } from './useFileDrop';

function numberValue(n: number): string | number {
  return Number.isFinite(n) ? n : '';
}

function parse(value: string): number {
  return value.trim() === '' ? Number.NaN : Number(value);
}

function formatScale(scale: number): string {
  return Math.abs(scale * 255 - 1) < 1e-9 ? '1/255 (pixels to [0, 1])' : formatNumber(scale);
}

function formatTriple(v: readonly number[]): string {
  return v.map((x) => formatNumber(x)).join(', ');
}

function InputSpecList({ spec, height, width }: { spec: InputSpec; height: number; width: number }) {
  const cropRows = spec.cropBottom - spec.cropTop;
  const matches = cropRows === height && spec.frameWidth === width;
  return (
    <>
      <dl className="kv spec" data-testid="input-spec">
        <dt>Channel order</dt>
        <dd>{spec.channelOrder.toUpperCase()}</dd>
        <dt>Scale</dt>
        <dd>{formatScale(spec.scale)}</dd>
        <dt>Mean</dt>
        <dd>{formatTriple(spec.mean)}</dd>
        <dt>Std</dt>
        <dd>{formatTriple(spec.std)}</dd>
        <dt>Crop rows</dt>
        <dd>
          {spec.cropTop}–{spec.cropBottom} of a {spec.frameHeight}×{spec.frameWidth} frame ({cropRows} rows)
        </dd>
      </dl>
      {!matches && Number.isFinite(height) && Number.isFinite(width) && (
        <p className="muted small" data-testid="input-resize">
          The crop ({cropRows}×{spec.frameWidth}) is resized to the input ({height}×{width}).
        </p>
      )}
    </>
  );
}

export function ModelPanel() {
  const model = useStudioStore((s) => s.model);
  const setEncoder = useStudioStore((s) => s.setEncoder);
  const setClassCount = useStudioStore((s) => s.setClassCount);
  const setInputSize = useStudioStore((s) => s.setInputSize);
  const setBatch = useStudioStore((s) => s.setBatch);
  const importModelFiles = useStudioStore((s) => s.importModelFiles);
  const { config, size, batch, summary, problem } = model;
  // Model files dropped on the panel are imported as if picked with Import….
  const drop = useFileDrop((data) => {
    const files = Array.from(data.files);
    if (files.length > 0) void importModelFiles(files);
  });
  const encoderLabel = config.encoder.replace('resnet', 'LinkNet');

  return (
    <section className="panel model-panel" aria-labelledby="model-title" data-testid="model-panel" {...drop.handlers}>
      {drop.dragging && <div className="ds-drop-overlay">Drop model files to import them</div>}
      <div className="panel-head">
        <h2 id="model-title">Model</h2>
        <span className="tag" data-testid="model-name">
          {encoderLabel}
        </span>
      </div>

      <div className="form-grid">
        <label className="field">
          <span>Encoder</span>
          <select value={config.encoder} onChange={(e) => setEncoder(e.target.value as EncoderName)} data-testid="encoder-select">
            {ENCODER_NAMES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Classes</span>
          <input
            type="number"
            min={1}
            max={MAX_CLASSES}
            step={1}
            value={config.classes.length}
            onChange={(e) => setClassCount(parse(e.target.value))}
            data-testid="classes-input"
          />
        </label>
        <label className="field">
          <span>Input height</span>
          <input
            type="number"
            min={32}
            step={32}
            value={numberValue(size.height)}
            onChange={(e) => setInputSize({ height: parse(e.target.value) })}
            data-testid="input-height"
          />
        </label>
        <label className="field">
          <span>Input width</span>
          <input
            type="number"
            min={32}
            step={32}
            value={numberValue(size.width)}
            onChange={(e) => setInputSize({ width: parse(e.target.value) })}
            data-testid="input-width"
          />
        </label>
      </div>

      <div className="class-list" aria-label="Output classes">
        {config.classes.map((c, i) => (
          <span className="chip chip-muted" key={`${i}-${c}`}>
            {i}: {c}
          </span>
        ))}
        <span className="muted small">{config.final} output</span>
      </div>
      <DatasetInputMatch />

      {problem ? (
        <p className="problem" role="alert" data-testid="input-size-problem">
          {problem}
        </p>
      ) : (
        summary && (
          <div className="figures" data-testid="model-summary">
            <Figure
              label="Parameters"
              value={formatCount(summary.parameters)}
              raw={summary.parameters}
              detail={`${summary.parameters.toLocaleString('en-US')} trainable`}
              testId="model-parameters"
            />
            <Figure
              label="Compute"
              value={`${summary.gmac.toFixed(2)} GMAC`}
              raw={summary.gmac}
              detail={`per ${size.height}×${size.width} image`}
              testId="model-gmac"
            />
            <Figure
              label="Training memory"
              value={formatBytes(summary.trainingMemoryBytes)}
              raw={summary.trainingMemoryBytes}
              detail={
                <label className="inline-field">
                  at batch
                  <input
                    type="number"
                    min={1}
                    step={1}
                    value={numberValue(batch)}
                    onChange={(e) => setBatch(parse(e.target.value))}
                    data-testid="batch-input"
                  />
                </label>
              }
              testId="model-training-memory"
            />
            <Figure
              label="Inference memory"
              value={formatBytes(summary.inferenceMemoryBytes)}
              raw={summary.inferenceMemoryBytes}
              detail={`at batch ${batch}`}
              testId="model-inference-memory"
            />
          </div>
        )
      )}

      <ModelWeights />

      <div className="panel-sub">
        <h3>Input spec</h3>
        <InputSpecList spec={config.input} height={size.height} width={size.width} />
      </div>
    </section>
  );
}
