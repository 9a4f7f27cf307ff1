/**
 * The Viewer's threshold and morphology search on the validation split: runs it (with progress and
 * cancel), draws each class's F against the threshold (one line per morphology), a table of the
 * combined score, the best per class, and applies the best to the viewer's settings in one click.
 */
import { useDatasetStore } from '../../state/datasetStore';
import { useStudioStore } from '../../state/studioStore';
import { useRankingStore } from '../../state/rankingStore';
import { useSweepStore } from '../../state/sweepStore';
import { useViewerStore } from '../../state/viewerStore';
import { NO_MORPHOLOGY, type ChallengeClass, type Morphology } from '../../postprocess/settings';
import type { ViewerController } from '../../viewer/controller';
import { FileProblems } from './FileProblems';
import { formatThreshold, SLIDER_STEPS, sliderToThreshold, thresholdToSlider } from '../../viewer/thresholdScale';
import { CANDIDATE_STRIDE, SWEEP_STRIDE, type ClassBest, type SweepCurve, type SweepResult } from '../../viewer/thresholdSweep';

const CLASS_LABEL: Record<ChallengeClass, string> = { car: 'Vehicle (F2)', road: 'Road (F0.5)' };
const LINE_COLOURS = ['var(--accent, #4d8dff)', '#e0a000', '#2bb673'];
const TABLE_POSITIONS = [0, 200, 400, 600, 800, 1000];

function morphologyName(m: Morphology | null): string {
  if (!m || m.op === 'none') return 'no morphology';
  return `${m.op} ${m.size}×${m.size} ${m.shape}${m.iterations > 1 ? ` ×${m.iterations}` : ''}`;
}

function runner() {
  return import('../../viewer/sweepRunner');
}

function Curve({ cls, curves, best }: { cls: ChallengeClass; curves: SweepCurve[]; best: ClassBest }) {
  const W = 300;
  const H = 110;
  const x = (t: number) => (thresholdToSlider(cls, t) / SLIDER_STEPS) * W;
  const y = (f: number) => H - f * H;
  const ticks = cls === 'car' ? [1e-5, 1e-3, 0.1, 0.99] : [0.01, 0.9, 0.999, 1 - 1e-5];
  return (
    <figure className="vw-sweep-curve" data-testid={`sweep-curve-${cls}`}>
      <figcaption className="small">{CLASS_LABEL[cls]} against the threshold</figcaption>
      <svg viewBox={`-4 -4 ${W + 8} ${H + 22}`} width="100%" role="img" aria-label={`${CLASS_LABEL[cls]} against the threshold`}>
        <rect x={0} y={0} width={W} height={H} fill="none" stroke="var(--border, #ccc)" />
        {curves.map((c, i) => {
          const points = c.thresholds.map((t, k) => `${x(t).toFixed(1)},${y(c.f[k]!).toFixed(1)}`).join(' ');
          return <polyline key={morphologyName(c.morphology)} points={points} fill="none" stroke={LINE_COLOURS[i % LINE_COLOURS.length]} strokeWidth={i === 0 ? 1.5 : 1} strokeDasharray={i === 0 ? undefined : '3 2'} data-testid={`sweep-line-${cls}-${i}`} data-points={c.thresholds.length} />;
        })}
        <text x={3} y={10} fontSize={9} fill="currentColor">
          F 1
        </text>
        <text x={3} y={H - 3} fontSize={9} fill="currentColor">
          0
        </text>
        <circle cx={x(best.threshold)} cy={y(best.f)} r={3.5} fill="red" data-testid={`sweep-best-dot-${cls}`} />
        {ticks.map((t, i) => (
          <text key={t} x={x(t)} y={H + 14} fontSize={9} textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'} fill="currentColor">
            {formatThreshold(t)}
          </text>
        ))}
      </svg>
      <div className="vw-legend small">
        {curves.map((c, i) => (
          <span key={morphologyName(c.morphology)}>
            <span className="vw-swatch" style={{ background: LINE_COLOURS[i % LINE_COLOURS.length] }} /> {morphologyName(c.morphology)}
          </span>
        ))}
      </div>
    </figure>
  );
}

