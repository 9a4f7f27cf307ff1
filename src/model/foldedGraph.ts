/**
 * LinkNet for inference as a flat list of operations: every BatchNorm folded into the
 * (transposed) convolution before it, and every ReLU attached to the operation it follows.
 *
 * Folding uses the running statistics (eval mode): with s = gamma / sqrt(running_var + eps),
 * W' = W * s (per output channel) and b' = (b - running_mean) * s + beta. The result drives both
 * the fused TensorFlow.js inference path and the ONNX export. Weights stay in PyTorch layout.
 */
import { linkNet, type ConvSpec, type DeconvSpec, type LayerOps } from './architecture';
import type { ModelConfig } from './config';
import { BN_EPSILON } from './tensorOps';
import { finish, type SlicedWork } from '../util/slicedWork';
import type { WeightLookup } from '../weights/weightLookup';

/** An activation, numbered in the order it is produced; 0 is the network input. */
export type ValueRef = number;
export const INPUT_REF: ValueRef = 0;

interface ConvLike {
  /** PyTorch module path, e.g. `encoder1.0.conv1`. */
  name: string;
  input: ValueRef;
  output: ValueRef;
  /** PyTorch layout: conv [out,in,kh,kw], transposed conv [in,out,kh,kw]; BatchNorm folded in. */
  weight: Float32Array;
  /** Per output channel (zeros where the layer had no bias and no BatchNorm followed). */
  bias: Float32Array;
  /** The names of the BatchNorm layers folded into this one (none or one). */
  foldedBatchNorm: string | null;
  relu: boolean;
}

export interface FoldedConv extends ConvLike { kind: 'conv'; spec: ConvSpec; }
export interface FoldedDeconv extends ConvLike { kind: 'deconv'; spec: DeconvSpec; }
export interface FoldedAdd { kind: 'add'; a: ValueRef; b: ValueRef; output: ValueRef; relu: boolean; }
export interface FoldedRelu { kind: 'relu'; input: ValueRef; output: ValueRef; }
export interface FoldedMaxPool { kind: 'maxPool'; input: ValueRef; output: ValueRef; kernel: number; stride: number; padding: number; }

export type FoldedOp = FoldedConv | FoldedDeconv | FoldedAdd | FoldedRelu | FoldedMaxPool;

export interface FoldedGraph {
  ops: FoldedOp[];
  /** The logits (before softmax/sigmoid). */
  logits: ValueRef;
  /** Number of value references used (including the input). */
  valueCount: number;
}

/** Builds the folded graph of a model with the given weights. */
export function buildFoldedGraph(config: Pick<ModelConfig, 'encoder' | 'classes'>, weight: WeightLookup): FoldedGraph {
  return finish(buildFoldedGraphBySlice(config, weight));
}

