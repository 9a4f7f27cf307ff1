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
export function computeGradients(model: LinkNetModel, input: tf.Tensor4D, target: tf.Tensor4D, lossConfig: LossConfig): Gradients {
  const batchStats: BatchNormStats[] = [];
  let fScores: tf.Tensor1D | null = null;
  let bce: tf.Scalar | null = null;
  const trainable = model.trainableVariables();
  const { value, grads } = tf.variableGrads(() => {
    const { probs } = model.forward(input, { training: true, batchStats });
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
    const [loss, fScores, bce] = await Promise.all([g.loss.data(), g.fScores.data(), g.bce?.data() ?? null]);
    tf.dispose([g.loss, g.fScores, ...(g.bce ? [g.bce] : [])]);
    return { loss: loss[0], fScores: Array.from(fScores), bce: bce ? bce[0] : null };
  }

  /** Adam's state: steps taken and the first then second moments (TF layout, trainable-variable order). */
  async readOptimizerState(): Promise<AdamState> {
    const named = await this.optimizer.getWeights();
    const [iterations, ...moments] = named;
    const count = (await iterations.tensor.data())[0];
    iterations.tensor.dispose();
    const values = await Promise.all(moments.map(async (m) => Float32Array.from(await m.tensor.data())));
    const acc = this.optimizer as unknown as AdamAccumulators;
    const [accBeta1, accBeta2] = await Promise.all([acc.accBeta1.data(), acc.accBeta2.data()]);
    return { iterations: count, moments: values, shapes: moments.map((m) => m.tensor.shape), accBeta1: accBeta1[0], accBeta2: accBeta2[0] };
  }

  /** Puts back a state from readOptimizerState (same model architecture). */
  async restoreOptimizerState(state: AdamState): Promise<void> {
    const n = this.model.trainableVariables().length;
    if (state.moments.length !== 2 * n) throw new Error(`the saved optimiser state has ${state.moments.length} moments, the model needs ${2 * n}`);
    const tensors = state.moments.map((m, i) => tf.tensor(m, state.shapes[i], 'float32'));
    const iterations = tf.scalar(state.iterations, 'int32');
    try {
      await this.optimizer.setWeights([{ name: 'iter', tensor: iterations }, ...tensors.map((tensor, i) => ({ name: `moment${i}`, tensor }))]);
      // setWeights recomputes beta^(t+1) with pow; the running products differ in the last bits, and a
      // resumed run should continue exactly, so put back the saved ones.
      const acc = this.optimizer as unknown as AdamAccumulators;
      tf.tidy(() => {
        acc.accBeta1.assign(tf.scalar(state.accBeta1, 'float32'));
        acc.accBeta2.assign(tf.scalar(state.accBeta2, 'float32'));
      });
    } finally {
      tf.dispose([iterations, ...tensors]);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

export interface AdamState {
  iterations: number;
  moments: Float32Array[];
  shapes: number[][];
  /** beta1^(t+1) and beta2^(t+1) as the optimiser accumulated them. */
  accBeta1: number;
  accBeta2: number;
}

/** AdamOptimizer's running powers of beta (protected in its typings, plain fields at run time). */
interface AdamAccumulators {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}
