/** A LinkNet model in TensorFlow.js: variables addressed by PyTorch state_dict names. */
import * as tf from '@tensorflow/tfjs';
import { linkNet, type LinkNetOutputs } from './architecture';
import { weightLookup } from '../weights/weightLookup';
import { inputSizeProblem, type ModelConfig } from './config';
import { initialValues, initialValuesBySlice } from './initialization';
import { nextTask } from '../util/nextTask';
import { TaskBudget } from '../util/taskBudget';
import { seededRandom } from '../util/seededRandom';
import { paramSpecs, tfShapeOf, type ParamSpec } from './shapeWalk';
import type { BatchNormGradient } from './batchNormTraining';
import { BN_MOMENTUM, tensorOps, type BatchNormStats } from './tensorOps';
import { runningAverage, runningAverageAttrs } from './runningAverage';
import { torchToTf, torchToTfBySlice, torchWeightsFromTfLayout } from '../weights/pytorchLayout';
import { finishInSteps, runsWithin, type SlicedWork } from '../util/slicedWork';

export interface ForwardOptions {
  training?: boolean;
  /** In training mode, receives each BatchNorm layer's batch statistics (kept tensors; see applyBatchStats). */
  batchStats?: BatchNormStats[];
  /** How training-mode BatchNorm is differentiated (default 'closed-form'; 'autodiff' is the reference). */
  batchNormGradient?: BatchNormGradient;
  /** Training: BatchNorm + ReLU as one kernel where the backend can (default true). */
  fuseBatchNormRelu?: boolean;
}

export interface ForwardResult extends LinkNetOutputs<tf.Tensor4D> {
  /** Softmax over channels (or sigmoid per channel), NHWC. */
  probs: tf.Tensor4D;
}

/** Weights in PyTorch layout, by state_dict name. */
export type TorchWeights = Map<string, Float32Array>;

let modelCounter = 0;

/** Bytes of weights read between two of the page's tasks (`readTfWeights({ yieldEveryBytes })`). */
export const READ_SLICE_BYTES = 4 << 20;

/** Values drawn between two checks of the page's time budget while initialising in steps. */
const INIT_SLICE = 1 << 16;
/** How long a step of an in-steps build may hold the page (ms). */
const DEFAULT_STEP_MS = 30;

/** A model's variable for one parameter, from its values in TensorFlow.js layout. */
function newVariable(modelId: number, spec: ParamSpec, tfValues: Float32Array): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(tfValues, tfShapeOf(spec), 'float32'), spec.trainable, `linknet${modelId}/${spec.name}`));
}

/** The error for a name that is no parameter or buffer of a LinkNet with `config`. */
function noParameter(name: string, config: ModelConfig): Error {
  return new Error(`no parameter named "${name}" in ${config.encoder} LinkNet`);
}

/** A parameter's values from PyTorch layout to the backend's. */
function inTfLayout(spec: ParamSpec, torchValues: Float32Array): Float32Array {
  return torchToTf(torchValues, spec.torchShape, spec.layout);
}


export class LinkNetModel {
  readonly config: ModelConfig;
  readonly specs: readonly ParamSpec[];
  private readonly variables: Map<string, tf.Variable>;
  private disposed = false;

  private constructor(config: ModelConfig, variables: Map<string, tf.Variable>) {
    this.config = config;
    this.specs = paramSpecs(config);
    this.variables = variables;
  }

  /** A freshly initialised model (seeded). */
  static create(config: ModelConfig, seed = 0): LinkNetModel {
    const random = seededRandom(seed);
    const variables = new Map<string, tf.Variable>();
    const id = ++modelCounter;
    for (const spec of paramSpecs(config)) variables.set(spec.name, newVariable(id, spec, inTfLayout(spec, initialValues(spec, random))));
    return new LinkNetModel(config, variables);
  }

  /** A model with the given weights (every parameter and buffer required; see weights/modelFile for validation). */
  static fromTorchWeights(config: ModelConfig, weights: TorchWeights): LinkNetModel {
    const variables = new Map<string, tf.Variable>();
    const id = ++modelCounter;
    const weight = weightLookup(weights);
    try {
      for (const spec of paramSpecs(config)) variables.set(spec.name, newVariable(id, spec, inTfLayout(spec, weight(spec.name))));
    } catch (e) {
      for (const v of variables.values()) v.dispose();
      throw e;
    }
    return new LinkNetModel(config, variables);
  }

  /**
   * `create`, in steps: the page gets a task in between whenever about `budgetMs` have passed
   * (LinkNet34's 21.6 M values take about 1.8 s to draw, permute and upload on a slow CPU).
   * The same values as `create` with the same seed.
   */
  static async createInSteps(config: ModelConfig, seed = 0, budgetMs = DEFAULT_STEP_MS): Promise<LinkNetModel> {
    return LinkNetModel.createWithInSteps(config, seed, new Map(), budgetMs);
  }

  /**
   * `createInSteps`, then the `given` weights (PyTorch layout, validated) in place of the drawn
   * ones: `create(config, seed)` with `assignTorchWeights(given)`, without a whole-model pass on the
   * page (e.g. a torchvision encoder under a seeded decoder).
   */
  static async createWithInSteps(config: ModelConfig, seed: number, given: TorchWeights, budgetMs = DEFAULT_STEP_MS): Promise<LinkNetModel> {
    const specs = new Set(paramSpecs(config).map((s) => s.name));
    const unknown = [...given.keys()].find((name) => !specs.has(name));
    if (unknown !== undefined) throw noParameter(unknown, config);
    const random = seededRandom(seed);
    return LinkNetModel.buildInSteps(config, budgetMs, function* (spec) {
      // The draws are made for every parameter, so the others get the values `create` gives them.
      const drawn = yield* initialValuesBySlice(spec, random, INIT_SLICE);
      return given.get(spec.name) ?? drawn;
    });
  }

