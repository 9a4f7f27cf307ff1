/**
 * One training run, independent of where it runs (the training worker, or Node in tests): batches
 * from the pipeline, augmentation, the step (forward, soft F-beta loss, backward, Adam), the
 * learning-rate schedule, validation with the challenge grader, the best checkpoint, the run state
 * saved for resuming, and failures turned into paused runs with a reason. Reports go out through
 * `env.post` as trainingProtocol messages.
 *
 * Control (pause, stop, learning rate, thresholds, weights requests) takes effect between steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { PairSource } from './pairSource';
import { defaultModelConfig, type InputSpec, type ModelConfig } from '../model/config';
import { LinkNetModel } from '../model/linkNetModel';
import { torchWeightsFromTfLayout } from '../weights/pytorchLayout';
import { framesToInput } from '../inference/frameInput';
import { oneHotTargets } from './oneHotTargets';
import type { ClassThresholds } from '../inference/frameMasks';
import type {
  CheckpointInfo,
  FromTrainingWorker,
  ResumeSavedRequest,
  RunPhase,
  StartRequest,
  StepReport,
  TrainingData,
  TrainingSettings,
  ValidationReport,
} from '../worker/trainingProtocol';
import { applyAugmentation, sampleAugmentParams } from './augment';
import { BatchOrder } from './batchOrder';
import { BatchPipeline, croppedSpec } from './batchPipeline';
import { classifyFailure, DeviceLostError, NonFiniteLossError } from './failures';
import { learningRateAt } from './learningRateSchedule';
import type { RunState, SavedRunPhase, ValidationRecord } from './runState';
import { StorageQuotaError, type RunStore } from './runStore';
import { SeededStream } from './seededStream';
import { squaredNorm } from './gradientNorm';
import { frameMaskToInput } from './trainingTargets';
import { computeGradients, defaultAdamSettings, disposeGradients, Trainer } from './trainStep';
import { validate } from './validation';
import { nextTask } from '../util/nextTask';
import { errorMessage } from '../util/errorMessage';
import { NO_MORPHOLOGY } from '../postprocess/settings';
import { postprocessToMetadata } from '../weights/postprocessMetadata';

export interface BackendControl {
  /** Name of the backend in use. */
  name(): string;
  /** Destroys the GPU device (WebGPU) or makes the backend unusable as a lost device would. */
  loseDevice(): void;
  /** A fresh backend after a loss (the old one removed, a new one registered and selected). */
  recreate(): Promise<void>;
}

export interface CheckpointSink {
  save(name: string, model: LinkNetModel, metadata: Record<string, string>): Promise<void>;
}

export interface RunEnvironment {
  post(message: FromTrainingWorker): void;
  store: RunStore;
  checkpoints: CheckpointSink;
  backend: BackendControl;
  sourceFor(data: TrainingData): PairSource;
  /** Lets queued messages in between steps (default: a zero timeout). */
  yieldNow?: () => Promise<void>;
  /** Validation previews per report (default 3). */
  previews?: number;
}

const MIB = 1024 * 1024;

function settingsProblems(settings: TrainingSettings, data: TrainingData): string[] {
  const out: string[] = [];
  if (!(Number.isInteger(settings.batchSize) && settings.batchSize >= 1)) out.push(`batch size ${settings.batchSize} is not a whole number >= 1`);
  if (!(Number.isInteger(settings.epochs) && settings.epochs >= 1)) out.push(`epochs ${settings.epochs} is not a whole number >= 1`);
  if (!(settings.learningRate > 0 && Number.isFinite(settings.learningRate))) out.push(`learning rate ${settings.learningRate} is not a number > 0`);
  if (data.train.length === 0) out.push('the training split is empty');
  if (settings.loss.terms.length !== data.scheme.classes.length) out.push(`the loss has ${settings.loss.terms.length} class terms, the label scheme ${data.scheme.classes.length} classes`);
  return out;
}

/** The checkpoint's name in the browser model store. */
export function checkpointName(runName: string): string {
  return `${runName.trim().slice(0, 70) || 'run'} (best)`;
}

function stripPreviews(r: ValidationReport): ValidationRecord {
  const { previews: _previews, ...rest } = r;
  void _previews;
  return rest;
}

