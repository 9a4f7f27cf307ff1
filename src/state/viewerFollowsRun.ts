/**
 * The viewer following a training run: while the Viewer is open with "follow" on, each validation
 * of the live run makes the run's latest weights the current model, so the frame on screen shows
 * what the network has learnt so far. A search, ranking or export in progress keeps the model it
 * started with; the viewer says so and takes the weights of the next validation.
 */
import { followBlocker, runWeightsOffer, type RunWeightsOffer } from '../viewer/runWeights';
import { useRankingStore } from './rankingStore';
import { useStudioStore } from './studioStore';
import { useSweepStore } from './sweepStore';
import { holdsRunWeights, useTrainingStore } from './trainingStore';
import { useViewerStore } from './viewerStore';

/** The live run's offer, read from the stores. */
export function currentRunOffer(): RunWeightsOffer | null {
  const t = useTrainingStore.getState();
  return runWeightsOffer(
    { runId: t.runId, name: t.runName, step: t.latest?.step ?? null, hasWeights: holdsRunWeights(t.runId, t.phase) },
    useStudioStore.getState().weights.current?.origin ?? null,
  );
}

/** Takes the run's latest weights unless the viewer or the model panel is busy (then says why). */
export function followNow(): void {
  const offer = currentRunOffer();
  if (!offer) return;
  const blocker = followBlocker({
    trainingTask: useTrainingStore.getState().busy,
    modelTask: useStudioStore.getState().weights.busy,
    searchRunning: useSweepStore.getState().status === 'running',
    rankingRunning: useRankingStore.getState().status === 'running',
    exportRunning: useViewerStore.getState().exportProgress !== null,
  });
  if (blocker !== null) {
    useViewerStore.setState({ followNote: `Kept ${offer.shown === null ? 'the current model' : `step ${offer.shown}`}: ${blocker}.` });
    return;
  }
  useViewerStore.setState({ followNote: null });
  void useTrainingStore.getState().useLatestWeights({ quiet: true });
}

/**
 * Follows the run from now until the returned function is called (the Viewer closing): at once
 * when the viewer's weights are older than the run's last validation, then after each validation.
 */
export function followRunWhileOpen(): () => void {
  const atOpen = useTrainingStore.getState().lastValidation;
  const offer = currentRunOffer();
  if (useViewerStore.getState().followRun && atOpen && offer && (offer.shown === null || offer.shown < atOpen.step)) followNow();
  const stopValidations = useTrainingStore.subscribe((s, prev) => {
    if (s.lastValidation !== prev.lastValidation && s.lastValidation && useViewerStore.getState().followRun) followNow();
  });
  const stopToggle = useViewerStore.subscribe((s, prev) => {
    if (s.followRun && !prev.followRun) followNow();
    if (!s.followRun && prev.followRun) useViewerStore.setState({ followNote: null });
  });
  return () => {
    stopValidations();
    stopToggle();
  };
}
