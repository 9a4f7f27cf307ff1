/**
 * The Viewer tab: drop or pick frames, folders or videos; the current model's masks drawn over
 * them live; post-processing sliders that re-render from the kept probabilities; timings, frame
 * rates, grader scores; exports. The work happens in src/viewer/controller.ts.
 */
import { useEffect, useRef } from 'react';
import { listFromDataTransfer, listFromFileList, type ListedFiles } from '../../data/fileSources';
import { useDatasetStore } from '../../state/datasetStore';
import { useStudioStore } from '../../state/studioStore';
import { useViewerStore } from '../../state/viewerStore';
import { zoomTransform } from '../../viewer/canvasZoom';
import type { ListedFile } from '../../viewer/frameSources';
import { PLAY_SPEEDS } from '../../viewer/viewerVideo';
import { useFileDrop } from '../components/useFileDrop';
import { FileProblems } from './FileProblems';
import { PixelReadout } from './PixelReadout';
import { useCanvasZoom } from './useCanvasZoom';
import { usePixelProbe } from './usePixelProbe';
import { ViewerControls } from './ViewerControls';
import { ViewerExports } from './ViewerExports';
import { ThresholdSearch } from './ThresholdSearch';
import { FrameRanking } from './FrameRanking';
import { RunWeights } from './RunWeights';
import { ViewerStats } from './ViewerStats';
import { loadViewerController, useViewerController } from './useViewerController';
import { errorMessage } from '../../util/errorMessage';
import './viewer.css';

function toListed(listed: ListedFiles): ListedFile<File>[] {
  return [...listed.files].map(([path, file]) => ({ path, size: file.size, type: file.type, file }));
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return target.type !== 'checkbox' && target.type !== 'radio' && target.type !== 'button';
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target.isContentEditable;
}