export class TrainingRun {
  readonly runId: string;
  private name: string;
  private readonly settings: TrainingSettings;
  private readonly data: TrainingData;
  private config: ModelConfig;
  private modelLabel: string;
  private model: LinkNetModel | null = null;
  private trainer: Trainer | null = null;
  private readonly pipeline: BatchPipeline;
  private readonly valPipeline: BatchPipeline;
  private order: BatchOrder;
  private augmentRng: SeededStream;
  private step = 0;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private learningRateScale = 1;
  private thresholds: ClassThresholds;
  private best: CheckpointInfo | null = null;
  private history: RunState['history'] = { steps: [], validations: [] };
  private createdAt = Date.now();
  private lastValidatedStep = -1;
  private phase: RunPhase = 'starting';
  private loopPromise: Promise<void> | null = null;
  private pauseRequested = false;
  private stopRequested = false;
  private pendingFault: 'nan' | 'device-lost' | null = null;
  /** After a device loss or an out-of-memory error: the next resume reloads the saved state. */
  private needsRebuild = false;
  private readonly weightRequests: number[] = [];
  private readonly unitSpec: InputSpec;
  private readonly needsNormalise: boolean;
  private readonly hoodAtInput: Uint8Array | null;

  private constructor(
    private readonly env: RunEnvironment,
    init: { runId: string; name: string; settings: TrainingSettings; data: TrainingData; config: ModelConfig; modelLabel: string },
  ) {
    this.runId = init.runId;
    this.name = init.name;
    this.settings = init.settings;
    this.data = init.data;
    this.config = init.config;
    this.modelLabel = init.modelLabel;
    this.thresholds = { ...init.settings.thresholds };
    const problems = settingsProblems(init.settings, init.data);
    if (problems.length > 0) throw new Error(`cannot train: ${problems.join('; ')}`);
    this.stepsPerEpoch = Math.ceil(init.data.train.length / init.settings.batchSize);
    this.totalSteps = this.stepsPerEpoch * init.settings.epochs;
    const source = env.sourceFor(init.data);
    const budget = Math.max(0, init.settings.cacheBudgetMiB) * MIB;
    // Train and val share one cache budget (val gets a quarter when there is a val split).
    const valShare = init.data.val.length > 0 ? 0.25 : 0;
    const spec = init.data.spec;
    const mapped = (indices: number[]) => ({
      count: indices.length,
      name: (i: number) => source.name(indices[i]),
      load: (i: number) => source.load(indices[i]),
    });
    this.pipeline = new BatchPipeline(mapped(init.data.train), spec, init.data.scheme, init.data.hood, budget * (1 - valShare));
    this.valPipeline = new BatchPipeline(mapped(init.data.val), spec, init.data.scheme, init.data.hood, budget * valShare);
    this.order = new BatchOrder(init.data.train.length, init.settings.seed);
    this.augmentRng = new SeededStream((init.settings.seed + 1) >>> 0);
    const crop = croppedSpec(spec);
    this.unitSpec = { ...crop, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };
    this.needsNormalise = spec.scale !== 1 / 255 || spec.mean.some((m) => m !== 0) || spec.std.some((s) => s !== 1);
    this.hoodAtInput = init.data.hood ? frameMaskToInput(init.data.hood, spec) : null;
  }

  /** A new run from a start request; the initial state is saved before it returns. Call start() to train. */
  static async create(req: StartRequest, env: RunEnvironment): Promise<TrainingRun> {
    const classes = req.data.scheme.classes.map((c) => c.name);
    const config: ModelConfig =
      req.model.kind === 'new'
        ? defaultModelConfig({ encoder: req.settings.encoder, classes, input: req.data.spec })
        : { ...req.model.config, input: req.data.spec };
    if (config.classes.length !== classes.length) throw new Error(`the model has ${config.classes.length} classes, the label scheme ${classes.length}`);
    const run = new TrainingRun(env, {
      runId: req.runId,
      name: req.name,
      settings: req.settings,
      data: req.data,
      config,
      modelLabel: req.model.kind === 'new' ? 'new' : req.model.label,
    });
    run.post({ type: 'phase', phase: 'starting', runId: run.runId });
    let model: LinkNetModel;
    if (req.model.kind === 'new') model = LinkNetModel.create(config, req.settings.seed);
    else if (req.model.encoderOnly) {
      model = LinkNetModel.create(config, req.settings.seed);
      model.assignTorchWeights(new Map(Object.entries(req.model.weights)));
    } else {
      const weights = new Map(Object.entries(req.model.weights));
      model = LinkNetModel.fromTorchWeights(config, req.model.tfLayout ? torchWeightsFromTfLayout(config, weights) : weights);
    }
    run.model = model;
    run.trainer = new Trainer(model, req.settings.loss, defaultAdamSettings(req.settings.learningRate));
    await run.saveState('paused');
    return run;
  }

