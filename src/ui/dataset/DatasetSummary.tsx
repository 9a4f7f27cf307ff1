/** The dataset at a glance: source, layout, pairs per split, problems, frame size, indexing progress. */
import { useDatasetStore } from '../../state/datasetStore';
import { formatInt, formatSeconds } from './format';

const LAYOUT_NAMES: Record<string, string> = {
  challenge: 'CameraRGB / CameraSeg',
  'images-labels': 'images / labels',
  suffix: 'x.png + x_label.png',
  none: 'not recognised',
};

function Stat({ label, value, raw, detail, testId, tone }: { label: string; value: string; raw?: number; detail?: string; testId: string; tone?: 'bad' | 'warn' }) {
  return (
    <div className={`ds-stat${tone ? ` tone-${tone}` : ''}`}>
      <div className="ds-stat-label">{label}</div>
      <div className="ds-stat-value" data-testid={testId} data-value={raw}>
        {value}
      </div>
      {detail && <div className="ds-stat-detail">{detail}</div>}
    </div>
  );
}

export function DatasetSummary() {
  const source = useDatasetStore((s) => s.source);
  const pairing = useDatasetStore((s) => s.pairing);
  const derived = useDatasetStore((s) => s.derived);
  const problems = useDatasetStore((s) => s.problems);
  const unpaired = useDatasetStore((s) => s.unpaired);
  const progress = useDatasetStore((s) => s.progress);
  const phase = useDatasetStore((s) => s.phase);
  const timings = useDatasetStore((s) => s.timings);
  if (!source || !pairing) return null;

  const train = derived?.split.train.length ?? 0;
  const val = derived?.split.val.length ?? 0;
  const usable = derived?.usable.length ?? 0;
  const size = derived?.sizes[0];
  const otherSizes = (derived?.sizes.length ?? 0) - 1;
  const pct = progress.total > 0 ? (100 * progress.done) / progress.total : 100;

  return (
    <div className="ds-summary">
      <div className="ds-source">
        <span className="ds-source-name" data-testid="dataset-source" title={source.name}>
          {source.name}
        </span>
        <span className="chip" data-testid="dataset-layout" data-layout={pairing.layout}>
          layout: {LAYOUT_NAMES[pairing.layout] ?? pairing.layout}
        </span>
        <span className="chip chip-muted">{formatInt(source.files)} files</span>
        {derived && <span className="chip chip-muted">split: {derived.split.mode === 'folders' ? 'from folders' : 'seeded random'}</span>}
      </div>
      <div className="ds-stats">
        <Stat label="Pairs" value={formatInt(pairing.pairs.length)} raw={pairing.pairs.length} testId="dataset-pairs-total" detail={`${formatInt(usable)} usable`} />
        <Stat label="Train" value={formatInt(train)} raw={train} testId="dataset-pairs-train" detail={derived?.dropped.length ? `${derived.dropped.length} thinned out` : 'pairs'} />
        <Stat label="Val" value={formatInt(val)} raw={val} testId="dataset-pairs-val" detail="pairs" />
        <Stat label="Problems" value={formatInt(problems.length)} raw={problems.length} testId="dataset-problem-count" tone={problems.length > 0 ? 'bad' : undefined} detail="files refused" />
        <Stat label="Unpaired" value={formatInt(unpaired.length)} raw={unpaired.length} testId="dataset-unpaired-count" tone={unpaired.length > 0 ? 'warn' : undefined} detail="files left out" />
        <Stat
          label="Frame size"
          value={size ? `${size.width}×${size.height}` : '—'}
          testId="dataset-frame-size"
          detail={otherSizes > 0 ? `+${otherSizes} other size(s)` : size ? 'every frame' : 'after decoding'}
        />
      </div>
      <div className="ds-progress" data-testid="dataset-progress" data-phase={phase} data-done={progress.done} data-total={progress.total}>
        <div className="ds-progress-bar">
          <div className={`ds-progress-fill${phase === 'indexing' ? ' running' : ''}`} style={{ width: `${pct}%` }} />
        </div>
        <span
          className="ds-progress-text"
          data-testid="dataset-timings"
          title={timings.stages ? Object.entries(timings.stages).map(([k, v]) => `${k}: ${formatSeconds(v)}`).join('\n') : undefined}
        >
          {phase === 'indexing' && `decoding ${formatInt(progress.done)} / ${formatInt(progress.total)} pairs in a worker…`}
          {phase === 'done' &&
            `listed and paired in ${formatSeconds(timings.listMs)} · ${formatInt(progress.total)} pairs decoded in ${formatSeconds(timings.indexMs ?? 0)}`}
          {phase === 'failed' && 'stopped'}
        </span>
      </div>
    </div>
  );
}
