/**
 * PyTorch <-> TensorFlow.js weight layouts.
 * Conv weights: PyTorch [out,in,kh,kw] <-> TF.js [kh,kw,in,out].
 * Transposed-conv weights: PyTorch [in,out,kh,kw] <-> TF.js [kh,kw,out,in] (conv2dTranspose's filter).
 * Both are the same axis permutation (2,3,1,0); vectors are unchanged.
 */
import type { ModelConfig } from '../model/config';
import { paramSpecs, tfShapeOf, type ParamLayout } from '../model/shapeWalk';
import { finish, type SlicedWork } from '../util/slicedWork';

/** Permutes a 4-D row-major array: out[i[perm[0]], ...] layout such that outShape[k] = shape[perm[k]]. */
export function permute4d(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  return finish(permute4dBySlice(data, shape, perm));
}

/** Values permuted between two pauses of `permute4dBySlice`. */
const PERMUTE_SLICE = 1 << 18;

/** `permute4d`, pausing after about every PERMUTE_SLICE values (at a step of the output's two leading axes). */
export function* permute4dBySlice(data: Float32Array, shape: readonly number[], perm: readonly number[]): SlicedWork<Float32Array> {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const s = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  let o = 0;
  let nextPause = PERMUTE_SLICE;
  for (let a = 0; a < outShape[0]; a++) {
    for (let b = 0; b < outShape[1]; b++) {
      for (let c = 0; c < outShape[2]; c++) {
        const base = a * s[0] + b * s[1] + c * s[2];
        for (let d = 0; d < outShape[3]; d++) out[o++] = data[base + d * s[3]];
      }
      if (o >= nextPause) {
        nextPause = o + PERMUTE_SLICE;
        yield;
      }
    }
  }
  return out;
}

const TORCH_TO_TF = [2, 3, 1, 0];
const TF_TO_TORCH = [3, 2, 0, 1];

export function torchToTf(data: Float32Array, torchShape: readonly number[], layout: ParamLayout): Float32Array {
  return finish(torchToTfBySlice(data, torchShape, layout));
}

/** `torchToTf`, pausing between slices (`permute4dBySlice`). */
export function* torchToTfBySlice(data: Float32Array, torchShape: readonly number[], layout: ParamLayout): SlicedWork<Float32Array> {
  return layout === 'vector' ? data : yield* permute4dBySlice(data, torchShape, TORCH_TO_TF);
}

export function tfToTorch(data: Float32Array, tfShape: readonly number[], layout: ParamLayout): Float32Array {
  return layout === 'vector' ? data : permute4d(data, tfShape, TF_TO_TORCH);
}

/** `tfToTorch`, pausing between slices. */
export function* tfToTorchBySlice(data: Float32Array, tfShape: readonly number[], layout: ParamLayout): SlicedWork<Float32Array> {
  return layout === 'vector' ? data : yield* permute4dBySlice(data, tfShape, TF_TO_TORCH);
}

/** NCHW -> NHWC for activations (fixtures are NCHW). */
export function nchwToNhwc(data: Float32Array, shape: readonly number[]): Float32Array {
  return permute4d(data, shape, [0, 2, 3, 1]);
}

export function nhwcToNchw(data: Float32Array, shape: readonly number[]): Float32Array {
  return permute4d(data, shape, [0, 3, 1, 2]);
}

/** A model's weights in PyTorch layout from its weights in TensorFlow.js layout (by state_dict name, each `tfShapeOf` its spec). */
export function torchWeightsFromTfLayout(config: ModelConfig, tfWeights: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  return finish(torchWeightsFromTfLayoutBySlice(config, tfWeights));
}

/** `torchWeightsFromTfLayout`, pausing after each parameter and between slices of a large one. */
export function* torchWeightsFromTfLayoutBySlice(config: ModelConfig, tfWeights: ReadonlyMap<string, Float32Array>): SlicedWork<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const spec of paramSpecs(config)) {
    const w = tfWeights.get(spec.name);
    if (!w) throw new Error(`the weights lack ${spec.name}`);
    out.set(spec.name, yield* tfToTorchBySlice(w, tfShapeOf(spec), spec.layout));
    yield;
  }
  return out;
}