  /** A saved run (after a reload or crash); the data must be the same (fingerprint). Call start() to continue. */
  static async fromSaved(req: ResumeSavedRequest, env: RunEnvironment): Promise<TrainingRun> {
    const state = await env.store.load(req.runId);
    if (!state) throw new Error(`no saved run with id ${req.runId} in this browser`);
    if (state.fingerprint !== req.data.fingerprint) {
      throw new Error(`the run "${state.name}" was trained on other data (dataset fingerprint differs); load the same dataset to resume it`);
    }
    const run = new TrainingRun(env, {
      runId: state.runId,
      name: state.name,
      settings: state.settings,
      data: req.data,
      config: { ...state.config, input: req.data.spec },
      modelLabel: state.modelLabel,
    });
    run.post({ type: 'phase', phase: 'starting', runId: run.runId });
    await run.applyState(state);
    return run;
  }

  get currentPhase(): RunPhase {
    return this.phase;
  }

  get stepsDone(): number {
    return this.step;
  }

  get currentModel(): LinkNetModel | null {
    return this.model;
  }

  /** Starts (or continues) training; resolves when the loop stops (pause, stop, finish or failure). */
  start(): Promise<void> {
    if (this.loopPromise) return this.loopPromise;
    this.pauseRequested = false;
    this.loopPromise = this.loop().finally(() => {
      this.loopPromise = null;
    });
    return this.loopPromise;
  }

  /** Resolves when the running loop (if any) has stopped. */
  async idle(): Promise<void> {
    await this.loopPromise;
  }

  pause(): void {
    if (this.loopPromise) {
      this.pauseRequested = true;
      this.setPhase('pausing');
    }
  }