/** `buildFoldedGraph`, pausing after each BatchNorm folded into its convolution's weights. */
export function* buildFoldedGraphBySlice(config: Pick<ModelConfig, 'encoder' | 'classes'>, weight: WeightLookup): SlicedWork<FoldedGraph> {
  const ops: FoldedOp[] = [];
  /** BatchNorm layers to fold once the graph is known (the arithmetic, over the weights, is the slow part). */
  const folds: { op: FoldedConv | FoldedDeconv; bnName: string; channels: number }[] = [];
  const producer = new Map<ValueRef, FoldedOp>();
  const uses = new Map<ValueRef, number>();
  /** Values renamed by a fold: using one afterwards would read a value that no longer exists. */
  const replaced = new Set<ValueRef>();
  let next = 1;

  const use = (ref: ValueRef): ValueRef => {
    if (replaced.has(ref)) throw new Error(`internal: value ${ref} was folded away but is used again`);
    uses.set(ref, (uses.get(ref) ?? 0) + 1);
    return ref;
  };
  const emit = (op: FoldedOp): ValueRef => {
    ops.push(op);
    producer.set(op.output, op);
    return op.output;
  };
  /** Gives `op` a new output reference (after folding something into it) and retires the old one. */
  const renameOutput = (op: FoldedConv | FoldedDeconv | FoldedAdd): ValueRef => {
    producer.delete(op.output);
    replaced.add(op.output);
    op.output = next++;
    producer.set(op.output, op);
    return op.output;
  };
  /** The op producing `ref` when nothing has read `ref` yet (so it may be changed in place). */
  const unreadProducer = (ref: ValueRef): FoldedOp | undefined => ((uses.get(ref) ?? 0) === 0 ? producer.get(ref) : undefined);

  const convBias = (name: string, spec: ConvSpec) => (spec.bias ? Float32Array.from(weight(`${name}.bias`)) : new Float32Array(spec.outChannels));

  const ops_: LayerOps<ValueRef> = {
    conv(name, x, spec) {
      return emit({ kind: 'conv', name, spec, input: use(x), output: next++, weight: weight(`${name}.weight`), bias: convBias(name, spec), foldedBatchNorm: null, relu: false });
    },
    deconv(name, x, spec) {
      return emit({ kind: 'deconv', name, spec, input: use(x), output: next++, weight: weight(`${name}.weight`), bias: convBias(name, spec), foldedBatchNorm: null, relu: false });
    },
    batchNorm(name, x, channels) {
      const op = unreadProducer(x);
      if (!op || (op.kind !== 'conv' && op.kind !== 'deconv') || op.relu || op.foldedBatchNorm !== null) {
        throw new Error(`${name}: only a BatchNorm directly after a convolution can be folded`);
      }
      if (channels !== op.spec.outChannels) throw new Error(`${name}: ${channels} channels after ${op.name} with ${op.spec.outChannels}`);
      op.foldedBatchNorm = name;
      folds.push({ op, bnName: name, channels });
      return renameOutput(op);
    },
    relu(x) {
      const op = unreadProducer(x);
      if (op && (op.kind === 'conv' || op.kind === 'deconv' || op.kind === 'add') && !op.relu) {
        op.relu = true;
        return renameOutput(op);
      }
      return emit({ kind: 'relu', input: use(x), output: next++ });
    },
    add(a, b) {
      return emit({ kind: 'add', a: use(a), b: use(b), output: next++, relu: false });
    },
    maxPool(x, kernel, stride, padding) {
      return emit({ kind: 'maxPool', input: use(x), output: next++, kernel, stride, padding });
    },
  };
  const outputs = linkNet(ops_, config, INPUT_REF);
  for (const { op, bnName, channels } of folds) {
    foldBatchNorm(op, bnName, channels, weight);
    yield;
  }
  return { ops, logits: outputs.logits, valueCount: next };
}

function foldBatchNorm(op: FoldedConv | FoldedDeconv, bnName: string, channels: number, weight: WeightLookup): void {
  const gamma = weight(`${bnName}.weight`);
  const beta = weight(`${bnName}.bias`);
  const mean = weight(`${bnName}.running_mean`);
  const variance = weight(`${bnName}.running_var`);
  const scale = new Float64Array(channels);
  for (let c = 0; c < channels; c++) scale[c] = gamma[c] / Math.sqrt(variance[c] + BN_EPSILON);

  const w = new Float32Array(op.weight.length);
  const k2 = op.spec.kernel * op.spec.kernel;
  if (op.kind === 'conv') {
    // [out, in, kh, kw]: output channel is the outermost axis.
    const perOut = op.spec.inChannels * k2;
    for (let i = 0; i < w.length; i++) w[i] = op.weight[i] * scale[Math.floor(i / perOut)];
  } else {
    // [in, out, kh, kw]: output channel is the second axis.
    for (let i = 0; i < w.length; i++) w[i] = op.weight[i] * scale[Math.floor(i / k2) % channels];
  }
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) b[c] = (op.bias[c] - mean[c]) * scale[c] + beta[c];
  op.weight = w;
  op.bias = b;
  op.foldedBatchNorm = bnName;
}