  /** `fromTorchWeights`, in steps (a task for the page in between every `budgetMs` or so). */
  static async fromTorchWeightsInSteps(config: ModelConfig, weights: TorchWeights, budgetMs = DEFAULT_STEP_MS): Promise<LinkNetModel> {
    const weight = weightLookup(weights);
    return LinkNetModel.buildInSteps(config, budgetMs, function* (spec) {
      return weight(spec.name);
    });
  }

  /**
   * Builds the variables one parameter at a time from `values` (PyTorch layout; a generator that may
   * pause while it computes them), permuted in slices too, pausing for a task whenever `budgetMs`
   * have passed. Frees what it built when a value fails.
   */
  private static async buildInSteps(config: ModelConfig, budgetMs: number, values: (spec: ParamSpec) => SlicedWork<Float32Array>): Promise<LinkNetModel> {
    const variables = new Map<string, tf.Variable>();
    const id = ++modelCounter;
    const steps = new TaskBudget(budgetMs);
    try {
      for (const spec of paramSpecs(config)) {
        const torchValues = await finishInSteps(values(spec), steps);
        await steps.pauseWhenSpent();
        const tfValues = await finishInSteps(torchToTfBySlice(torchValues, spec.torchShape, spec.layout), steps);
        await steps.pauseWhenSpent();
        variables.set(spec.name, newVariable(id, spec, tfValues));
        await steps.pauseWhenSpent();
      }
    } catch (e) {
      for (const v of variables.values()) v.dispose();
      throw e;
    }
    return new LinkNetModel(config, variables);
  }

  /** Runs the network. Input: NHWC float32, height and width multiples of 32. */
  forward(input: tf.Tensor4D, options: ForwardOptions = {}): ForwardResult {
    this.assertUsable();
    const [, h, w, c] = input.shape;
    const sizeProblem = inputSizeProblem(h, w);
    if (sizeProblem) throw new Error(sizeProblem);
    if (c !== 3) throw new Error(`input has ${c} channels; LinkNet takes 3`);
    const ops = tensorOps({ param: (name) => this.variable(name), training: options.training ?? false, batchStats: options.batchStats, batchNormGradient: options.batchNormGradient, fuseBatchNormRelu: options.fuseBatchNormRelu });
    const outputs = linkNet(ops, this.config, input);
    const probs = this.config.final === 'softmax' ? tf.softmax(outputs.logits, -1) : tf.sigmoid(outputs.logits);
    return { ...outputs, probs: probs as tf.Tensor4D };
  }

  /** Probabilities only, in eval mode, with intermediates freed. */
  predict(input: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.forward(input).probs);
  }

  variable(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw noParameter(name, this.config);
    return v;
  }

  trainableVariables(): tf.Variable[] {
    return this.specs.filter((s) => s.trainable).map((s) => this.variable(s.name));
  }

  /**
   * PyTorch's running-statistics update: running = (1 - momentum) * running + momentum * batch, with
   * the batch's unbiased variance (src/model/runningAverage.ts). Disposes the stats.
   */
  applyBatchStats(stats: BatchNormStats[], momentum = BN_MOMENTUM): void {
    const forMean = runningAverageAttrs(momentum);
    tf.tidy(() => {
      for (const s of stats) {
        const mean = this.variable(`${s.name}.running_mean`);
        const variance = this.variable(`${s.name}.running_var`);
        mean.assign(runningAverage({ running: mean, batch: s.mean }, forMean));
        const correction = s.count > 1 ? s.count / (s.count - 1) : 1;
        variance.assign(runningAverage({ running: variance, batch: s.variance }, runningAverageAttrs(momentum, correction)));
      }
    });
    for (const s of stats) {
      s.mean.dispose();
      s.variance.dispose();
    }
  }

  /**
   * Every parameter and buffer as the backend holds it (TensorFlow.js layout, `tfShapeOf(spec)`):
   * no permutation. May be the backend's own storage (CPU): not to be changed or transferred. With
   * `yieldEveryBytes`, the page gets a task in between reads of at most that many bytes in all (a
   * larger tensor is read in a task of its own): on wasm and CPU every read resolves at once, and
   * LinkNet34's 86 MB take about 260 ms to read on wasm.
   */
  async readTfWeights({ yieldEveryBytes = Infinity } = {}): Promise<Map<string, Float32Array>> {
    this.assertUsable();
    const out = new Map<string, Float32Array>();
    const bytes = this.specs.map((spec) => 4 * tfShapeOf(spec).reduce((a, b) => a * b, 1));
    const runs = runsWithin(bytes, yieldEveryBytes);
    for (const [r, run] of runs.entries()) {
      if (r > 0) await nextTask();
      for (const i of run) {
        const spec = this.specs[i]!;
        out.set(spec.name, (await this.variable(spec.name).data()) as Float32Array);
      }
    }
    return out;
  }

  /** Every parameter and buffer in PyTorch layout. */
  async readTorchWeights(): Promise<TorchWeights> {
    return torchWeightsFromTfLayout(this.config, await this.readTfWeights());
  }

  /** Assigns the given (already validated) weights; names not given keep their values. */
  assignTorchWeights(weights: TorchWeights): void {
    this.assertUsable();
    for (const [name] of weights) this.variable(name); // every name must exist before anything changes
    tf.tidy(() => {
      for (const spec of this.specs) {
        const data = weights.get(spec.name);
        if (data) this.variable(spec.name).assign(tf.tensor(torchToTf(data, spec.torchShape, spec.layout), tfShapeOf(spec), 'float32'));
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this model has been disposed');
  }
}
