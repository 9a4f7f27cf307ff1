/**
 * Messages between the page and the training worker (trainingWorker.ts). The worker owns the
 * TensorFlow.js backend it trains on (WebGPU, else WebGL, wasm, CPU), the model, the optimiser,
 * the batch pipeline (decode, cache, prefetch) and the run's persistence in IndexedDB; the page
 * sends the dataset description and settings and draws what the worker reports.
 */
import type { BackendInfo } from '../backend/decide';
import type { LabelScheme } from '../data/labelScheme';
import type { ClassThresholds } from '../inference/frameMasks';
import type { LossConfig } from '../loss/fbetaLoss';
import type { EncoderName, InputSpec, ModelConfig } from '../model/config';
import type { SavedModelDetails } from '../weights/browserModelStore';
import type { AugmentConfig } from '../training/augment';
import type { SavedRunPhase } from '../training/runState';

export type LearningRateSchedule = 'constant' | 'step' | 'cosine';

/** Everything that defines a run besides its data (saved with the run and with checkpoints). */
export interface TrainingSettings {
  encoder: EncoderName;
  batchSize: number;
  epochs: number;
  /** Base learning rate (the schedule's first phase). */
  learningRate: number;
  /** 'step' = the original's 1e-4 / 1e-5 / 1e-6 phases over 75 / 20 / 10 of 105 epochs, scaled to the run. */
  schedule: LearningRateSchedule;
  loss: LossConfig;
  augment: AugmentConfig;
  seed: number;
  /** Validate every N steps as well as after each epoch; 0 = after epochs only. */
  validateEverySteps: number;
  /** Save the run state (weights, Adam moments, position, history) every N steps; 0 = at pause/epoch only. */
  saveEverySteps: number;
  /** Budget of the decoded-frame cache in the worker, in MiB. */
  cacheBudgetMiB: number;
  /** Thresholds the grader validates at (the viewer's current ones). */
  thresholds: ClassThresholds;
}

/** Where the frames come from; pair indices in `train`/`val` index into this. */
export type TrainingSource =
  | { kind: 'files'; pairs: { name: string; frame: File; label: File }[] }
  | { kind: 'sample'; count: number; seed: number; width: number; height: number };

export interface TrainingData {
  source: TrainingSource;
  train: number[];
  val: number[];
  /** Frame size, crop rows and network input size (dataset panel's geometry). */
  spec: InputSpec;
  scheme: LabelScheme;
  /** Full-frame 0/1 hood mask (removed from vehicle targets and from predictions), or null. */
  hood: Uint8Array | null;
  /** Identifies the dataset (source, pair names, split, geometry) for checkpoint metadata and resume checks. */
  fingerprint: string;
}

/** How the model starts. */
export type ModelStart =
  | { kind: 'new' }
  /** Weights by PyTorch name (a saved model, an imported file, or a torchvision encoder with encoderOnly). */
  /**
   * `tfLayout`: the weights as the page's backend holds them (LinkNetModel.readTfWeights), handed
   * over transferred and permuted here, so the page neither permutes nor clones them.
   */
  | { kind: 'weights'; config: ModelConfig; weights: Record<string, Float32Array>; encoderOnly: boolean; label: string; tfLayout?: true };

export interface StartRequest {
  type: 'start';
  runId: string;
  name: string;
  settings: TrainingSettings;
  data: TrainingData;
  model: ModelStart;
  /** 'auto' or a forced backend name (the page's ?backend= or setting). */
  backend: string;
}

/** Continues a run saved in IndexedDB (after a reload or crash); the data must have the same fingerprint. */
export interface ResumeSavedRequest {
  type: 'resume-saved';
  runId: string;
  data: TrainingData;
  backend: string;
}

export type ToTrainingWorker =
  | StartRequest
  | ResumeSavedRequest
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'set-learning-rate'; learningRate: number }
  | { type: 'set-thresholds'; thresholds: ClassThresholds }
  /** Asks for the current weights (answered with 'weights'). */
  | { type: 'get-weights'; requestId: number }
  /** Test hook: makes the next step's loss NaN, or destroys the GPU device. */
  | { type: 'inject-fault'; fault: 'nan' | 'device-lost' };

export type RunPhase = 'starting' | 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped' | 'finished' | 'failed';

export interface StepReport {
  step: number;
  epoch: number;
  /** Steps per epoch and in the whole run. */
  stepsPerEpoch: number;
  totalSteps: number;
  loss: number;
  /** Loss term per class: 1 - soft F-beta (channel order), and the BCE term when used. */
  terms: number[];
  bce: number | null;
  /** L2 norm of all gradients of the step (a NaN/Inf here pauses the run like a NaN loss). */
  gradientNorm?: number;
  learningRate: number;
  msPerStep: number;
  imagesPerSecond: number;
  /** Time spent waiting for the batch (0 when prefetch kept up). */
  dataWaitMs: number;
  tensors: number;
  /** Bytes the backend holds (GPU bytes on WebGPU/WebGL when reported). */
  bytes: number;
  cache: { entries: number; bytes: number; budgetBytes: number; hits: number; misses: number };
}

export interface ValidationReport {
  step: number;
  epoch: number;
  frames: number;
  fRoad: number;
  fCar: number;
  score: number;
  /** Per class in channel order. */
  precision: number[];
  recall: number[];
  thresholds: ClassThresholds;
  /** A few val frames: RGBA previews (frame with predicted overlay) at input size. */
  previews: { index: number; name: string; width: number; height: number; rgba: Uint8ClampedArray }[];
}

export interface CheckpointInfo {
  /** Saved model name in the browser model store. */
  name: string;
  step: number;
  epoch: number;
  score: number;
  savedAt: number;
}

export type TrainingFailure = 'device-lost' | 'out-of-memory' | 'nan-loss' | 'storage-quota' | 'data' | 'backend' | 'other';

export type FromTrainingWorker =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'phase'; phase: RunPhase; runId: string; message?: string }
  | { type: 'step'; report: StepReport }
  | { type: 'validation'; report: ValidationReport }
  /** A best checkpoint was saved; `model` is what the page's saved-model list shows of it (a worker has no localStorage to note it in). */
  | { type: 'checkpoint'; info: CheckpointInfo; model: SavedModelDetails }
  /** The run state was saved (step), so a reload can resume from here; phase and best score as saved, for the run list. */
  | { type: 'saved'; step: number; at: number; phase: SavedRunPhase; bestScore: number | null }
  /** The run stopped or paused because of a failure; the run state is kept. */
  | { type: 'failure'; failure: TrainingFailure; message: string; recoverable: boolean }
  | { type: 'weights'; requestId: number; config: ModelConfig; weights: Record<string, Float32Array>; step: number }
  /** A 'get-weights' that cannot be answered now (e.g. while the run is being restored). */
  | { type: 'weights-unavailable'; requestId: number; message: string }
  /**
   * Sent when a saved run is loaded ('resume-saved', or after a device loss): what happened so far,
   * so the charts can be redrawn. Validation reports here carry no previews.
   */
  | {
      type: 'history';
      runId: string;
      name: string;
      settings: TrainingSettings;
      steps: StepReport[];
      validations: Omit<ValidationReport, 'previews'>[];
      best: CheckpointInfo | null;
      step: number;
      totalSteps: number;
      stepsPerEpoch: number;
    }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; text: string };
