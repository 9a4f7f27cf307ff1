/**
 * One optimisation step of LinkNet: training-mode forward (BatchNorm batch statistics),
 * soft F-beta loss, gradients, Adam, and PyTorch's running-statistics update.
 */
import * as tf from '@tensorflow/tfjs';
import type { LinkNetModel } from '../model/linkNetModel';
import type { BatchNormStats } from '../model/tensorOps';
import { segmentationLoss, type LossConfig } from '../loss/fbetaLoss';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** PyTorch's Adam defaults, with the original's learning rate. */
export function defaultAdamSettings(learningRate = 1e-4): AdamSettings {
  return { learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
}

export interface StepResult {
  /** Total loss before the update. */
  loss: number;
  /** Soft F-beta score per class (channel order). */
  fScores: number[];
}

export interface Gradients {
  loss: tf.Scalar;
  fScores: tf.Tensor1D;
  /** Gradient of every trainable parameter, by PyTorch name, TensorFlow.js layout. */
  grads: Map<string, tf.Tensor>;
  batchStats: BatchNormStats[];
}

/** Forward and backward in training mode; the caller owns (and must dispose) everything returned. */
export function computeGradients(model: LinkNetModel, input: tf.Tensor4D, target: tf.Tensor4D, lossConfig: LossConfig): Gradients {
  const batchStats: BatchNormStats[] = [];
  let fScores: tf.Tensor1D | null = null;
  const trainable = model.trainableVariables();
  const { value, grads } = tf.variableGrads(() => {
    const { probs } = model.forward(input, { training: true, batchStats });
    const parts = segmentationLoss(probs, target, lossConfig);
    fScores = tf.keep(parts.perClass);
    return parts.total;
  }, trainable);
  const byName = new Map<string, tf.Tensor>();
  const names = model.specs.filter((s) => s.trainable).map((s) => s.name);
  trainable.forEach((v, i) => byName.set(names[i], grads[v.name]));
  return { loss: value, fScores: fScores!, grads: byName, batchStats };
}

/** Keeps an Adam optimiser bound to one model. */
export class Trainer {
  private readonly optimizer: tf.AdamOptimizer;

  constructor(
    readonly model: LinkNetModel,
    readonly lossConfig: LossConfig,
    adam: AdamSettings = defaultAdamSettings(),
  ) {
    this.optimizer = tf.train.adam(adam.learningRate, adam.beta1, adam.beta2, adam.epsilon);
  }

  /** The learning rate; it can be changed between steps (Adam's moments are kept). */
  get learningRate(): number {
    return (this.optimizer as unknown as { learningRate: number }).learningRate;
  }

  set learningRate(value: number) {
    // AdamOptimizer reads this field on every step; TypeScript only marks it protected.
    (this.optimizer as unknown as { learningRate: number }).learningRate = value;
  }

  /** Runs one step; resolves once the loss is read back (the only GPU->CPU transfer). */
  async step(input: tf.Tensor4D, target: tf.Tensor4D): Promise<StepResult> {
    return this.apply(computeGradients(this.model, input, target, this.lossConfig));
  }

  /** Applies computed gradients (Adam) and batch statistics (running averages); disposes `g`. */
  async apply(g: Gradients): Promise<StepResult> {
    const named: Array<{ name: string; tensor: tf.Tensor }> = [];
    for (const [name, grad] of g.grads) named.push({ name: this.model.variable(name).name, tensor: grad });
    this.optimizer.applyGradients(named);
    this.model.applyBatchStats(g.batchStats);
    tf.dispose([...g.grads.values()]);
    const [loss, fScores] = await Promise.all([g.loss.data(), g.fScores.data()]);
    tf.dispose([g.loss, g.fScores]);
    return { loss: loss[0], fScores: Array.from(fScores) };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
