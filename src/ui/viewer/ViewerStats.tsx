/** Stage timings, frame rates and grader scores of the current frame. */
import type { GraderResult } from '../../metrics/grader';
import { useViewerStore } from '../../state/viewerStore';
import { pipelineDescription } from '../../viewer/composePacked';
import { STAGES } from '../../viewer/timings';

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function ScoreRow({ label, r, testid }: { label: string; r: GraderResult; testid: string }) {
  return (
    <tr data-testid={testid} data-score={r.score}>
      <td>{label}</td>
      <td>{r.fRoad.toFixed(4)}</td>
      <td>{r.fCar.toFixed(4)}</td>
      <td>
        <strong>{r.score.toFixed(4)}</strong>
      </td>
    </tr>
  );
}

export function ViewerStats() {
  const report = useViewerStore((s) => s.report);
  if (!report) return null;
  const { timings, rates } = report;
  return (
    <section className="ds-card vw-stats" data-testid="viewer-stats">
      <div className="vw-fps">
        <div>
          <div className="ds-stat-label">End to end</div>
          <div className="ds-stat-value" data-testid="fps-e2e" data-value={rates.endToEnd}>
            {rates.endToEnd.toFixed(1)} FPS
          </div>
        </div>
        <div>
          <div className="ds-stat-label">Model alone</div>
          <div className="ds-stat-value" data-testid="fps-model" data-value={rates.model}>
            {rates.model.toFixed(1)} FPS
          </div>
        </div>
        {report.video && (
          <div>
            <div className="ds-stat-label">Video</div>
            <div className="ds-stat-value" data-testid="video-frame">
              frame {report.video.frame}
            </div>
            <div className="muted small">
              {report.video.frames !== null && <span data-testid="video-frame-count">of {report.video.frames} · </span>}
              <span data-testid="video-dropped" data-value={report.video.dropped}>
                {report.video.dropped} dropped
              </span>
            </div>
          </div>
        )}
      </div>
      <table className="vw-table" data-testid="stage-timings">
        <tbody>
          <tr>
            {STAGES.map((s) => (
              <th key={s}>{s === 'postprocess' ? 'post-proc.' : s}</th>
            ))}
          </tr>
          <tr>
            {STAGES.map((s) => (
              <td key={s} data-testid={`stage-${s}`}>
                {ms(timings[s])} ms
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <p className="muted small" data-testid="draw-path" data-path={report.drawPath} data-compose={report.composeMethod}>
        {pipelineDescription(report.composeMethod, report.drawPath)}
      </p>
      <p className="muted small" data-testid="pixel-counts" data-car={report.carPixels} data-road={report.roadPixels} data-network-runs={report.networkRuns}
        data-car-threshold={report.settings.car.threshold}
        data-hood={String(report.settings.hood)}
      >
        {report.width}×{report.height}: vehicle {report.carPixels.toLocaleString()} px, road {report.roadPixels.toLocaleString()} px
      </p>
      {report.resizedFrom && (
        <p className="muted small" data-testid="frame-resized" data-width={report.resizedFrom.width} data-height={report.resizedFrom.height}>
          The frame is {report.resizedFrom.width}×{report.resizedFrom.height}: drawn at the model's {report.width}×{report.height} (masks and exports at that size)
        </p>
      )}
      {report.ranges && (
        <p className="muted small" data-testid="probability-ranges" data-car-min={report.ranges.car[0]} data-car-max={report.ranges.car[1]}>
          vehicle p {report.ranges.car[0].toPrecision(3)} – {report.ranges.car[1].toPrecision(3)}, road p {report.ranges.road[0].toPrecision(3)} – {report.ranges.road[1].toPrecision(3)} (over the crop)
        </p>
      )}
      {report.frameScore && (
        <table className="vw-table" data-testid="frame-scores">
          <tbody>
            <tr>
              <th>
                <span className="visually-hidden">over</span>
              </th>
              <th>F0.5 road</th>
              <th>F2 vehicle</th>
              <th>score</th>
            </tr>
            <ScoreRow label="this frame" r={report.frameScore} testid="score-frame" />
            {report.cumulativeScore && <ScoreRow label={report.cumulativeScore.frames === 1 ? '1 frame' : `all ${report.cumulativeScore.frames} frames`} r={report.cumulativeScore} testid="score-cumulative" />}
          </tbody>
        </table>
      )}
    </section>
  );
}
