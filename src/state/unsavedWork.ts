/** Work in progress that leaving the page would lose, as the leave guard names it (null: none). */
import { useStudioStore } from './studioStore';
import { useTrainingStore, type TrainingPhase } from './trainingStore';
import { useViewerStore } from './viewerStore';

/** Phases in which the worker holds steps not yet saved (a paused or stopped run is saved). */
const UNSAVED_PHASES: readonly TrainingPhase[] = ['starting', 'running', 'pausing', 'stopping'];

export function unsavedWork(): string | null {
  if (UNSAVED_PHASES.includes(useTrainingStore.getState().phase)) return 'a training run (the steps since its last save)';
  const weightsTask = useStudioStore.getState().weights.busy;
  if (weightsTask !== null) return weightsTask;
  if (useViewerStore.getState().exportProgress !== null) return "the viewer's export";
  return null;
}
