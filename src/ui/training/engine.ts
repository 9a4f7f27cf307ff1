/**
 * What the Training tab needs from the training engine: a client for the worker and the list of
 * runs saved in IndexedDB. The store codes against these shapes; engineBinding.ts connects them
 * to the engine's TrainingClient and runStore (loaded lazily, with TensorFlow.js behind them).
 */
import type { ClassThresholds } from '../../inference/frameMasks';
import type { ModelConfig } from '../../model/config';
import type { FromTrainingWorker, ResumeSavedRequest, StartRequest, StepReport, ValidationReport } from '../../worker/trainingProtocol';

export interface TrainingEngine {
  /** `transfer`: buffers of the request (the start model's weights) handed over rather than cloned. */
  start(req: StartRequest, transfer?: Transferable[]): void;
  resumeSaved(req: ResumeSavedRequest): void;
  pause(): void;
  resume(): void;
  stop(): void;
  setLearningRate(learningRate: number): void;
  setThresholds(thresholds: ClassThresholds): void;
  getWeights(): Promise<{ config: ModelConfig; weights: Record<string, Float32Array>; step: number }>;
  injectFault(fault: 'nan' | 'device-lost'): void;
  onMessage(listener: (m: FromTrainingWorker) => void): () => void;
  dispose(): void;
}

/** A run saved in the browser, as the tab lists it. */
export interface SavedRun {
  runId: string;
  name: string;
  encoder: string;
  step: number;
  totalSteps: number;
  phase: 'running' | 'paused' | 'stopped' | 'finished' | 'failed';
  bestScore: number | null;
  fingerprint: string;
  savedAt: number;
}

/** A saved run's curves (for comparing runs). */
export interface SavedRunHistory {
  steps: StepReport[];
  validations: Omit<ValidationReport, 'previews'>[];
}

export interface RunLibrary {
  list(): Promise<SavedRun[]>;
  history(runId: string): Promise<SavedRunHistory | null>;
  rename(runId: string, name: string): Promise<void>;
  remove(runId: string): Promise<void>;
}

/** Whether a saved run can continue (it was running, paused or failed when last saved). */
export function isUnfinished(run: Pick<SavedRun, 'phase'>): boolean {
  return run.phase === 'running' || run.phase === 'paused' || run.phase === 'failed';
}

export interface EngineBinding {
  createEngine(): TrainingEngine;
  runs: RunLibrary;
}
