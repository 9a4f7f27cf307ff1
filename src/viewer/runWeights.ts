/**
 * What the Viewer offers about a training run's weights: which run, at which step, and which of
 * its steps the viewer's model holds; and, when the viewer follows the run, why it cannot take
 * new weights right now. Plain functions over plain data (the stores pass their state in).
 */
import type { ModelOrigin } from '../state/modelSession';

/** The run as the training store knows it. */
export interface RunStatus {
  runId: string | null;
  name: string;
  /** The last step the run reported, null before its first one. */
  step: number | null;
  /** Whether the worker holds its weights (a run that started and has not been reset). */
  hasWeights: boolean;
}

export interface RunWeightsOffer {
  runId: string;
  name: string;
  /** The run's latest step. */
  step: number;
  /** The step of this run whose weights the viewer's model holds, or null when it holds another model or none. */
  shown: number | null;
}

/** The offer for the live run, or null when there is no run whose weights can be taken. */
export function runWeightsOffer(run: RunStatus, origin: ModelOrigin | null): RunWeightsOffer | null {
  if (run.runId === null || run.step === null || !run.hasWeights) return null;
  const shown = origin?.kind === 'training' && origin.runId === run.runId ? origin.step : null;
  return { runId: run.runId, name: run.name, step: run.step, shown };
}

/** What else could be busy when a new model would arrive. */
export interface ViewerWork {
  /** The training store fetching weights already, or another of its tasks. */
  trainingTask: string | null;
  /** The model panel's task (creating, importing, saving, exporting a model). */
  modelTask: string | null;
  searchRunning: boolean;
  rankingRunning: boolean;
  exportRunning: boolean;
}

/**
 * Why the viewer, following a run, keeps its model for now (null: it can take the new weights).
 * A search, a ranking or an export runs the model it started with, and would fail on a new one.
 */
export function followBlocker(work: ViewerWork): string | null {
  if (work.trainingTask !== null) return `the training tab is busy (${work.trainingTask})`;
  if (work.modelTask !== null) return `the model panel is busy (${work.modelTask})`;
  if (work.searchRunning) return 'the threshold search is running';
  if (work.rankingRunning) return 'the frames are being scored';
  if (work.exportRunning) return 'an export is running';
  return null;
}
