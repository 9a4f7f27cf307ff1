/**
 * Frames by score: the Dataset panel's frames (validation split or all) scored one by one at the
 * viewer's post-processing, the worst first; a click opens the frame in the viewer. The work is in
 * src/viewer/rankingRunner.ts.
 */
import { useState } from 'react';
import type { HoodMask } from '../../data/hoodFile';
import { useDatasetStore } from '../../state/datasetStore';
import { useRankingStore, type RankingScope } from '../../state/rankingStore';
import { useStudioStore } from '../../state/studioStore';
import { useSweepStore } from '../../state/sweepStore';
import { useViewerStore } from '../../state/viewerStore';
import type { ViewerController } from '../../viewer/controller';
import { downloadFiles } from '../../util/browserDownload';
import { FileProblems } from './FileProblems';
import { rankingCsv, sameScoring, worstFirst, type RankingKey } from '../../viewer/frameRanking';

/** Rows shown before "show all". */
const SHOWN = 10;
const KEYS: { key: RankingKey; label: string }[] = [
  { key: 'score', label: 'score' },
  { key: 'fRoad', label: 'F0.5 road' },
  { key: 'fCar', label: 'F2 vehicle' },
];

function runner() {
  return import('../../viewer/rankingRunner');
}

/** The hood the viewer uses now; the card renders again when the choice, the imported file or the dataset's hood changes. */
function useActiveHood(controller: ViewerController | null): HoodMask | null {
  const choice = useViewerStore((s) => s.hoodChoice);
  const importedName = useViewerStore((s) => s.importedHoodName);
  const fromDataset = useDatasetStore((s) => s.hood.mask);
  if (choice === 'dataset') return fromDataset;
  return choice === 'imported' && importedName !== null ? (controller?.activeHood() ?? null) : null;
}

