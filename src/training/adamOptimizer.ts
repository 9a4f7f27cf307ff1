/**
 * Adam with TensorFlow.js's arithmetic and state (so a saved run resumes exactly), each parameter
 * updated by one StudioAdamUpdate kernel where the backend has it (src/training/adamUpdate.ts).
 *
 * State: a first and second moment per parameter, created at zero on the first step in the order the
 * parameters come (every step must pass them in that order), and the running powers beta^(t+1),
 * kept on the CPU as float32 numbers multiplied exactly as TensorFlow.js multiplies its scalars.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate, adamUpdateAttrs, registerAdamUpdateCpu } from './adamUpdate';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam's state: steps taken and the first then second moments (TF layout, parameter order). */
export interface AdamState {
  iterations: number;
  moments: Float32Array[];
  shapes: number[][];
  /** beta1^(t+1) and beta2^(t+1) as the optimiser accumulated them. */
  accBeta1: number;
  accBeta2: number;
}

interface Slot {
  variable: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
}

export class AdamOptimizer {
  /** Changeable between steps; the moments are kept. */
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private slots: Slot[] = [];
  private accBeta1: number;
  private accBeta2: number;
  private iterations = 0;

  constructor(settings: AdamSettings) {
    registerAdamUpdateCpu();
    this.learningRate = settings.learningRate;
    this.beta1 = settings.beta1;
    this.beta2 = settings.beta2;
    this.epsilon = settings.epsilon;
    this.accBeta1 = Math.fround(settings.beta1);
    this.accBeta2 = Math.fround(settings.beta2);
  }

  /** One step: every parameter with its gradient, in the same order at every step. */
  applyGradients(pairs: ReadonlyArray<{ variable: tf.Variable; gradient: tf.Tensor }>): void {
    if (this.slots.length > 0 && this.slots.length !== pairs.length) {
      throw new Error(`Adam: ${pairs.length} gradients, but the optimiser holds moments for ${this.slots.length} parameters`);
    }
    const settings = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    const attrs = adamUpdateAttrs(settings, this.accBeta1, this.accBeta2);
    pairs.forEach(({ variable, gradient }, i) => {
      const slot = this.slots[i] ?? this.addSlot(variable);
      if (slot.variable !== variable) throw new Error(`Adam: parameter ${i} is ${variable.name}, the optimiser's moments are for ${slot.variable.name}`);
      tf.tidy(() => {
        const [param, m, v] = adamUpdate({ param: variable, grad: gradient, m: slot.m, v: slot.v }, attrs);
        slot.m.assign(m);
        slot.v.assign(v);
        variable.assign(param);
      });
    });
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    this.iterations++;
  }

  private addSlot(variable: tf.Variable): Slot {
    const slot = tf.tidy(() => ({ variable, m: tf.zerosLike(variable).variable(false), v: tf.zerosLike(variable).variable(false) }));
    this.slots.push(slot);
    return slot;
  }

  async readState(): Promise<AdamState> {
    const moments = [...this.slots.map((s) => s.m), ...this.slots.map((s) => s.v)];
    const values = await Promise.all(moments.map(async (m) => Float32Array.from(await m.data())));
    return { iterations: this.iterations, moments: values, shapes: moments.map((m) => [...m.shape]), accBeta1: this.accBeta1, accBeta2: this.accBeta2 };
  }

  /** Puts back a state from readState for the same parameters, in the order steps will pass them. */
  restoreState(state: AdamState, variables: readonly tf.Variable[]): void {
    if (state.moments.length !== 2 * variables.length) {
      throw new Error(`the saved optimiser state has ${state.moments.length} moments, the model needs ${2 * variables.length}`);
    }
    variables.forEach((variable, i) => {
      for (const shape of [state.shapes[i], state.shapes[variables.length + i]]) {
        if (!tf.util.arraysEqual(shape, variable.shape)) {
          throw new Error(`the saved optimiser state has a moment of shape [${shape}] for ${variable.name}, which has shape [${variable.shape}]`);
        }
      }
    });
    this.disposeSlots();
    // tidy disposes the uploaded tensors; the variables made from them are kept.
    const moment = (values: Float32Array, shape: number[]): tf.Variable => tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false));
    this.slots = variables.map((variable, i) => ({
      variable,
      m: moment(state.moments[i], variable.shape),
      v: moment(state.moments[variables.length + i], variable.shape),
    }));
    this.iterations = state.iterations;
    this.accBeta1 = state.accBeta1;
    this.accBeta2 = state.accBeta2;
  }

  private disposeSlots(): void {
    tf.dispose(this.slots.flatMap((s) => [s.m, s.v]));
    this.slots = [];
  }

  dispose(): void {
    this.disposeSlots();
  }
}
