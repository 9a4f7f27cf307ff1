/**
 * total' = total + sum(x^2) for the WebGPU backend (src/training/gradientNorm.ts). Workgroups of 256
 * threads stride over x (neighbouring threads read neighbouring values) and add their partial sums
 * as a tree in workgroup memory. A tensor of up to 256K values takes one workgroup and one launch;
 * a larger one is spread over more workgroups (so a GPU is not left with one busy core), whose
 * partial sums a second launch adds. Either way TensorFlow.js's square, full sum (itself a single
 * workgroup per tensor) and add, with the squared copy written and read, are gone.
 *
 * 1024 values per thread is a compromise: on SwiftShader every workgroup's barriers cost, and the
 * gradient norm of a LinkNet34 step took 923 ms at 64 values per thread, 627 at 256, 379 at 1024
 * and 274 with one workgroup per tensor (TensorFlow.js's ops: 574-797 ms); a GPU wants the
 * opposite, and at 1024 still gets about 9 workgroups for the largest (3x3x512x512) gradient.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { ADD_SQUARED_NORM_KERNEL, type AddSquaredNormInputs } from '../../training/gradientNorm';

export const KERNEL_NAME = ADD_SQUARED_NORM_KERNEL;

const THREADS = 256;
/** Values per thread before a tensor is spread over more workgroups. */
const VALUES_PER_THREAD = 1024;
const MAX_WORKGROUPS = 256;

/** Workgroups for a tensor of n values (1: the one-launch path). */
export function squaredNormWorkgroups(n: number): number {
  return Math.max(1, Math.min(MAX_WORKGROUPS, Math.ceil(n / (THREADS * VALUES_PER_THREAD))));
}

/**
 * Each workgroup's sum of x^2 (squares) or of x, over a grid stride; workgroup 0 adds total[0]
 * when the program has it. Output: one value per workgroup.
 */
export class SquaredNormProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  /** A flat layout: the preamble calls main(index); the workgroup's own index is what counts. */
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  uniforms = 'n : i32,';

  constructor(
    workgroups: number,
    private readonly squares: boolean,
    private readonly addsTotal: boolean,
  ) {
    this.variableNames = addsTotal ? ['total', 'x'] : ['x'];
    this.outputShape = [workgroups];
    this.dispatch = [workgroups, 1, 1];
    this.shaderKey = `studioSquaredNorm_${squares ? 'squares' : 'values'}_${addsTotal ? 'total' : 'alone'}`;
  }

  getUserCode(): string {
    return `
  var<workgroup> partial : array<f32, ${THREADS}>;
  fn main(index : i32) {
    let tid = i32(localIndex);
    let group = i32(workgroupId.x);
    let stride = i32(numWorkgroups.x) * ${THREADS};
    var sum = 0.0;
    for (var i = group * ${THREADS} + tid; i < uniforms.n; i = i + stride) {
      let v = x[i];
      sum = sum + ${this.squares ? 'v * v' : 'v'};
    }
    partial[tid] = sum;
    workgroupBarrier();
    for (var half = ${THREADS / 2}; half > 0; half = half / 2) {
      if (tid < half) { partial[tid] = partial[tid] + partial[tid + half]; }
      workgroupBarrier();
    }
    if (tid == 0) { result[group] = ${this.addsTotal ? 'select(0.0, total[0], group == 0) + ' : ''}partial[0]; }
  }
`;
  }
}

export function makeAddSquaredNormWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { total, x } = inputs as unknown as AddSquaredNormInputs<tf.TensorInfo>;
    const n = x.shape.reduce((a, b) => a * b, 1);
    const workgroups = squaredNormWorkgroups(n);
    const partials = backend.runWebGPUProgram(new SquaredNormProgram(workgroups, true, true), [total, x], 'float32', [{ type: 'int32', data: [n] }]);
    if (workgroups === 1) return partials;
    const summed = backend.runWebGPUProgram(new SquaredNormProgram(1, false, false), [partials], 'float32', [{ type: 'int32', data: [workgroups] }]);
    backend.disposeData(partials.dataId);
    return summed;
  };
}
