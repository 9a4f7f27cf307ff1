/**
 * Runs the threshold and morphology search on the validation split of the dataset loaded in the
 * Dataset panel: each validation pair is opened with its label (as the viewer opens dataset
 * frames), the current model runs on it once (its own engine, so the viewer's frame stays), and
 * the crop probabilities feed the sweep. The page gets a turn between frames and between the
 * morphology candidates; progress and the result go to the sweep store; cancel stops at the next turn.
 */
import * as tf from '@tensorflow/tfjs';
import type { HoodMask } from '../data/hoodFile';
import { challengeChannels } from '../inference/frameMasks';
import { useDatasetStore } from '../state/datasetStore';
import { modelSession } from '../state/modelSession';
import { useSweepStore } from '../state/sweepStore';
import { useViewerStore } from '../state/viewerStore';
import { loadDatasetPairWithTruth } from './datasetFrames';
import { ViewerEngine } from './engine';
import { candidateCountsGpu } from './sweepCandidatesGpu';
import { CANDIDATE_STRIDE, defaultCandidates, sliderGrid, SWEEP_STRIDE, ThresholdSweep } from './thresholdSweep';
import { nextTask } from '../util/nextTask';
import { errorMessage } from '../util/errorMessage';

/** Longest stretch of work between two turns for the page (ms). */
const SLICE_MS = 40;
const GPU_BACKENDS = ['webgpu', 'webgl'];

let cancelRequested = false;

class ModelChangedError extends Error {}

/** The validation pairs (index and frame path) of the Dataset panel's dataset. */
export function validationFrames(): { index: number; path: string }[] {
  const s = useDatasetStore.getState();
  const pairs = s.pairing?.pairs ?? [];
  return (s.derived?.split.val ?? []).filter((i) => pairs[i] && s.records[i]).map((index) => ({ index, path: pairs[index]!.framePath }));
}

// A result found with another model no longer applies to this one.
modelSession.onChange(() => {
  if (useSweepStore.getState().status === 'done') useSweepStore.setState({ status: 'idle', result: null, skipped: [], ms: null });
});

export function cancelSweep(): void {
  if (useSweepStore.getState().status === 'running') cancelRequested = true;
}

