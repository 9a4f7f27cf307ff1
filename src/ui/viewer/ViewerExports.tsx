/** Downloads (masks, overlay, answer file) and scoring an answer file against a truth file. */
import { useState } from 'react';
import { useViewerStore } from '../../state/viewerStore';
import type { ViewerController } from '../../viewer/controller';

export function ViewerExports({ controller, hasFrame, hasVideo }: { controller: ViewerController | null; hasFrame: boolean; hasVideo: boolean }) {
  const busy = useViewerStore((s) => s.busy);
  const progress = useViewerStore((s) => s.exportProgress);
  const score = useViewerStore((s) => s.answerScore);
  const entries = useViewerStore((s) => s.entries);
  const [answer, setAnswer] = useState<File | null>(null);
  const [truth, setTruth] = useState<File | null>(null);
  const disabled = !controller || busy !== null;
  return (
    <section className="ds-card" data-testid="viewer-exports">
      <h3>Export</h3>
      <div className="vw-row wrap">
        <button type="button" className="ds-btn small" disabled={disabled || !hasFrame} onClick={() => controller?.exportMasks()} data-testid="export-masks">
          Masks (PNG)
        </button>
        <button type="button" className="ds-btn small" disabled={disabled || !hasFrame} onClick={() => controller?.exportOverlay()} data-testid="export-overlay">
          Overlay (PNG)
        </button>
        <button type="button" className="ds-btn small" disabled={disabled || entries.length === 0} onClick={() => void controller?.exportAnswerFile()} data-testid="export-answer">
          Answer file (video or all frames)
        </button>
        <button
          type="button"
          className="ds-btn small"
          disabled={disabled || !hasVideo}
          title="The overlay of every frame of the open video, as drawn now, as a WebM video"
          onClick={() => void controller?.exportOverlayVideo()}
          data-testid="export-overlay-video"
        >
          Overlay video (WebM)
        </button>
      </div>
      {progress && (
        <div className="vw-row" data-testid="export-progress-row">
          <p className="muted small" data-testid="export-progress">
            {progress.done}
            {progress.total !== null ? ` / ${progress.total}` : ''} frames
          </p>
          <button type="button" className="ds-btn small" onClick={() => controller?.cancelExport()} data-testid="export-cancel">
            Cancel
          </button>
        </div>
      )}
      <h3>Score an answer file</h3>
      <div className="vw-row wrap">
        <label className="ds-btn small">
          {answer ? answer.name : 'Answer…'}
          <input type="file" accept=".json,application/json" hidden onChange={(e) => setAnswer(e.target.files?.[0] ?? null)} data-testid="score-answer-input" />
        </label>
        <label className="ds-btn small">
          {truth ? truth.name : 'Truth…'}
          <input type="file" accept=".json,application/json" hidden onChange={(e) => setTruth(e.target.files?.[0] ?? null)} data-testid="score-truth-input" />
        </label>
        <button type="button" className="ds-btn small primary" disabled={disabled || !answer || !truth} onClick={() => answer && truth && void controller?.scoreFiles(answer, truth)} data-testid="score-run">
          Score
        </button>
      </div>
      {score && (
        <p className="vw-score" data-testid="answer-score" data-score={score.score}>
          score <strong>{score.score.toFixed(4)}</strong> (F0.5 road {score.fRoad.toFixed(4)}, F2 vehicle {score.fCar.toFixed(4)}) over {score.frames} frames
          {score.missingFrames.length > 0 && `; ${score.missingFrames.length} truth frames missing from the answer (scored as empty)`}
          {score.extraFrames.length > 0 && `; ${score.extraFrames.length} answer frames not in the truth (ignored)`}
        </p>
      )}
    </section>
  );
}
