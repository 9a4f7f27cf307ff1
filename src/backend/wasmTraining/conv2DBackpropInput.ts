/**
 * Conv2DBackpropInput (also the kernel behind tf.conv2dTranspose) for the wasm backend, on XNNPACK's
 * Conv2D. tfjs-backend-wasm 4.22 registers its own, but it is a plain loop about 7x slower than a
 * forward convolution of the same size, and LinkNet runs it for every convolution's backward pass and
 * for every decoder deconvolution.
 *
 * dx[b, oh*s + kh - top, ow*s + kw - left, ci] += dy[b, oh, ow, co] * w[kh, kw, ci, co]
 *
 * Split dx by stride phase: rows h with (h + top) % sH = rh receive only the taps kh = rh + j*sH, so
 * that phase is a stride-1 correlation of dy with a small sub-filter (those taps, flipped, channels
 * swapped to [.., .., co, ci]). Each phase is one wasm Conv2D with explicit padding; the phases are
 * then interleaved into dx by a JS copy over wasm memory. With stride 1 and ordinary padding the single
 * Conv2D output already is dx and nothing is copied. The total arithmetic equals one forward conv.
 * Dilation is 1 (tfjs's Conv2DBackpropInput has no dilation attribute).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, dispose, heapF32, runWasmKernel, sameShape, size, type ConvGeometry, type TensorInfo } from './wasmKernelUtils';

export const KERNEL_NAME = 'Conv2DBackpropInput';

interface PhasePlan {
  /** First and last phase-grid index q whose position q*s + r - pad lies inside dx. */
  qMin: number;
  qMax: number;
  /** Taps in this phase (0: the phase gets nothing). */
  taps: number;
  /** Padding of dy for the stride-1 conv, before and after. */
  padBefore: number;
  padAfter: number;
}

function planAxis(r: number, s: number, k: number, pad: number, inSize: number, outSize: number): PhasePlan {
  const qMin = Math.ceil((pad - r) / s);
  const qMax = Math.floor((pad + inSize - 1 - r) / s);
  const taps = r < k ? Math.ceil((k - r) / s) : 0;
  const padBefore = Math.max(0, taps - 1 - qMin);
  const padAfter = Math.max(0, qMax - outSize + 1);
  return { qMin, qMax, taps, padBefore, padAfter };
}

