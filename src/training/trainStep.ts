/**
 * One optimisation step of LinkNet: training-mode forward (BatchNorm batch statistics),
 * soft F-beta loss, gradients, Adam, and PyTorch's running-statistics update.
 */
import * as tf from '@tensorflow/tfjs';
import type { ForwardOptions, LinkNetModel } from '../model/linkNetModel';
import type { BatchNormStats } from '../model/tensorOps';
import { segmentationLoss, type LossConfig } from '../loss/fbetaLoss';
import { AdamOptimizer, type AdamSettings, type AdamState } from './adamOptimizer';

export type { AdamSettings, AdamState } from './adamOptimizer';

/** PyTorch's Adam defaults, with the original's learning rate. */
export function defaultAdamSettings(learningRate = 1e-4): AdamSettings {
  return { learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
}

export interface StepResult {
  /** Total loss before the update. */
  loss: number;
  /** Soft F-beta score per class (channel order). */
  fScores: number[];
  /** The binary cross-entropy term (unweighted), or null when the loss has no BCE term (weight 0). */
  bce: number | null;
}

export interface Gradients {
  loss: tf.Scalar;
  fScores: tf.Tensor1D;
  /** The loss's BCE term (unweighted) from the same forward pass, or null when its weight is 0. */
  bce: tf.Scalar | null;
  /** Gradient of every trainable parameter, by PyTorch name, TensorFlow.js layout. */
  grads: Map<string, tf.Tensor>;
  batchStats: BatchNormStats[];
}

/** Forward and backward in training mode; the caller owns (and must dispose) everything returned. */
export function computeGradients(
  model: LinkNetModel,
  input: tf.Tensor4D,
  target: tf.Tensor4D,
  lossConfig: LossConfig,
  forward: Pick<ForwardOptions, 'batchNormGradient' | 'fuseBatchNormRelu'> = {},
): Gradients {
  const batchStats: BatchNormStats[] = [];
  let fScores: tf.Tensor1D | null = null;
  let bce: tf.Scalar | null = null;
  const trainable = model.trainableVariables();
  const { value, grads } = tf.variableGrads(() => {
    const { probs } = model.forward(input, { ...forward, training: true, batchStats });
    const parts = segmentationLoss(probs, target, lossConfig);
    fScores = tf.keep(parts.perClass);
    if (parts.bce) bce = tf.keep(parts.bce);
    return parts.total;
  }, trainable);
  const byName = new Map<string, tf.Tensor>();
  const names = model.specs.filter((s) => s.trainable).map((s) => s.name);
  trainable.forEach((v, i) => byName.set(names[i], grads[v.name]));
  return { loss: value, fScores: fScores!, bce, grads: byName, batchStats };
}

/** Frees everything computeGradients returned, without applying it (a step that is dropped). */
export function disposeGradients(g: Gradients): void {
  tf.dispose([g.loss, g.fScores, ...(g.bce ? [g.bce] : []), ...g.grads.values(), ...g.batchStats.flatMap((s) => [s.mean, s.variance])]);
}

/** Keeps an Adam optimiser bound to one model. */
export class Trainer {
  private readonly optimizer: AdamOptimizer;

  constructor(
    readonly model: LinkNetModel,
    readonly lossConfig: LossConfig,
    adam: AdamSettings = defaultAdamSettings(),
  ) {
    this.optimizer = new AdamOptimizer(adam);
  }

  /** The learning rate; it can be changed between steps (Adam's moments are kept). */
  get learningRate(): number {
    return this.optimizer.learningRate;
  }

  set learningRate(value: number) {
    this.optimizer.learningRate = value;
  }

  /** Runs one step; resolves once the loss is read back (the only GPU->CPU transfer). */
  async step(input: tf.Tensor4D, target: tf.Tensor4D): Promise<StepResult> {
    return this.apply(computeGradients(this.model, input, target, this.lossConfig));
  }

  /** Applies computed gradients (Adam) and batch statistics (running averages); disposes `g`. */
  async apply(g: Gradients): Promise<StepResult> {
    this.optimizer.applyGradients([...g.grads].map(([name, gradient]) => ({ variable: this.model.variable(name), gradient })));
    this.model.applyBatchStats(g.batchStats);
    tf.dispose([...g.grads.values()]);
    const [loss, fScores, bce] = await Promise.all([g.loss.data(), g.fScores.data(), g.bce?.data() ?? null]);
    tf.dispose([g.loss, g.fScores, ...(g.bce ? [g.bce] : [])]);
    return { loss: loss[0], fScores: Array.from(fScores), bce: bce ? bce[0] : null };
  }

  /** Adam's state: steps taken and the first then second moments (TF layout, trainable-variable order). */
  async readOptimizerState(): Promise<AdamState> {
    return this.optimizer.readState();
  }

  /** Puts back a state from readOptimizerState (same model architecture). */
  async restoreOptimizerState(state: AdamState): Promise<void> {
    this.optimizer.restoreState(state, this.model.trainableVariables());
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
