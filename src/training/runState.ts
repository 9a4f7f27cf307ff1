/** What is saved of a training run so that it can continue after a pause, a reload or a crash. */
import type { ModelConfig } from '../model/config';
import type { CheckpointInfo, StepReport, TrainingSettings, ValidationReport } from '../worker/trainingProtocol';
import type { BatchOrderState } from './batchOrder';
import type { AdamState } from './trainStep';

export type SavedRunPhase = 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

/** A validation report as kept in the history (no previews). */
export type ValidationRecord = Omit<ValidationReport, 'previews'>;

export interface RunState {
  version: 1;
  runId: string;
  name: string;
  settings: TrainingSettings;
  /** Of the data the run trains on (resume refuses other data). */
  fingerprint: string;
  config: ModelConfig;
  /** Where the weights came from (new, or a model's label). */
  modelLabel: string;
  /** Steps done. */
  step: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** Every parameter and buffer by PyTorch name, PyTorch layout. */
  weights: Record<string, Float32Array>;
  adam: AdamState;
  order: BatchOrderState;
  augmentRngState: number;
  /** The user's learning-rate change: multiplies the schedule (1 = none). */
  learningRateScale: number;
  thresholds: TrainingSettings['thresholds'];
  best: CheckpointInfo | null;
  history: { steps: StepReport[]; validations: ValidationRecord[] };
  phase: SavedRunPhase;
  createdAt: number;
  savedAt: number;
}

/** What a run list shows (no weights). */
export interface RunSummary {
  runId: string;
  name: string;
  encoder: string;
  step: number;
  totalSteps: number;
  phase: SavedRunPhase;
  bestScore: number | null;
  fingerprint: string;
  createdAt: number;
  savedAt: number;
}

export function summarise(state: RunState): RunSummary {
  return {
    runId: state.runId,
    name: state.name,
    encoder: state.config.encoder,
    step: state.step,
    totalSteps: state.totalSteps,
    phase: state.phase,
    bestScore: state.best?.score ?? null,
    fingerprint: state.fingerprint,
    createdAt: state.createdAt,
    savedAt: state.savedAt,
  };
}
