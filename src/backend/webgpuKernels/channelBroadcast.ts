/**
 * Add, Sub and Multiply of a tensor and a per-channel vector (shape [C], or [1, ..., 1, C]) for the
 * WebGPU backend: every batch-norm scale and shift and every bias add. One thread per element (per
 * vec4 of elements where C is a multiple of 4), which reads the vector at index mod C.
 *
 * TensorFlow.js 4.22 runs these through its shared-memory broadcast program, which was 20x slower
 * than a same-shape multiply on SwiftShader (2x64x128x64 times [64]: 425 against 16-25 ms).
 * Same shapes, scalars, other broadcasts and other types go to the built-in kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram } from './elementwiseProgram';

export const CHANNEL_BROADCAST_OPS = { Add: '+', Sub: '-', Multiply: '*' } as const;
export type ChannelBroadcastOp = keyof typeof CHANNEL_BROADCAST_OPS;

export interface ChannelBroadcastPlan {
  /** Which input is the full tensor (the other is the per-channel vector). */
  full: 'a' | 'b';
  channels: number;
  outShape: number[];
}

/**
 * The plan for `a op b`, or null where the built-in should run: one input float32 of the output's
 * shape, the other float32 of shape [C] or [1, ..., 1, C] with C its last dimension (C > 1; a
 * single channel is a scalar, which the built-in handles well).
 */
export function channelBroadcastPlan(a: { shape: readonly number[]; dtype: string }, b: { shape: readonly number[]; dtype: string }): ChannelBroadcastPlan | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const isVectorOf = (small: readonly number[], full: readonly number[]): boolean => {
    const c = full[full.length - 1];
    if (full.length < 2 || small.length === 0 || small.length > full.length || c === undefined || c < 2) return false;
    if (small[small.length - 1] !== c || small.slice(0, -1).some((d) => d !== 1)) return false;
    return full.reduce((x, y) => x * y, 1) > c;
  };
  if (isVectorOf(b.shape, a.shape)) return { full: 'a', channels: a.shape[a.shape.length - 1], outShape: [...a.shape] };
  if (isVectorOf(a.shape, b.shape)) return { full: 'b', channels: b.shape[b.shape.length - 1], outShape: [...b.shape] };
  return null;
}

/**
 * One thread per element, or per 4 elements (vec4 loads and stores) when C is a multiple of 4; the
 * vector is read at (element index) mod C, in units of the thread's width (uniform `period`).
 */
export class ChannelBroadcastProgram extends ElementwiseProgram {
  shaderKey: string;
  uniforms = 'period : i32,';

  constructor(
    private readonly op: ChannelBroadcastOp,
    private readonly fullFirst: boolean,
    outShape: readonly number[],
    channels: number,
  ) {
    super(['full', 'channel'], outShape, channelBroadcastWidth(channels));
    this.shaderKey = `studioChannelBroadcast_${op}_${fullFirst ? 'fc' : 'cf'}_${this.outputComponent}`;
  }

  getUserCode(): string {
    const symbol = CHANNEL_BROADCAST_OPS[this.op];
    const expression = this.fullFirst ? `f ${symbol} c` : `c ${symbol} f`;
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let f = full[index];
    let c = channel[index % uniforms.period];
    result[index] = ${expression};
  }
`;
  }
}

/** Elements per thread: 4 where the channels come in whole vec4s, else 1. */
export function channelBroadcastWidth(channels: number): 1 | 4 {
  return channels % 4 === 0 ? 4 : 1;
}

export function makeChannelBroadcastWebgpu(op: ChannelBroadcastOp): (builtin: tf.KernelFunc | null) => tf.KernelFunc {
  return (builtin) => (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const plan = channelBroadcastPlan(a, b);
    if (!plan) {
      if (!builtin) throw new Error(`${op}: unsupported case and no built-in kernel`);
      return builtin(args);
    }
    const backend = args.backend as unknown as WebGPUBackend;
    const [full, channel] = plan.full === 'a' ? [a, b] : [b, a];
    const program = new ChannelBroadcastProgram(op, plan.full === 'a', plan.outShape, plan.channels);
    const period = plan.channels / program.outputComponent;
    return backend.runWebGPUProgram(program, [full, channel], 'float32', [{ type: 'int32', data: [period] }]);
  };
}
