/**
 * A symbolic run of the architecture: shapes, parameter list (PyTorch names and layouts)
 * and multiply-accumulate counts, without allocating a tensor.
 */
import { deconvOutputSize, linkNet, type ConvSpec, type DeconvSpec, type LayerOps, type LinkNetOutputs } from './architecture';
import type { ModelConfig } from './config';

/** NHWC shape of an activation. */
export interface Shape { n: number; h: number; w: number; c: number; }

/**
 * How a parameter is stored. PyTorch conv weights are [out,in,kh,kw], transposed-conv weights
 * [in,out,kh,kw]; TensorFlow.js wants [kh,kw,in,out] and [kh,kw,out,in]: the same permutation.
 */
export type ParamLayout = 'conv' | 'deconv' | 'vector';
export type ParamRole = 'weight' | 'bias' | 'bn-weight' | 'bn-bias' | 'running-mean' | 'running-var';

export interface ParamSpec {
  /** PyTorch state_dict name, e.g. `encoder2.0.downsample.1.running_var`. */
  name: string;
  /** Shape in PyTorch layout. */
  torchShape: number[];
  layout: ParamLayout;
  role: ParamRole;
  /** Fan-in of the layer it belongs to (for initialisation). */
  fanIn: number;
  fanOut: number;
  /** BatchNorm running statistics are buffers: saved and loaded, never trained. */
  trainable: boolean;
}

export interface ShapeWalk {
  params: ParamSpec[];
  outputs: LinkNetOutputs<Shape>;
  /** Multiply-accumulates of one image. */
  macs: number;
  /** Elements of every layer output of one image (what training keeps for the backward pass). */
  activationElements: number;
  /** Largest single activation of one image. */
  largestActivation: number;
  /** The input of every BatchNorm layer, in order (batch 1). */
  batchNormInputs: Shape[];
}

const convOut = (size: number, k: number, s: number, p: number) => Math.floor((size + 2 * p - k) / s) + 1;

/** Runs the architecture on shapes for an input of the given size (batch 1). */
export function walkShapes(config: Pick<ModelConfig, 'encoder' | 'classes'>, height = 320, width = 800): ShapeWalk {
  const params: ParamSpec[] = [];
  let macs = 0;
  let activationElements = 0;
  let largestActivation = 0;
  const batchNormInputs: Shape[] = [];
  const produced = (s: Shape): Shape => {
    const size = s.h * s.w * s.c;
    activationElements += size;
    largestActivation = Math.max(largestActivation, size);
    return s;
  };
  const addConvParams = (name: string, spec: ConvSpec, layout: 'conv' | 'deconv') => {
    const k2 = spec.kernel * spec.kernel;
    const weightShape = layout === 'conv'
      ? [spec.outChannels, spec.inChannels, spec.kernel, spec.kernel]
      : [spec.inChannels, spec.outChannels, spec.kernel, spec.kernel];
    const fanIn = (layout === 'conv' ? spec.inChannels : spec.outChannels) * k2;
    const fanOut = (layout === 'conv' ? spec.outChannels : spec.inChannels) * k2;
    params.push({ name: `${name}.weight`, torchShape: weightShape, layout, role: 'weight', fanIn, fanOut, trainable: true });
    if (spec.bias) params.push({ name: `${name}.bias`, torchShape: [spec.outChannels], layout: 'vector', role: 'bias', fanIn, fanOut, trainable: true });
  };
  const checkChannels = (name: string, x: Shape, expected: number) => {
    if (x.c !== expected) throw new Error(`internal: ${name} expects ${expected} channels, got ${x.c}`);
  };
  const ops: LayerOps<Shape> = {
    conv(name, x, spec) {
      checkChannels(name, x, spec.inChannels);
      addConvParams(name, spec, 'conv');
      const out = { n: x.n, h: convOut(x.h, spec.kernel, spec.stride, spec.padding), w: convOut(x.w, spec.kernel, spec.stride, spec.padding), c: spec.outChannels };
      macs += out.h * out.w * out.c * spec.inChannels * spec.kernel * spec.kernel;
      return produced(out);
    },
    deconv(name, x, spec: DeconvSpec) {
      checkChannels(name, x, spec.inChannels);
      addConvParams(name, spec, 'deconv');
      macs += x.h * x.w * spec.inChannels * spec.outChannels * spec.kernel * spec.kernel;
      return produced({
        n: x.n,
        h: deconvOutputSize(x.h, spec),
        w: deconvOutputSize(x.w, spec),
        c: spec.outChannels,
      });
    },
    batchNorm(name, x, channels) {
      checkChannels(name, x, channels);
      batchNormInputs.push({ ...x });
      const base = { torchShape: [channels], layout: 'vector' as const, fanIn: channels, fanOut: channels };
      params.push({ ...base, name: `${name}.weight`, role: 'bn-weight', trainable: true });
      params.push({ ...base, name: `${name}.bias`, role: 'bn-bias', trainable: true });
      params.push({ ...base, name: `${name}.running_mean`, role: 'running-mean', trainable: false });
      params.push({ ...base, name: `${name}.running_var`, role: 'running-var', trainable: false });
      return produced({ ...x });
    },
    relu: (x) => produced({ ...x }),
    add(a, b) {
      if (a.h !== b.h || a.w !== b.w || a.c !== b.c) throw new Error(`internal: add of ${a.h}x${a.w}x${a.c} and ${b.h}x${b.w}x${b.c}`);
      return produced({ ...a });
    },
    maxPool: (x, k, s, p) => produced({ n: x.n, h: convOut(x.h, k, s, p), w: convOut(x.w, k, s, p), c: x.c }),
  };
  const outputs = linkNet(ops, config, { n: 1, h: height, w: width, c: 3 });
  return { params, outputs, macs, activationElements, largestActivation, batchNormInputs };
}

/** Parameter specs of a model (cached per encoder and class count). */
const specCache = new Map<string, ParamSpec[]>();
export function paramSpecs(config: Pick<ModelConfig, 'encoder' | 'classes'>): ParamSpec[] {
  const key = `${config.encoder}/${config.classes.length}`;
  let specs = specCache.get(key);
  if (!specs) {
    specs = walkShapes(config, 64, 64).params;
    specCache.set(key, specs);
  }
  return specs;
}

/** PyTorch [out,in,kh,kw] (or [in,out,kh,kw]) -> TensorFlow.js [kh,kw,in,out] (or [kh,kw,out,in]). */
export function tfShapeOf(spec: Pick<ParamSpec, 'torchShape' | 'layout'>): number[] {
  if (spec.layout === 'vector') return [...spec.torchShape];
  const [a, b, kh, kw] = spec.torchShape;
  return [kh, kw, b, a];
}
