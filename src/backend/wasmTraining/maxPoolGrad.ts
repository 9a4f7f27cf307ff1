/**
 * MaxPoolGrad for the wasm backend. tfjs-backend-wasm 4.22 registers one, but it is wrong wherever
 * padding meets a window whose maximum is <= 0: it drops or misplaces the gradient (constant 0 or -1
 * input, 3x3/2 pad 1: it keeps 1 of 4 window gradients; the CPU backend keeps all). LinkNet max-pools
 * right after a ReLU, so all-zero windows, and wrong gradients, are common. It is also ~60x slower
 * than the forward pool.
 *
 * Semantics are the CPU backend's (and PyTorch's): each window's gradient goes to its FIRST maximum
 * in row-major window order, padding is never a candidate, NaN never wins. A JS scan over wasm memory:
 * about kH*kW comparisons per output element, channel-innermost so reads are contiguous.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, sameShape, type TensorInfo } from './wasmKernelUtils';

export const KERNEL_NAME = 'MaxPoolGrad';

export const maxPoolGradWasm: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as BackendWasm;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.shape.length !== 4) throw new Error(`${KERNEL_NAME} (wasm training kernels): expected a rank-4 NHWC input, got [${input.shape}]`);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sH, strideWidth: sW, filterHeight: KH, filterWidth: KW } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  if (!sameShape(dy.shape, [B, OH, OW, C])) throw new Error(`${KERNEL_NAME}: dy has shape [${dy.shape}], expected [${[B, OH, OW, C]}]`);

  const dx = backend.makeOutput([B, H, W, C], 'float32');
  const xv = heapF32(backend, input);
  const dyv = heapF32(backend, dy);
  const dxv = heapF32(backend, dx);
  dxv.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = Math.max(0, oh * sH - padTop);
      const r1 = Math.min(H, oh * sH - padTop + KH);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = Math.max(0, ow * sW - padLeft);
        const c1 = Math.min(W, ow * sW - padLeft + KW);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const base = ((b * H + r) * W + c) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = xv[base + ch];
              if (v > best[ch]) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let ch = 0; ch < C; ch++) {
          const at = where[ch];
          if (at >= 0) dxv[at] += dyv[dyBase + ch];
        }
      }
    }
  }
  return dx;
};
