/**
 * Ranks the Dataset panel's frames (its validation split, or all of them) by the grader's score of
 * each frame alone: every pair is opened with its label as the viewer opens dataset frames, the
 * current model runs on it once (its own engine, so the viewer's frame stays) and its masks are
 * made and counted as the viewer makes them, with the viewer's thresholds, morphology and hood.
 * A frame opened from the ranking therefore shows the score it was ranked with. The page gets a
 * turn between frames; cancel stops at the next one.
 */
import type { HoodMask } from '../data/hoodFile';
import { modelSession } from '../state/modelSession';
import { useRankingStore, type RankingScope } from '../state/rankingStore';
import { useViewerStore } from '../state/viewerStore';
import { nextTask } from '../util/nextTask';
import { datasetFrameList, loadDatasetPairWithTruth } from './datasetFrames';
import { ViewerEngine } from './engine';
import { rankedFrame, type RankedFrame } from './frameRanking';
import { validationFrames } from './sweepRunner';
import { errorMessage } from '../util/errorMessage';

let cancelRequested = false;

// A ranking made with another model no longer applies to this one.
modelSession.onChange(() => {
  if (useRankingStore.getState().status !== 'running') useRankingStore.setState({ status: 'idle', frames: [], settings: null, hood: null, skipped: [], error: null, ms: null });
});

export function cancelRanking(): void {
  if (useRankingStore.getState().status === 'running') cancelRequested = true;
}

/** Scores each frame of `scope`; `hood` is the viewer's hood in use (for removal and the truth), or null. */
export async function runFrameRanking(scope: RankingScope, hood: HoodMask | null): Promise<void> {
  const store = useRankingStore;
  if (store.getState().status === 'running') return;
  const model = modelSession.linkNet;
  const frames = scope === 'val' ? validationFrames() : datasetFrameList();
  if (!model) return store.setState({ status: 'failed', scope, error: 'There is no model yet: create, import or load one first.', frames: [] });
  if (frames.length === 0) {
    return store.setState({ status: 'failed', scope, error: `The Dataset panel has no ${scope === 'val' ? 'validation ' : ''}frames: load a dataset there (or use the sample).`, frames: [] });
  }
  const { settings, view } = useViewerStore.getState();
  cancelRequested = false;
  const t0 = performance.now();
  store.setState({ status: 'running', scope, progress: { done: 0, total: frames.length, path: '' }, frames: [], settings, hood, error: null, skipped: [], ms: null });
  const spec = model.config.input;
  const sized = hood && hood.width === spec.frameWidth && hood.height === spec.frameHeight ? hood : null;
  const engine = new ViewerEngine();
  const ranked: RankedFrame[] = [];
  const skipped: { path: string; reason: string }[] = [];
  try {
    for (const [n, frame] of frames.entries()) {
      if (cancelRequested) break;
      store.setState({ progress: { done: n, total: frames.length, path: frame.path } });
      try {
        const { pixels, truth } = await loadDatasetPairWithTruth(frame.index, frame.path, spec, sized?.mask ?? null);
        if (modelSession.linkNet !== model) throw new Error('the model changed during the ranking: run it again');
        await engine.infer(model, pixels, frame.path);
        const r = await engine.render(settings, settings.hood ? sized : null, { ...view, mode: 'masks' }, truth);
        if (!r.counts) throw new Error('no counts: the label does not fit the frame');
        ranked.push(rankedFrame(frame.index, frame.path, r.counts));
        store.setState({ frames: [...ranked] });
      } catch (e) {
        if (modelSession.linkNet !== model) throw new Error('the model changed during the ranking: run it again');
        skipped.push({ path: frame.path, reason: errorMessage(e).replace(`${frame.path}: `, '') });
        store.setState({ skipped: [...skipped] });
      }
      await nextTask();
    }
    if (cancelRequested) return store.setState({ status: 'cancelled', progress: null, ms: performance.now() - t0 });
    if (ranked.length === 0) throw new Error(`none of the ${frames.length} frames could be scored (${skipped[0]?.path}: ${skipped[0]?.reason})`);
    store.setState({ status: 'done', progress: null, ms: performance.now() - t0 });
  } catch (e) {
    store.setState({ status: 'failed', error: errorMessage(e), progress: null, ms: performance.now() - t0 });
  } finally {
    engine.dispose();
    cancelRequested = false;
  }
}
