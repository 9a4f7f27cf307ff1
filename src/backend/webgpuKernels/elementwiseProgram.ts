/**
 * The frame of the studio's one-pass elementwise WebGPU programs (per-channel broadcasts, Adam's
 * passes, BatchNorm's per-element passes, ReLU's gradient, the running statistics): a flat dispatch
 * of 64-thread workgroups over the output, one element per thread or a vec4 where `components` is 4,
 * the same width for every input. Subclasses give the inputs, the shader key, any uniforms and
 * main(index) (`uniforms.size` counts threads' elements, i.e. vec4s where components is 4).
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const THREADS = 64;

export abstract class ElementwiseProgram implements WebGPUProgram {
  abstract shaderKey: string;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;
  outputComponent: number;
  variableComponents: number[];

  constructor(
    public variableNames: string[],
    shape: readonly number[],
    components: 1 | 4 = 1,
  ) {
    this.outputShape = [...shape];
    this.outputComponent = components;
    this.variableComponents = variableNames.map(() => components);
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / components / THREADS), 1, 1];
  }

  abstract getUserCode(): string;
}