/** Combined score (no morphology) at a few slider positions of each class. */
function CombinedTable({ result }: { result: SweepResult }) {
  const at = (cls: ChallengeClass, pos: number) => {
    const curve = result[cls][0]!;
    const t = sliderToThreshold(cls, pos);
    let k = 0;
    for (let i = 0; i < curve.thresholds.length; i++) if (Math.abs(curve.thresholds[i]! - t) < Math.abs(curve.thresholds[k]! - t)) k = i;
    return { t: curve.thresholds[k]!, f: curve.f[k]! };
  };
  return (
    <table className="vw-table" data-testid="sweep-table">
      <thead>
        <tr>
          <th>vehicle \ road</th>
          {TABLE_POSITIONS.map((p) => (
            <th key={p}>{formatThreshold(at('road', p).t)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {TABLE_POSITIONS.map((pc) => (
          <tr key={pc}>
            <th>{formatThreshold(at('car', pc).t)}</th>
            {TABLE_POSITIONS.map((pr) => (
              <td key={pr}>{((at('car', pc).f + at('road', pr).f) / 2).toFixed(3)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BestRow({ cls, best }: { cls: ChallengeClass; best: ClassBest }) {
  return (
    <tr data-testid={`sweep-best-${cls}`} data-threshold={best.threshold} data-f={best.f} data-morphology={best.morphology?.op ?? 'none'}>
      <th>{CLASS_LABEL[cls]}</th>
      <td>&gt; {formatThreshold(best.threshold)}</td>
      <td>{morphologyName(best.morphology)}</td>
      <td>F {best.f.toFixed(4)}</td>
    </tr>
  );
}

export function ThresholdSearch({ controller }: { controller: ViewerController | null }) {
  const { status, progress, result, error, skipped, hood, ms, method } = useSweepStore();
  const valFrames = useDatasetStore((s) => s.derived?.split.val.length ?? 0);
  const model = useStudioStore((s) => s.weights.current);
  const running = status === 'running';
  // Both run the network over the dataset's frames: one at once, so neither doubles the other's time and memory.
  const ranking = useRankingStore((s) => s.status === 'running');

  const start = () => {
    if (!controller) return;
    const h = controller.activeHood();
    void runner().then((r) => r.runValidationSweep(h));
  };
  const apply = () => {
    if (!result) return;
    const s = useViewerStore.getState().settings;
    const { car, road } = result.best;
    useViewerStore.getState().setSettings({
      ...s,
      car: { threshold: car.threshold, morphology: car.morphology ?? NO_MORPHOLOGY },
      road: { threshold: road.threshold, morphology: road.morphology ?? NO_MORPHOLOGY },
    });
  };

  return (
    <section className="ds-card vw-sweep" data-testid="sweep-panel" data-status={status}>
      <div className="ds-card-head">
        <h3>Search on validation split</h3>
      </div>
      <div className="vw-row wrap">
        <button type="button" className="ds-btn primary small" disabled={!controller || running || ranking || !model || valFrames === 0} onClick={start} data-testid="sweep-run" title="Runs the model once on every validation frame of the Dataset panel and scores every slider threshold (and a few morphologies) per class">
          Search on validation split
        </button>
        {running && (
          <button type="button" className="ds-btn small" onClick={() => void runner().then((r) => r.cancelSweep())} data-testid="sweep-cancel">
            Cancel
          </button>
        )}
        <span className="muted small">{valFrames} validation frame(s)</span>
      </div>
      {running && progress && (
        <div data-testid="sweep-progress" data-done={progress.done} data-total={progress.total}>
          <progress max={progress.total} value={progress.done} />
          <span className="muted small">
            {' '}
            {progress.done}/{progress.total} · {progress.stage}
          </span>
        </div>
      )}
      {status === 'cancelled' && <p className="muted small" data-testid="sweep-cancelled">Search cancelled.</p>}
      {error && (
        <p className="problem" role="alert" data-testid="sweep-error">
          {error}
        </p>
      )}
      <FileProblems problems={skipped} summary="validation frame(s) skipped" testId="sweep-skipped" />
      {result && (
        <>
          <table className="vw-table" data-testid="sweep-best" data-score={result.best.score}>
            <tbody>
              <BestRow cls="car" best={result.best.car} />
              <BestRow cls="road" best={result.best.road} />
              <tr>
                <th>Score</th>
                <td colSpan={3} data-testid="sweep-best-score">
                  {result.best.score.toFixed(4)} over {result.frames} frame(s){hood ? ', hood removed' : ''}
                  {ms !== null ? ` · ${(ms / 1000).toFixed(1)} s` : ''}
                  {method ? ` · morphology by ${method}` : ''}
                </td>
              </tr>
            </tbody>
          </table>
          <button type="button" className="ds-btn primary small" onClick={apply} data-testid="sweep-apply">
            Apply best
          </button>
          <Curve cls="car" curves={result.car} best={result.best.car} />
          <Curve cls="road" curves={result.road} best={result.best.road} />
          <p className="muted small">
            Without morphology every {SWEEP_STRIDE === 1 ? '' : `${SWEEP_STRIDE}th `}slider position is scored; with morphology every {CANDIDATE_STRIDE}th. The score is the challenge's: pixels of all {result.frames} frame(s) together, F2 vehicle, F0.5 road.
          </p>
          <details>
            <summary className="small">Combined score, no morphology</summary>
            <CombinedTable result={result} />
          </details>
        </>
      )}
    </section>
  );
}