export function FrameRanking({ controller }: { controller: ViewerController | null }) {
  const { status, scope, progress, frames, settings: usedSettings, hood: usedHood, error, skipped, ms } = useRankingStore();
  const hood = useActiveHood(controller);
  const settings = useViewerStore((s) => s.settings);
  const openPath = useViewerStore((s) => (s.entries[s.index]?.kind === 'dataset' ? s.entries[s.index]!.path : null));
  const model = useStudioStore((s) => s.weights.current);
  const sweeping = useSweepStore((s) => s.status === 'running');
  const valCount = useDatasetStore((s) => s.derived?.split.val.length ?? 0);
  const allCount = useDatasetStore((s) => s.records.filter(Boolean).length);
  const counts: Record<RankingScope, number> = { val: valCount, all: allCount };
  const [key, setKey] = useState<RankingKey>('score');
  const [showAll, setShowAll] = useState(false);
  const [wanted, setWanted] = useState<RankingScope>(scope);
  const running = status === 'running';
  const stale = usedSettings !== null && frames.length > 0 && (!sameScoring(usedSettings, settings) || usedHood !== hood);
  const sorted = worstFirst(frames, key);
  const rows = showAll ? sorted : sorted.slice(0, SHOWN);

  const exportCsv = () => {
    if (!usedSettings) return;
    const name = `frame-scores_${scope === 'val' ? 'validation' : 'all'}.csv`;
    void downloadFiles([{ name, bytes: new TextEncoder().encode(rankingCsv(frames, usedSettings, key)), type: 'text/csv' }]);
  };

  const start = () => {
    if (!controller) return;
    const hood = controller.activeHood();
    void runner().then((r) => r.runFrameRanking(wanted, hood));
  };

  return (
    <section className="ds-card vw-ranking" data-testid="ranking-panel" data-status={status}>
      <div className="ds-card-head">
        <h3>Frames by score</h3>
      </div>
      <div className="vw-row wrap">
        <button
          type="button"
          className="ds-btn primary small"
          disabled={!controller || running || sweeping || !model || counts[wanted] === 0}
          onClick={start}
          data-testid="ranking-run"
          title="Runs the model once on each frame and scores it alone with the viewer's thresholds, morphology and hood"
        >
          Score frames
        </button>
        <select value={wanted} onChange={(e) => setWanted(e.target.value as RankingScope)} disabled={running} aria-label="Frames to score" data-testid="ranking-scope">
          <option value="val">validation split ({counts.val})</option>
          <option value="all">all frames ({counts.all})</option>
        </select>
        {running && (
          <button type="button" className="ds-btn small" onClick={() => void runner().then((r) => r.cancelRanking())} data-testid="ranking-cancel">
            Cancel
          </button>
        )}
      </div>
      {running && progress && (
        <div data-testid="ranking-progress" data-done={progress.done} data-total={progress.total}>
          <progress max={progress.total} value={progress.done} aria-label="Frames scored" />
          <span className="muted small">
            {' '}
            {progress.done}/{progress.total} · {progress.path}
          </span>
        </div>
      )}
      {status === 'cancelled' && <p className="muted small">Scoring cancelled: the frames scored so far are listed.</p>}
      {error && (
        <p className="problem" role="alert" data-testid="ranking-error">
          {error}
        </p>
      )}
      <FileProblems problems={skipped} summary="frame(s) skipped" testId="ranking-skipped" />
      {stale && (
        <p className="note small" data-testid="ranking-stale">
          The post-processing or the hood has changed since these frames were scored: score them again to rank them with it.
        </p>
      )}
      {frames.length > 0 && (
        <>
          <div className="vw-row wrap small">
            <span className="muted">Worst first by</span>
            <select value={key} onChange={(e) => setKey(e.target.value as RankingKey)} aria-label="Rank by" data-testid="ranking-key">
              {KEYS.map((k) => (
                <option key={k.key} value={k.key}>
                  {k.label}
                </option>
              ))}
            </select>
            <span className="muted">
              {frames.length} frame(s){ms !== null && !running ? ` · ${(ms / 1000).toFixed(1)} s` : ''}
            </span>
            <button type="button" className="ds-btn ghost small" onClick={exportCsv} disabled={running} title="Download every scored frame, worst first, with its grader counts and the settings it was scored with" data-testid="ranking-csv">
              CSV
            </button>
            <button
              type="button"
              className="ds-btn ghost small"
              onClick={() => void controller?.showDatasetPairs(sorted)}
              disabled={running || !controller}
              title="The viewer's list becomes these frames, worst first (the frames listed now leave it): ← and → step through them in this order"
              data-testid="ranking-step"
            >
              Step through
            </button>
          </div>
          <table className="vw-table vw-ranking-table" data-testid="ranking-table">
            <thead>
              <tr>
                <th>frame</th>
                <th>F0.5 road</th>
                <th>F2 vehicle</th>
                <th>score</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((f) => (
                <tr key={f.index} className={f.path === openPath ? 'open' : undefined} aria-current={f.path === openPath ? 'true' : undefined} data-testid="ranking-row" data-index={f.index} data-score={f.score}>
                  <td>
                    <button type="button" className="ds-link" onClick={() => void controller?.openDatasetPair(f.index)} disabled={running} title={running ? "Opens once the scoring is done" : `Open ${f.path} in the viewer`} data-testid="ranking-open">
                      {f.path.split('/').pop()}
                    </button>
                  </td>
                  <td>{f.fRoad.toFixed(4)}</td>
                  <td>{f.fCar.toFixed(4)}</td>
                  <td>
                    <strong>{f.score.toFixed(4)}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {sorted.length > SHOWN && (
            <button type="button" className="ds-link small" onClick={() => setShowAll((v) => !v)} data-testid="ranking-show-all">
              {showAll ? `Show the worst ${SHOWN}` : `Show all ${sorted.length}`}
            </button>
          )}
        </>
      )}
    </section>
  );
}