/** Runs the search; `hood` is the viewer's hood in use (for removal and the truth), or null. */
export async function runValidationSweep(hood: HoodMask | null): Promise<void> {
  const store = useSweepStore;
  if (store.getState().status === 'running') return;
  const model = modelSession.linkNet;
  const frames = validationFrames();
  const removeHood = useViewerStore.getState().settings.hood;
  if (!model) return store.setState({ status: 'failed', error: 'There is no model yet: create, import or load one first.', result: null });
  if (frames.length === 0) {
    return store.setState({ status: 'failed', error: 'The Dataset panel has no validation frames: load a dataset there (or use the sample) and keep a validation share above 0.', result: null });
  }
  cancelRequested = false;
  const t0 = performance.now();
  store.setState({ status: 'running', progress: { done: 0, total: frames.length, stage: 'starting' }, result: null, error: null, skipped: [], hood: removeHood, ms: null });
  const spec = model.config.input;
  const engine = new ViewerEngine();
  const skipped: { path: string; reason: string }[] = [];
  let hoodT: tf.Tensor2D | null = null;
  try {
    const channels = challengeChannels(model.config.classes);
    const placement = { frameWidth: spec.frameWidth, frameHeight: spec.frameHeight, cropTop: spec.cropTop, cropBottom: spec.cropBottom };
    const sweep = new ThresholdSweep({
      placement,
      channelCount: model.config.classes.length,
      channels,
      thresholds: { car: sliderGrid('car', SWEEP_STRIDE), road: sliderGrid('road', SWEEP_STRIDE) },
      candidates: defaultCandidates(CANDIDATE_STRIDE),
    });
    const sized = hood && hood.width === spec.frameWidth && hood.height === spec.frameHeight ? hood.mask : null;
    const removal = removeHood ? sized : null;
    // Morphology candidates with the backend's ops on a GPU backend; the CPU reference elsewhere.
    const onGpu = GPU_BACKENDS.includes(tf.getBackend());
    const channelCount = model.config.classes.length;
    hoodT = onGpu && removal ? tf.tensor2d(Float32Array.from(removal), [placement.frameHeight, placement.frameWidth]) : null;
    store.setState({ method: onGpu ? `${tf.getBackend()} ops` : 'CPU reference' });
    for (const [n, frame] of frames.entries()) {
      const progress = (stage: string) => store.setState({ progress: { done: n, total: frames.length, stage: `${frame.path}: ${stage}` } });
      if (cancelRequested) break;
      progress('opening');
      let probs: Float32Array;
      let truth;
      try {
        const pair = await loadDatasetPairWithTruth(frame.index, frame.path, spec, sized);
        if (modelSession.linkNet !== model) throw new ModelChangedError('the model changed during the search: run it again');
        progress('running the model');
        await engine.infer(model, pair.pixels, frame.path, { keepPixels: false });
        const read = await engine.readProbabilities();
        if (read.channels !== model.config.classes.length) throw new Error(`the model gave ${read.channels} channels`);
        probs = read.values;
        truth = pair.truth;
      } catch (e) {
        if (modelSession.linkNet !== model) throw new ModelChangedError('the model changed during the search: run it again');
        if (!(e instanceof ModelChangedError)) {
          skipped.push({ path: frame.path, reason: errorMessage(e).replace(`${frame.path}: `, '') });
          store.setState({ skipped: [...skipped] });
          continue;
        }
        throw e;
      }
      progress('thresholds');
      await nextTask();
      sweep.addFrame(probs, truth, removal);
      for (const cls of ['car', 'road'] as const) {
        const count = sweep.candidateCount(cls);
        if (onGpu) {
          await nextTask();
          progress(`${cls === 'car' ? 'vehicle' : 'road'} morphology on ${tf.getBackend()}`);
          const probsT = tf.tidy(() => tf.tensor3d(probs, [placement.cropBottom - placement.cropTop, placement.frameWidth, channelCount]).slice([0, 0, channels[cls]], [placement.cropBottom - placement.cropTop, placement.frameWidth, 1]).squeeze([2]) as tf.Tensor2D);
          const truthT = tf.tensor2d(Float32Array.from(truth[cls]), [placement.frameHeight, placement.frameWidth]);
          try {
            for (const [ci, cand] of sweep.candidatesOf(cls).entries()) {
              if (cancelRequested) break;
              sweep.addCandidateCounts(cls, ci, await candidateCountsGpu(probsT, truthT, hoodT, placement, cand.morphology, cand.thresholds));
            }
          } finally {
            tf.dispose([probsT, truthT]);
          }
          continue;
        }
        for (let ci = 0; ci < count && !cancelRequested; ci++) {
          progress(`${cls === 'car' ? 'vehicle' : 'road'} morphology ${ci + 1}/${count}`);
          await nextTask();
          let since = performance.now();
          for (let ti = 0; ti < sweep.candidateThresholds(cls, ci) && !cancelRequested; ti++) {
            // A turn for the page whenever a slice of the work has run.
            if (performance.now() - since > SLICE_MS) {
              await nextTask();
              since = performance.now();
            }
            sweep.addCandidateAt(cls, ci, ti, probs, truth, removal);
          }
        }
      }
      if (cancelRequested) break;
      store.setState({ progress: { done: n + 1, total: frames.length, stage: frame.path } });
      await nextTask();
    }
    if (cancelRequested) {
      store.setState({ status: 'cancelled', progress: null, ms: performance.now() - t0 });
      return;
    }
    if (sweep.frames === 0) throw new Error(`none of the ${frames.length} validation frames could be used (${skipped[0]?.path}: ${skipped[0]?.reason})`);
    store.setState({ status: 'done', result: sweep.result(), progress: null, ms: performance.now() - t0 });
  } catch (e) {
    store.setState({ status: 'failed', error: errorMessage(e), progress: null, ms: performance.now() - t0 });
  } finally {
    engine.dispose();
    hoodT?.dispose();
    cancelRequested = false;
  }
}
