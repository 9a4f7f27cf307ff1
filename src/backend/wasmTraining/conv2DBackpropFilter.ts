/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none).
 *
 * dW[kh, kw, ci, co] = sum over (b, oh, ow) of xPad[b, oh*sH + kh*dH, ow*sW + kw*dW, ci] * dy[b, oh, ow, co]
 *
 * Each kernel tap is one matrix product on the wasm backend's BatchMatMul:
 *   dW[kh, kw] = A_tap [inC, L] x dyPad [L, outC].
 * To make every A_tap a plain contiguous window (no strided gather per tap), the padded input is laid
 * out once, channel-first and split by stride phase, as xPh[phase][ci][b, qh, qw] with
 * row = qh*sH + rh, col = qw*sW + rw; tap (kh, kw) then reads phase ((kh*dH) % sH, (kw*dW) % sW)
 * shifted by (floor(kh*dH / sH), floor(kw*dW / sW)) on the (qh, qw) grid, i.e. a flat shift of
 * shiftH*Wq + shiftW. dy is laid on the same (b, qh, qw) grid with zeros outside (oh < outH, ow < outW),
 * so positions that wrap across rows or images meet a zero gradient and add nothing.
 * The layout copies are JS loops over wasm memory (memory-bound, a few ms); the arithmetic is all
 * BatchMatMul. Dilations are handled generally (tfjs itself only ever asks for 1 here).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, dispose, heapF32, runWasmKernel, sameShape, withShape, type ConvGeometry, type TensorInfo } from './wasmKernelUtils';

export const KERNEL_NAME = 'Conv2DBackpropFilter';

/** The filter gradient of the NHWC convolution described by `g` (float32 [kH, kW, inC, outC]). */
export function conv2dFilterGradWasm(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batch: B, inH: H, inW: W, inC: CI, outH: OH, outW: OW, outC: CO, kH: KH, kW: KW } = g;
  const { strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padTop, padLeft } = g;
  if (!sameShape(x.shape, [B, H, W, CI])) throw new Error(`${KERNEL_NAME}: x has shape [${x.shape}], expected [${[B, H, W, CI]}]`);
  if (!sameShape(dy.shape, [B, OH, OW, CO])) throw new Error(`${KERNEL_NAME}: dy has shape [${dy.shape}], expected [${[B, OH, OW, CO]}]`);
  const out = backend.makeOutput([KH, KW, CI, CO], 'float32');
  if (B * OH * OW === 0 || CI * CO === 0) {
    heapF32(backend, out).fill(0);
    return out;
  }

  // Padded extent actually read by the convolution, on the phase grid.
  const needH = (OH - 1) * sH + (KH - 1) * dH + 1;
  const needW = (OW - 1) * sW + (KW - 1) * dW + 1;
  const Hq = Math.ceil(needH / sH);
  const Wq = Math.ceil(needW / sW);
  const M = B * Hq * Wq;

  // Taps -> (phase, flat shift); only the phases some tap uses are laid out.
  const phaseIndex = new Map<number, number>();
  const phases: [number, number][] = [];
  const taps: { phase: number; shift: number }[] = [];
  let maxShift = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const rh = (kh * dH) % sH;
      const rw = (kw * dW) % sW;
      const key = rh * sW + rw;
      let p = phaseIndex.get(key);
      if (p === undefined) {
        p = phases.length;
        phaseIndex.set(key, p);
        phases.push([rh, rw]);
      }
      const shift = Math.floor((kh * dH) / sH) * Wq + Math.floor((kw * dW) / sW);
      maxShift = Math.max(maxShift, shift);
      taps.push({ phase: p, shift });
    }
  }
  const P = phases.length;
  const L = M - maxShift; // every nonzero dy row lies below L (see the header)

  // dy on the (b, qh, qw) grid, first L rows: [L, CO]. Skipped when dy already is that.
  const dyIsGrid = Hq === OH && Wq === OW && maxShift === 0;
  const dyGrid = dyIsGrid ? withShape(dy, [1, L, CO]) : backend.makeOutput([1, L, CO], 'float32');
  // Padded input, channel-first per phase: [P, CI, M].
  const xPh = backend.makeOutput([P * CI, M], 'float32');
  {
    const xv = heapF32(backend, x);
    const xp = heapF32(backend, xPh);
    xp.fill(0);
    for (let p = 0; p < P; p++) {
      const [rh, rw] = phases[p];
      const phaseBase = p * CI * M;
      for (let b = 0; b < B; b++) {
        for (let qh = 0; qh < Hq; qh++) {
          const row = qh * sH + rh - padTop;
          if (row < 0 || row >= H) continue;
          const dstRow = phaseBase + (b * Hq + qh) * Wq;
          const srcRow = (b * H + row) * W;
          for (let qw = 0; qw < Wq; qw++) {
            const col = qw * sW + rw - padLeft;
            if (col < 0 || col >= W) continue;
            const src = (srcRow + col) * CI;
            const dst = dstRow + qw;
            for (let c = 0; c < CI; c++) xp[dst + c * M] = xv[src + c];
          }
        }
      }
    }
    if (!dyIsGrid) {
      const dv = heapF32(backend, dy);
      const gv = heapF32(backend, dyGrid);
      gv.fill(0);
      const rowLen = OW * CO;
      for (let b = 0; b < B; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const src = (b * OH + oh) * rowLen;
          gv.set(dv.subarray(src, src + rowLen), ((b * Hq + oh) * Wq) * CO);
        }
      }
    }
  }

  try {
    const tapSize = CI * CO;
    for (let t = 0; t < taps.length; t++) {
      const { phase, shift } = taps[t];
      let a: TensorInfo;
      let ownA = false;
      if (P === 1 && shift === 0 && L === M) {
        a = withShape(xPh, [1, CI, M]);
      } else {
        a = backend.makeOutput([1, CI, L], 'float32');
        ownA = true;
        const av = heapF32(backend, a);
        const xp = heapF32(backend, xPh);
        const base = phase * CI * M + shift;
        for (let c = 0; c < CI; c++) av.set(xp.subarray(base + c * M, base + c * M + L), c * L);
      }
      const prod = runWasmKernel(backend, 'BatchMatMul', { a, b: dyGrid }, { transposeA: false, transposeB: false });
      heapF32(backend, out).set(heapF32(backend, prod), t * tapSize);
      dispose(backend, prod);
      if (ownA) dispose(backend, a);
    }
  } finally {
    dispose(backend, xPh);
    if (!dyIsGrid) dispose(backend, dyGrid);
  }
  return out;
}

export const conv2DBackpropFilterWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const g = convGeometry(KERNEL_NAME, x.shape, filterShape, strides, 1, pad, dimRoundingMode, dataFormat);
  return conv2dFilterGradWasm(backend as BackendWasm, x, dy, g);
};