  /** Continues a paused run (rebuilding the backend and state first after a device loss). */
  resume(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'finished') return Promise.resolve();
    return this.start();
  }

  /** Stops at the next step boundary (or now, when paused); the run state is saved. */
  async stop(): Promise<void> {
    if (this.loopPromise) {
      this.stopRequested = true;
      this.setPhase('stopping');
      await this.loopPromise;
      return;
    }
    if (this.phase === 'stopped' || this.phase === 'finished') return;
    this.setPhase('stopping');
    if (!this.needsRebuild) await this.saveState('stopped').catch((e) => this.report(e));
    this.setPhase('stopped');
  }

  /** The rate of the next step becomes `value`; the schedule continues from there (scaled). */
  setLearningRate(value: number): void {
    if (!(value > 0 && Number.isFinite(value))) {
      this.post({ type: 'log', level: 'warn', text: `learning rate ${value} ignored: it must be a number > 0` });
      return;
    }
    const scheduled = learningRateAt(this.settings.schedule, this.settings.learningRate, this.step, this.totalSteps);
    this.learningRateScale = scheduled > 0 ? value / scheduled : 1;
    this.post({ type: 'log', level: 'info', text: `learning rate ${value} from step ${this.step + 1}` });
  }

  setThresholds(thresholds: ClassThresholds): void {
    this.thresholds = { ...thresholds };
  }

  injectFault(fault: 'nan' | 'device-lost'): void {
    this.pendingFault = fault;
  }

  /** Answers with 'weights' between steps (or now, when no step is running). */
  requestWeights(requestId: number): void {
    this.weightRequests.push(requestId);
    if (!this.loopPromise) void this.serveWeightRequests();
  }

  /** The learning rate the next step will use. */
  nextLearningRate(): number {
    return learningRateAt(this.settings.schedule, this.settings.learningRate, this.step, this.totalSteps) * this.learningRateScale;
  }

  dispose(): void {
    this.trainer?.dispose();
    this.model?.dispose();
    this.trainer = null;
    this.model = null;
    this.pipeline.clear();
    this.valPipeline.clear();
  }

  // -------------------------------------------------------------------------------------------

  private post(message: FromTrainingWorker): void {
    this.env.post(message);
  }

  private setPhase(phase: RunPhase, message?: string): void {
    this.phase = phase;
    this.post({ type: 'phase', phase, runId: this.runId, ...(message ? { message } : {}) });
  }

  private report(e: unknown): void {
    const c = classifyFailure(e, { batchSize: this.settings.batchSize, inputSize: `${this.data.spec.inputHeight}x${this.data.spec.inputWidth}` });
    this.post({ type: 'failure', failure: c.failure, message: c.message, recoverable: c.recoverable });
  }

  private epochOf(step: number): number {
    return Math.max(1, Math.ceil(step / this.stepsPerEpoch));
  }

  private async loop(): Promise<void> {
    const yieldNow = this.env.yieldNow ?? nextTask;
    try {
      if (this.needsRebuild) await this.rebuild();
      this.setPhase('running');
      for (;;) {
        await this.serveWeightRequests();
        if (this.stopRequested) {
          this.stopRequested = false;
          await this.saveState('stopped');
          this.setPhase('stopped');
          return;
        }
        if (this.pauseRequested) {
          this.pauseRequested = false;
          if (this.phase !== 'pausing') this.setPhase('pausing');
          await this.saveState('paused');
          this.setPhase('paused');
          return;
        }
        if (this.step >= this.totalSteps) {
          if (this.lastValidatedStep !== this.step) await this.validateNow();
          await this.saveState('finished');
          this.setPhase('finished');
          return;
        }
        await this.trainOneStep();
        const epochEnd = this.step % this.stepsPerEpoch === 0;
        const every = (n: number) => n > 0 && this.step % n === 0;
        if (epochEnd || every(this.settings.validateEverySteps)) await this.validateNow();
        // (The last step's state is saved as 'finished' right after.)
        if ((epochEnd || every(this.settings.saveEverySteps)) && this.step < this.totalSteps) await this.saveState('running');
        await yieldNow();
      }
    } catch (e) {
      await this.failed(e);
    }
  }

  private async failed(e: unknown): Promise<void> {
    this.pauseRequested = false;
    this.stopRequested = false;
    const c = classifyFailure(e, { batchSize: this.settings.batchSize, inputSize: `${this.data.spec.inputHeight}x${this.data.spec.inputWidth}` });
    if (c.failure === 'device-lost' || c.failure === 'out-of-memory' || c.failure === 'other') {
      // The tensors cannot be trusted: resume reloads the last saved state on a fresh backend.
      this.needsRebuild = true;
    } else if (c.failure === 'nan-loss' || c.failure === 'data') {
      // The bad step was not applied: the weights are the last good ones; save them with the position.
      try {
        await this.saveState('paused');
      } catch (saveError) {
        this.report(saveError);
      }
    }
    this.post({ type: 'failure', failure: c.failure, message: c.message, recoverable: c.recoverable });
    this.setPhase('paused', c.message);
  }

  private async trainOneStep(): Promise<void> {
    const model = this.model;
    const trainer = this.trainer;
    if (!model || !trainer) throw new Error('the run has no model');
    const before = { order: this.order.snapshot(), rng: this.augmentRng.state };
    const started = performance.now();
    const fault = this.pendingFault;
    this.pendingFault = null;
    try {
      if (fault === 'device-lost') {
        this.env.backend.loseDevice();
        throw new DeviceLostError('injected for a test');
      }
      const batchSize = this.settings.batchSize;
      const indices = this.order.next(batchSize);
      const learningRate = this.nextLearningRate();
      trainer.learningRate = learningRate;
      const batch = await this.pipeline.batch(indices);
      const dataWaitMs = performance.now() - started;
      const params = sampleAugmentParams(this.settings.augment, indices.length, () => this.augmentRng.next());
      const { input, target } = tf.tidy(() => {
        const raw = framesToInput(batch.frames, this.unitSpec);
        const t = oneHotTargets(batch.classes, [indices.length, this.data.spec.inputHeight, this.data.spec.inputWidth], this.config.classes.length);
        const a = applyAugmentation(raw, t, params);
        let x = a.images;
        if (this.needsNormalise) {
          const spec = this.data.spec;
          x = tf.div(tf.sub(x, tf.tensor1d(spec.mean, 'float32')), tf.tensor1d(spec.std, 'float32')) as tf.Tensor4D;
        }
        if (fault === 'nan') x = tf.mul(x, Number.NaN) as tf.Tensor4D;
        return { input: x, target: a.targets as tf.Tensor4D };
      });
      let g;
      try {
        g = computeGradients(model, input, target, this.settings.loss);
      } finally {
        tf.dispose([input, target]);
      }
      // The next batch decodes while the device works on this one.
      this.pipeline.prefetch(this.order.peek(batchSize));
      // The loss's clamps can turn a NaN into a number (they do on wasm): check the gradients too.
      const normSquared = squaredNorm([...g.grads.values()]);
      const [lossData, normData] = await Promise.all([g.loss.data(), normSquared.data()]);
      normSquared.dispose();
      const loss = lossData[0];
      const gradientNorm = Math.sqrt(normData[0]);
      if (!Number.isFinite(loss) || !Number.isFinite(gradientNorm)) {
        disposeGradients(g);
        throw new NonFiniteLossError(this.step + 1, Number.isFinite(loss) ? Number.NaN : loss, Number.isFinite(loss));
      }
      const result = await trainer.apply(g);
      this.step++;
      const ms = performance.now() - started;
      const memory = tf.memory();
      const report: StepReport = {
        step: this.step,
        epoch: this.epochOf(this.step),
        stepsPerEpoch: this.stepsPerEpoch,
        totalSteps: this.totalSteps,
        loss: result.loss,
        terms: result.fScores.map((f) => 1 - f),
        bce: result.bce,
        gradientNorm,
        learningRate,
        msPerStep: ms,
        imagesPerSecond: (indices.length * 1000) / ms,
        dataWaitMs,
        tensors: memory.numTensors,
        bytes: memory.numBytes,
        cache: this.pipeline.stats(),
      };
      this.history.steps.push(report);
      this.post({ type: 'step', report });
    } catch (e) {
      // The step did not happen: the next attempt draws the same batch and augmentation.
      this.order = BatchOrder.restore(before.order);
      this.augmentRng = SeededStream.fromState(before.rng);
      throw e;
    }
  }

  private async validateNow(): Promise<void> {
    const model = this.model;
    if (!model || this.data.val.length === 0) return;
    this.lastValidatedStep = this.step;
    const result = await validate(model, this.valPipeline, this.data.val.map((_, i) => i), {
      thresholds: this.thresholds,
      hoodAtInput: this.hoodAtInput,
      batchSize: this.settings.batchSize,
      previews: this.env.previews ?? 3,
    });
    const report: ValidationReport = { ...result, step: this.step, epoch: this.epochOf(this.step) };
    this.history.validations.push(stripPreviews(report));
    this.post({ type: 'validation', report });
    if (this.best === null || report.score > this.best.score) {
      const info: CheckpointInfo = { name: checkpointName(this.name), step: this.step, epoch: report.epoch, score: report.score, savedAt: Date.now() };
      try {
        await this.env.checkpoints.save(info.name, model, {
          run_id: this.runId,
          run_name: this.name,
          settings: JSON.stringify(this.settings),
          epoch: String(report.epoch),
          step: String(this.step),
          score: String(report.score),
          f_road: String(report.fRoad),
          f_car: String(report.fCar),
          thresholds: JSON.stringify(report.thresholds),
          // The thresholds it was scored with, as the viewer's "Model's values" (validation applies no morphology and removes the hood where one is known).
          ...postprocessToMetadata({
            car: { threshold: report.thresholds.car, morphology: NO_MORPHOLOGY },
            road: { threshold: report.thresholds.road, morphology: NO_MORPHOLOGY },
            hood: true,
          }),
          dataset_fingerprint: this.data.fingerprint,
          date: new Date(info.savedAt).toISOString(),
        });
      } catch (e) {
        const text = errorMessage(e);
        if (e instanceof StorageQuotaError || /quota/i.test(text)) throw new StorageQuotaError(`saving the best model: ${text}`);
        throw e;
      }
      this.best = info;
      this.post({ type: 'checkpoint', info, model: { encoder: model.config.encoder, classes: model.config.classes.length } });
    }
  }

  private async saveState(phase: SavedRunPhase): Promise<void> {
    const model = this.model;
    const trainer = this.trainer;
    if (!model || !trainer) return;
    const weights = Object.fromEntries(await model.readTorchWeights());
    const adam = await trainer.readOptimizerState();
    const state: RunState = {
      version: 1,
      runId: this.runId,
      name: this.name,
      settings: this.settings,
      fingerprint: this.data.fingerprint,
      config: this.config,
      modelLabel: this.modelLabel,
      step: this.step,
      stepsPerEpoch: this.stepsPerEpoch,
      totalSteps: this.totalSteps,
      weights,
      adam,
      order: this.order.snapshot(),
      augmentRngState: this.augmentRng.state,
      learningRateScale: this.learningRateScale,
      thresholds: this.thresholds,
      best: this.best,
      history: this.history,
      phase,
      createdAt: this.createdAt,
      savedAt: Date.now(),
    };
    await this.env.store.save(state);
    this.post({ type: 'saved', step: this.step, at: state.savedAt, phase, bestScore: this.best?.score ?? null });
  }

  /** Model, optimiser, position and history from a saved state. */
  private async applyState(state: RunState): Promise<void> {
    this.trainer?.dispose();
    this.model?.dispose();
    const model = LinkNetModel.fromTorchWeights(this.config, new Map(Object.entries(state.weights)));
    const trainer = new Trainer(model, this.settings.loss, defaultAdamSettings(this.settings.learningRate));
    await trainer.restoreOptimizerState(state.adam);
    this.model = model;
    this.trainer = trainer;
    this.step = state.step;
    this.order = BatchOrder.restore(state.order);
    this.augmentRng = SeededStream.fromState(state.augmentRngState);
    this.learningRateScale = state.learningRateScale;
    this.thresholds = { ...state.thresholds };
    this.best = state.best;
    this.history = { steps: [...state.history.steps], validations: [...state.history.validations] };
    this.createdAt = state.createdAt;
    this.lastValidatedStep = state.history.validations.at(-1)?.step ?? -1;
    this.needsRebuild = false;
    if (state.phase === 'finished') this.phase = 'finished';
    else if (state.phase === 'stopped') this.phase = 'stopped';
    this.post({
      type: 'history',
      runId: this.runId,
      name: this.name,
      settings: this.settings,
      steps: this.history.steps,
      validations: this.history.validations,
      best: this.best,
      step: this.step,
      totalSteps: this.totalSteps,
      stepsPerEpoch: this.stepsPerEpoch,
    });
  }

  /** After a device loss: a fresh backend, then the last saved state. */
  private async rebuild(): Promise<void> {
    try {
      this.trainer?.dispose();
      this.model?.dispose();
    } catch {
      // the old tensors belonged to the lost device
    }
    this.trainer = null;
    this.model = null;
    await this.env.backend.recreate();
    const state = await this.env.store.load(this.runId);
    if (!state) throw new Error('the saved run state is gone; start a new run');
    await this.applyState(state);
    this.post({ type: 'log', level: 'info', text: `backend ${this.env.backend.name()} re-created; continuing from step ${this.step}` });
  }

  private async serveWeightRequests(): Promise<void> {
    while (this.weightRequests.length > 0) {
      const requestId = this.weightRequests.shift()!;
      if (!this.model || this.needsRebuild) {
        this.post({ type: 'weights-unavailable', requestId, message: 'the model is not available (the run is being restored)' });
        continue;
      }
      const weights = Object.fromEntries(await this.model.readTorchWeights());
      this.post({ type: 'weights', requestId, config: this.config, weights, step: this.step });
    }
  }
}
