/**
 * A LinkNet for inference only: BatchNorm folded into the convolutions and conv + bias + ReLU run
 * as one fused kernel (tf.fused.conv2d). Same results as LinkNetModel.predict (eval mode) up to
 * float rounding, with fewer kernels per frame. It holds its own copy of the weights: build a
 * new one after the model's weights change.
 */
import * as tf from '@tensorflow/tfjs';
import { inputSizeProblem, type ModelConfig } from './config';
import { buildFoldedGraph, buildFoldedGraphBySlice, INPUT_REF, type FoldedConv, type FoldedDeconv, type FoldedGraph, type ValueRef } from './foldedGraph';
import { weightLookup } from '../weights/weightLookup';
import { READ_SLICE_BYTES, type LinkNetModel } from './linkNetModel';
import { transposedConv } from './tensorOps';
import { torchToTfBySlice, torchWeightsFromTfLayoutBySlice } from '../weights/pytorchLayout';
import { finish, finishInSteps, type SlicedWork } from '../util/slicedWork';
import { TaskBudget } from '../util/taskBudget';

interface ConvTensors { filter: tf.Tensor4D; bias: tf.Tensor1D; }

export class FoldedLinkNet {
  readonly config: ModelConfig;
  private readonly graph: FoldedGraph;
  private readonly tensors: Map<string, ConvTensors>;
  private disposed = false;

  private constructor(config: ModelConfig, graph: FoldedGraph, tensors: Map<string, ConvTensors>) {
    this.config = config;
    this.graph = graph;
    this.tensors = tensors;
  }

  /** The backend's tensors of each (transposed) convolution of `graph`, made one at a time; frees those made when one fails. */
  private static *tensorsBySlice(graph: FoldedGraph): SlicedWork<Map<string, ConvTensors>> {
    const tensors = new Map<string, ConvTensors>();
    try {
      for (const op of graph.ops) {
        if (op.kind !== 'conv' && op.kind !== 'deconv') continue;
        const torchShape = op.kind === 'conv'
          ? [op.spec.outChannels, op.spec.inChannels, op.spec.kernel, op.spec.kernel]
          : [op.spec.inChannels, op.spec.outChannels, op.spec.kernel, op.spec.kernel];
        const [a, b, kh, kw] = torchShape;
        const filter = yield* torchToTfBySlice(op.weight, torchShape, op.kind);
        tensors.set(op.name, { filter: tf.tensor4d(filter, [kh, kw, b, a]), bias: tf.tensor1d(op.bias) });
        yield;
      }
    } catch (e) {
      for (const t of tensors.values()) tf.dispose([t.filter, t.bias]);
      throw e;
    }
    return tensors;
  }

  /** Folds the model's current weights (read from the backend). */
  static async fromModel(model: LinkNetModel): Promise<FoldedLinkNet> {
    const weights = await model.readTorchWeights();
    return FoldedLinkNet.fromTorchWeights(model.config, weights);
  }

  /**
   * `fromModel` for the page: the weights read a few MB per task, permuted, folded and uploaded in
   * slices, with a task for the page whenever `budgetMs` have passed (LinkNet34's fold was one
   * 1.0-1.4 s task on the page).
   */
  static async fromModelInSteps(model: LinkNetModel, budgetMs = 30): Promise<FoldedLinkNet> {
    const steps = new TaskBudget(budgetMs);
    const tfWeights = await model.readTfWeights({ yieldEveryBytes: READ_SLICE_BYTES });
    const torch = await finishInSteps(torchWeightsFromTfLayoutBySlice(model.config, tfWeights), steps);
    const graph = await finishInSteps(buildFoldedGraphBySlice(model.config, weightLookup(torch)), steps);
    return new FoldedLinkNet(model.config, graph, await finishInSteps(FoldedLinkNet.tensorsBySlice(graph), steps));
  }

  /**
   * Folds the model's current weights, runs `use` with the folded network and frees it after,
   * whatever `use` does: for a pass over many frames with weights that change between passes
   * (validation during training).
   */
  static async using<T>(model: LinkNetModel, use: (net: FoldedLinkNet) => Promise<T>): Promise<T> {
    const net = await FoldedLinkNet.fromModel(model);
    try {
      return await use(net);
    } finally {
      net.dispose();
    }
  }

  static fromTorchWeights(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>): FoldedLinkNet {
    const graph = buildFoldedGraph(config, weightLookup(weights));
    return new FoldedLinkNet(config, graph, finish(FoldedLinkNet.tensorsBySlice(graph)));
  }

  /** Probabilities (softmax over channels, or sigmoid), NHWC; input NHWC float32, sides multiples of 32. */
  predict(input: tf.Tensor4D): tf.Tensor4D {
    if (this.disposed) throw new Error('this model has been disposed');
    const [, h, w, c] = input.shape;
    const sizeProblem = inputSizeProblem(h, w);
    if (sizeProblem) throw new Error(sizeProblem);
    if (c !== 3) throw new Error(`input has ${c} channels; LinkNet takes 3`);
    return tf.tidy(() => {
      const values = new Map<ValueRef, tf.Tensor4D>([[INPUT_REF, input]]);
      const get = (ref: ValueRef): tf.Tensor4D => {
        const v = values.get(ref);
        if (!v) throw new Error(`internal: value ${ref} not computed`);
        return v;
      };
      for (const op of this.graph.ops) {
        switch (op.kind) {
          case 'conv': values.set(op.output, this.conv(op, get(op.input))); break;
          case 'deconv': values.set(op.output, this.deconv(op, get(op.input))); break;
          case 'add': {
            const sum = tf.add(get(op.a), get(op.b)) as tf.Tensor4D;
            values.set(op.output, op.relu ? tf.relu(sum) : sum);
            break;
          }
          case 'relu': values.set(op.output, tf.relu(get(op.input))); break;
          case 'maxPool': values.set(op.output, tf.maxPool(get(op.input), op.kernel, op.stride, op.padding)); break;
        }
      }
      const logits = get(this.graph.logits);
      return (this.config.final === 'softmax' ? tf.softmax(logits, -1) : tf.sigmoid(logits)) as tf.Tensor4D;
    });
  }

  /** Number of kernels-worth of operations per frame (for reports). */
  get operationCount(): number {
    return this.graph.ops.length;
  }

  dispose(): void {
    if (this.disposed) return;
    for (const t of this.tensors.values()) {
      t.filter.dispose();
      t.bias.dispose();
    }
    this.tensors.clear();
    this.disposed = true;
  }

  private conv(op: FoldedConv, x: tf.Tensor4D): tf.Tensor4D {
    const { filter, bias } = this.weights(op.name);
    return tf.fused.conv2d({ x, filter, strides: op.spec.stride, pad: op.spec.padding, bias, activation: op.relu ? 'relu' : 'linear' });
  }

  private deconv(op: FoldedDeconv, x: tf.Tensor4D): tf.Tensor4D {
    const { filter, bias } = this.weights(op.name);
    const y = tf.add(transposedConv(op.name, x, filter, op.spec), bias) as tf.Tensor4D;
    return op.relu ? tf.relu(y) : y;
  }

  private weights(name: string): ConvTensors {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`internal: no weights for ${name}`);
    return t;
  }
}