export function ViewerPanel() {
  const controller = useViewerController();
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const filesRef = useRef<HTMLInputElement | null>(null);
  const folderRef = useRef<HTMLInputElement | null>(null);
  const entries = useViewerStore((s) => s.entries);
  const index = useViewerStore((s) => s.index);
  const busy = useViewerStore((s) => s.busy);
  const error = useViewerStore((s) => s.error);
  const notice = useViewerStore((s) => s.notice);
  const problems = useViewerStore((s) => s.problems);
  const report = useViewerStore((s) => s.report);
  const probe = usePixelProbe(controller, report);
  const zoomBoxRef = useRef<HTMLDivElement | null>(null);
  const zoom = useCanvasZoom(zoomBoxRef);
  const model = useStudioStore((s) => s.weights.current);
  const current = entries[index];
  const datasetReady = useDatasetStore((s) => s.records.some((r) => r));

  useEffect(() => {
    controller?.attachCanvas(canvasRef.current);
    return () => controller?.attachCanvas(null);
  }, [controller]);

  useEffect(() => {
    folderRef.current?.setAttribute('webkitdirectory', '');
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!controller || e.defaultPrevented || isTyping(e.target)) return;
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        void controller.step(e.key === 'ArrowRight' ? 1 : -1);
      } else if (controller.hasVideo && (e.key === 'Home' || e.key === 'End')) {
        e.preventDefault();
        void controller.seekFrame(e.key === 'Home' ? 1 : Number.POSITIVE_INFINITY);
      } else if (controller.hasVideo && e.key === ' ' && !(e.target instanceof HTMLButtonElement)) {
        // (A focused button takes Space itself.)
        e.preventDefault();
        controller.togglePlay();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  // Files dropped while the viewer's code is still loading wait for it instead of being lost.
  const add = (listed: ListedFiles) => void loadViewerController().then((c) => c.addFiles(toListed(listed)));

  const drop = useFileDrop((data) => {
    void listFromDataTransfer(data)
      .then(add)
      .catch((err: unknown) => useViewerStore.setState({ error: `the drop could not be read: ${errorMessage(err)}` }));
  });

  return (
    <div
      className="vw-panel"
      data-testid="viewer-panel"
      {...drop.handlers}
    >
      <div className="ds-toolbar">
        <button type="button" className="ds-btn primary" onClick={() => filesRef.current?.click()} disabled={!controller} data-testid="viewer-open-files">
          Open frames or video…
        </button>
        <button type="button" className="ds-btn" onClick={() => folderRef.current?.click()} disabled={!controller}>
          Open folder…
        </button>
        <button type="button" className="ds-btn" onClick={() => void controller?.addDatasetFrames()} disabled={!controller || !datasetReady} data-testid="viewer-open-dataset" title="The frames of the Dataset panel, with their labels">
          Dataset frames
        </button>
        <input
          ref={filesRef}
          type="file"
          multiple
          hidden
          accept="image/png,image/jpeg,image/webp,video/mp4,video/webm,.mp4,.webm,.mov,.mkv"
          onChange={(e) => {
            if (e.target.files?.length) add(listFromFileList(e.target.files));
            e.target.value = '';
          }}
          data-testid="viewer-file-input"
        />
        <input
          ref={folderRef}
          type="file"
          multiple
          hidden
          onChange={(e) => {
            if (e.target.files?.length) add(listFromFileList(e.target.files));
            e.target.value = '';
          }}
          data-testid="viewer-folder-input"
        />
        {entries.length > 0 && (
          <>
            <button type="button" className="ds-btn small" disabled={index <= 0 && current?.kind !== 'video'} onClick={() => void controller?.step(-1)} data-testid="viewer-prev" title="Previous (←)">
              ←
            </button>
            <span className="vw-position" data-testid="viewer-position">
              {index + 1} / {entries.length}
            </span>
            <button type="button" className="ds-btn small" disabled={index >= entries.length - 1 && current?.kind !== 'video'} onClick={() => void controller?.step(1)} data-testid="viewer-next" title="Next (→)">
              →
            </button>
            {current?.kind === 'video' && (
              <>
                <button type="button" className="ds-btn small" onClick={() => controller?.togglePlay()} title="Play or pause (Space)" data-testid="video-play">
                  {report?.video?.playing ? 'Pause' : 'Play'}
                </button>
                {report?.video && (
                  <select
                    value={report.video.speed}
                    onChange={(e) => controller?.setSpeed(Number(e.target.value))}
                    aria-label="Play speed"
                    title="Play speed (at a lower one a slow backend shows more of the frames)"
                    data-testid="video-speed"
                  >
                    {PLAY_SPEEDS.map((s) => (
                      <option key={s} value={s}>
                        {s}×
                      </option>
                    ))}
                  </select>
                )}
                {report?.video?.frames != null && (
                  <input
                    type="range"
                    className="vw-seek"
                    min={1}
                    max={report.video.frames}
                    value={report.video.seekingTo ?? report.video.frame}
                    onChange={(e) => void controller?.seekFrame(Number(e.target.value))}
                    aria-label="Frame"
                    title={`Frame ${report.video.frame} of ${report.video.frames} (←/→: a frame, Home/End: the first/last)`}
                    data-testid="video-seek"
                  />
                )}
              </>
            )}
            <span className="ds-hint vw-path" data-testid="viewer-current" title={current?.path}>
              {current?.path}
              {current?.hasLabel ? ' (with label)' : ''}
            </span>
            <button type="button" className="ds-btn small ghost" onClick={() => controller?.clearFiles()} data-testid="viewer-clear">
              Clear
            </button>
          </>
        )}
        {busy && (
          <span className="ds-hint" data-testid="viewer-busy" role="status">
            {busy}…
          </span>
        )}
      </div>

      {!model && (
        <p className="note" data-testid="viewer-no-model">
          No model yet: press <strong>New model</strong> in the model panel (a seeded, untrained LinkNet), import a model file or load a saved one.
        </p>
      )}
      <RunWeights />
      {error && (
        <div className="problem" role="alert" data-testid="viewer-error">
          <span data-testid="viewer-error-message">{error}</span>
          <button type="button" className="weights-dismiss" aria-label="Dismiss the error" onClick={() => useViewerStore.setState({ error: null })}>
            ×
          </button>
        </div>
      )}
      {notice && !error && (
        <p className="muted small" data-testid="viewer-notice">
          {notice}
        </p>
      )}
      <FileProblems problems={problems} summary="file(s) not shown" testId="viewer-problems" />

      <div className="vw-columns">
        <div className="vw-stage">
          {entries.length === 0 && (
            <div className="ds-dropzone" data-testid="viewer-dropzone">
              <p>
                <strong>Drop dashcam frames, a folder or a video here</strong>
              </p>
              <p className="muted small">PNG, JPEG, WebP or MP4/WebM. Frames with labels (CameraRGB/ + CameraSeg/, or x.png + x_label.png) are scored. ← and → step through frames.</p>
            </div>
          )}
          <div ref={zoomBoxRef} className="vw-zoom" hidden={entries.length === 0} {...zoom.handlers} data-testid="viewer-zoom-box" title="Wheel: zoom · drag: pan · double-click: whole frame">
            <canvas
              ref={canvasRef}
              className={`vw-canvas${zoom.view.scale >= 2 ? ' pixelated' : ''}`}
              style={{ transform: zoomTransform(zoom.view) }}
              onMouseMove={probe.move}
              onMouseLeave={probe.leave}
              data-testid="viewer-canvas"
            />
            {zoom.view.scale > 1 && (
              <button type="button" className="ds-btn small vw-zoom-reset" onClick={zoom.reset} onDoubleClick={(e) => e.stopPropagation()} data-testid="zoom-reset" data-scale={zoom.view.scale}>
                {zoom.view.scale.toFixed(1)}× · whole frame
              </button>
            )}
          </div>
          {report && <PixelReadout pixel={probe.pixel} />}
          <ViewerStats />
        </div>
        <div className="vw-side">
          <ViewerControls controller={controller} />
          <ThresholdSearch controller={controller} />
          <FrameRanking controller={controller} />
          <ViewerExports controller={controller} hasFrame={report !== null} hasVideo={report?.video != null} />
        </div>
      </div>
      {drop.dragging && <div className="ds-drop-overlay">Drop frames, a folder or a video</div>}
    </div>
  );
}
