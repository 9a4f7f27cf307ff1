/**
 * Helpers shared by the wasm training kernels: calling the wasm backend's own kernels, allocating
 * outputs, and reading/writing tensors in place in wasm memory.
 *
 * Memory rule: `backend.makeOutput` (and any wasm kernel call) may grow the wasm heap, which detaches
 * every typed-array view taken before it. Always take views with `heapF32` AFTER the allocations they
 * are used with, and re-take them after each kernel call.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;

/** Runs a kernel the wasm backend already registers (BatchMatMul, Conv2D, ...). */
export function runWasmKernel(backend: BackendWasm, kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`wasm training kernels: the wasm backend has no ${kernelName} kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm training kernels: ${kernelName} returned several outputs`);
  return out;
}

/** A float32 view of a tensor's data in wasm memory (no copy). Invalidated by the next allocation. */
export function heapF32(backend: BackendWasm, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`wasm training kernels: expected float32, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Same data, another shape (no copy): for kernels that look only at `shape`. */
export function withShape(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function dispose(backend: BackendWasm, ...tensors: (TensorInfo | null | undefined)[]): void {
  for (const t of tensors) if (t) backend.disposeData(t.dataId);
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function asPair(v: number | [number, number] | number[]): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (v.length === 1) return [v[0], v[0]];
  return [v[0], v[1]];
}

/** Everything a 2-D convolution's gradient needs, in NHWC terms. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  /** Zero rows/columns added before the input (top/left); the bottom/right padding follows from the sizes. */
  padTop: number;
  padLeft: number;
}

type PadAttr = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The convolution x[inShape] * filter[filterShape] -> y as tfjs defines it (NHWC only). */
export function convGeometry(
  kernelName: string,
  inShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: PadAttr,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: string | undefined,
): ConvGeometry {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernelName} (wasm training kernels): only NHWC is supported, got dataFormat ${dataFormat}`);
  }
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernelName} (wasm training kernels): expected rank-4 input and filter, got [${inShape}] and [${filterShape}]`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
