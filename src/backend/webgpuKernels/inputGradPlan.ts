/**
 * How the WebGPU input-gradient kernel (Conv2DBackpropInput, also tf.conv2dTranspose) splits its
 * work (pure; unit-tested). The WGSL program (inputGradProgram.ts) does the same per-axis arithmetic
 * from its uniforms; this module gives the dispatch, and the tests hold that arithmetic to the
 * convolution's definition.
 *
 *   dx[b, ih, iw, ci] = sum over (kh, kw, co) with oh = (ih + padTop - kh) / strideH an integer in
 *                       [0, outH) (and the same along w) of dy[b, oh, ow, co] * w[kh, kw, ci, co]
 *
 * Stride phases: the rows ih = q + j*stride (q < stride) all receive the same taps,
 * kh = firstTap + t*stride for t < taps, from dy row oh = j + offset - t. So each phase (qh, qw) is
 * an ordinary matrix product with M = batch * rowsH * rowsW pixels, N = inC and an inner dimension
 * K = tapsH * tapsW * outC: no zero-inserted taps, no multiply-add wasted on them. At stride 2 with
 * a 3x3 filter the four phases have 4, 2, 2 and 1 taps (9 in all, as the forward convolution has)
 * where a product over the whole filter would have 4 x 9.
 *
 * The program (inputGradProgram.ts) gives each thread QUAD_PIXELS neighbouring dx pixels of one
 * phase row and 4 input channels; threads are laid out per phase (dispatch z = phase).
 */
import type { FilterGradShape } from './filterGradPlan';

/** dx pixels (neighbours along one phase row) per thread of the program; each also takes 4 channels. */
export const QUAD_PIXELS = 4;
/** Threads per workgroup. */
export const INPUT_GRAD_THREADS = 64;
/** Most workgroups the program asks for along one dispatch dimension (WebGPU's default limit is 65,535). */
export const MAX_WORKGROUPS_PER_DIMENSION = 32768;

/** The convolution's sizes as for its filter gradient (in: dx, the convolution's input; out: dy, its output), with its stride and padding. */
export interface InputGradShape extends FilterGradShape {
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** One axis of one phase: the dx positions q + j*stride, j < rows, and the taps they receive. */
export interface PhaseAxis {
  /** Residue of the dx positions (0 <= q < stride). */
  q: number;
  /** Number of dx positions in the phase along this axis. */
  rows: number;
  /** First filter tap received and how many (taps firstTap + t*stride < filter size). */
  firstTap: number;
  taps: number;
  /** dy position of (row j, tap t) = j + offset - t. */
  offset: number;
}

const mod = (a: number, m: number) => ((a % m) + m) % m;
const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

export function phaseAxis(q: number, stride: number, pad: number, filter: number, inSize: number): PhaseAxis {
  if (stride < 1 || q < 0 || q >= stride) throw new Error(`phase ${q} of stride ${stride}`);
  const firstTap = mod(q + pad, stride);
  const taps = firstTap < filter ? ceilDiv(filter - firstTap, stride) : 0;
  const rows = q < inSize ? ceilDiv(inSize - q, stride) : 0;
  // q + pad - firstTap is a multiple of stride by construction (it may be negative for negative pads).
  const offset = (q + pad - firstTap) / stride;
  return { q, rows, firstTap, taps, offset };
}

export interface InputGradPhase {
  h: PhaseAxis;
  w: PhaseAxis;
  /** Pixels of dx in the phase (all images). */
  m: number;
  /** Inner dimension: taps * outChannels. */
  k: number;
}

export interface InputGradPlan {
  /** strideHeight * strideWidth phases, row-major (phase = qh * strideWidth + qw). */
  phases: InputGradPhase[];
  /** Columns of every product: inChannels. */
  n: number;
  /** Multiply-adds of the phase products: every dx value times the taps it receives times outChannels. */
  multiplyAdds: number;
}

export function planInputGrad(shape: InputGradShape): InputGradPlan {
  const { batch, inHeight, inWidth, inChannels, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = shape;
  if (batch <= 0 || inHeight <= 0 || inWidth <= 0 || inChannels <= 0 || outChannels <= 0) {
    throw new Error(`empty input gradient (dx ${batch}x${inHeight}x${inWidth}x${inChannels}, dy channels ${outChannels})`);
  }
  const phases: InputGradPhase[] = [];
  for (let qh = 0; qh < strideHeight; qh++) {
    const h = phaseAxis(qh, strideHeight, padTop, filterHeight, inHeight);
    for (let qw = 0; qw < strideWidth; qw++) {
      const w = phaseAxis(qw, strideWidth, padLeft, filterWidth, inWidth);
      phases.push({ h, w, m: batch * h.rows * w.rows, k: h.taps * w.taps * outChannels });
    }
  }
  return {
    phases,
    n: inChannels,
    multiplyAdds: phases.reduce((sum, p) => sum + p.m * p.k * inChannels, 0),
  };
}

export interface InputGradGrid {
  /** The most rows (along h) and quads of QUAD_PIXELS (along w) of any phase. */
  rowsHMax: number;
  quadsWMax: number;
  /** Threads of one phase: batch x rowsHMax x quadsWMax x inChannels / 4 (some past a smaller phase idle). */
  threadsPerPhase: number;
  /** Workgroups [x, y, phases]: a phase's threads laid over x and, past MAX_WORKGROUPS_PER_DIMENSION, y. */
  dispatch: [number, number, number];
}

/** The program's threads (inChannels must be a multiple of 4). */
export function inputGradGrid(plan: InputGradPlan, batch: number): InputGradGrid {
  if (plan.n % 4 !== 0) throw new Error(`input gradient grid: ${plan.n} input channels are not a multiple of 4`);
  const rowsHMax = Math.max(...plan.phases.map((p) => p.h.rows));
  const quadsWMax = Math.max(...plan.phases.map((p) => ceilDiv(p.w.rows, QUAD_PIXELS)));
  const threadsPerPhase = batch * rowsHMax * quadsWMax * (plan.n / 4);
  const workgroups = ceilDiv(threadsPerPhase, INPUT_GRAD_THREADS);
  const x = Math.min(workgroups, MAX_WORKGROUPS_PER_DIMENSION);
  return { rowsHMax, quadsWMax, threadsPerPhase, dispatch: [x, ceilDiv(workgroups, x), plan.phases.length] };
}