/** dx of the NHWC convolution described by `g` (dilation 1), from dy and the filter [kH, kW, inC, outC]. */
export function conv2dInputGradWasm(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batch: B, inH: H, inW: W, inC: CI, outH: OH, outW: OW, outC: CO, kH: KH, kW: KW, strideH: sH, strideW: sW, padTop, padLeft } = g;
  if (g.dilationH !== 1 || g.dilationW !== 1) throw new Error(`${KERNEL_NAME} (wasm training kernels): dilations other than 1 are not supported`);
  if (!sameShape(dy.shape, [B, OH, OW, CO])) throw new Error(`${KERNEL_NAME}: dy has shape [${dy.shape}], expected [${[B, OH, OW, CO]}]`);
  if (!sameShape(filter.shape, [KH, KW, CI, CO])) throw new Error(`${KERNEL_NAME}: filter has shape [${filter.shape}], expected [${[KH, KW, CI, CO]}]`);

  // Filter with channels swapped, [KH, KW, CO, CI] (a JS copy; filters are small next to activations).
  const tapSize = CI * CO;
  const wT = new Float32Array(KH * KW * tapSize);
  {
    const wv = heapF32(backend, filter);
    for (let t = 0; t < KH * KW; t++) {
      const base = t * tapSize;
      for (let ci = 0; ci < CI; ci++) {
        const src = base + ci * CO;
        for (let co = 0; co < CO; co++) wT[base + co * CI + ci] = wv[src + co];
      }
    }
  }

  const rowPlans: PhasePlan[] = [];
  for (let rh = 0; rh < sH; rh++) rowPlans.push(planAxis(rh, sH, KH, padTop, H, OH));
  const colPlans: PhasePlan[] = [];
  for (let rw = 0; rw < sW; rw++) colPlans.push(planAxis(rw, sW, KW, padLeft, W, OW));

  const runPhase = (rh: number, rw: number): TensorInfo => {
    const ph = rowPlans[rh];
    const pw = colPlans[rw];
    const sub = backend.makeOutput([ph.taps, pw.taps, CO, CI], 'float32');
    const sv = heapF32(backend, sub);
    for (let jh = 0; jh < ph.taps; jh++) {
      const kh = rh + (ph.taps - 1 - jh) * sH;
      for (let jw = 0; jw < pw.taps; jw++) {
        const kw = rw + (pw.taps - 1 - jw) * sW;
        const src = (kh * KW + kw) * tapSize;
        sv.set(wT.subarray(src, src + tapSize), (jh * pw.taps + jw) * tapSize);
      }
    }
    try {
      return runWasmKernel(backend, 'Conv2D', { x: dy, filter: sub }, {
        strides: [1, 1],
        pad: [[0, 0], [ph.padBefore, ph.padAfter], [pw.padBefore, pw.padAfter], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      });
    } finally {
      dispose(backend, sub);
    }
  };

  // Stride 1: one phase; its conv output is dx itself when the padding is ordinary.
  if (sH === 1 && sW === 1) {
    const ph = rowPlans[0];
    const pw = colPlans[0];
    const exact = ph.padBefore === ph.taps - 1 - ph.qMin && pw.padBefore === pw.taps - 1 - pw.qMin;
    if (exact && ph.taps > 0 && pw.taps > 0) {
      const y = runPhase(0, 0);
      if (sameShape(y.shape, [B, H, W, CI])) return y;
      dispose(backend, y);
    }
  }

  const dx = backend.makeOutput([B, H, W, CI], 'float32');
  heapF32(backend, dx).fill(0);
  for (let rh = 0; rh < sH; rh++) {
    const ph = rowPlans[rh];
    if (ph.taps === 0 || ph.qMax < ph.qMin) continue;
    for (let rw = 0; rw < sW; rw++) {
      const pw = colPlans[rw];
      if (pw.taps === 0 || pw.qMax < pw.qMin) continue;
      const y = runPhase(rh, rw);
      const [, YH, YW] = y.shape;
      const yv = heapF32(backend, y);
      const dv = heapF32(backend, dx);
      // conv output index i holds phase-grid position q = i - padBefore + taps - 1
      const offH = ph.padBefore - ph.taps + 1;
      const offW = pw.padBefore - pw.taps + 1;
      for (let b = 0; b < B; b++) {
        for (let q = ph.qMin; q <= ph.qMax; q++) {
          const h = q * sH + rh - padTop;
          const yRow = (b * YH + q + offH) * YW;
          const dRow = (b * H + h) * W;
          for (let qw = pw.qMin; qw <= pw.qMax; qw++) {
            const w = qw * sW + rw - padLeft;
            const src = (yRow + qw + offW) * CI;
            const dst = (dRow + w) * CI;
            for (let c = 0; c < CI; c++) dv[dst + c] = yv[src + c];
          }
        }
      }
      dispose(backend, y);
    }
  }
  return dx;
}

/**
 * Below this many dy pixels (batch * outH * outW) the built-in loop is faster: this path pays a fixed
 * cost per filter weight (channel swap, and XNNPACK packing a new filter), the loop only per MAC.
 * Measured break-even: about 40-60 pixels for 3x3 filters of 128-512 channels.
 */
export const MIN_DY_PIXELS = 64;

/**
 * The kernel. `fallback` (the wasm backend's own Conv2DBackpropInput, if any) takes the small cases
 * where it is faster, and anything this implementation does not handle (NCHW).
 */
export function makeConv2DBackpropInputWasm(fallback: tf.KernelFunc | null): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (fallback && (dataFormat === 'NCHW' || size(dy.shape.slice(0, 3)) < MIN_DY_PIXELS)) return fallback(args);
    const g = convGeometry(KERNEL_NAME, inputShape, filter.shape, strides, 1, pad, dimRoundingMode, dataFormat);
    return conv2dInputGradWasm(backend as BackendWasm, dy, filter, g);
  };
}
