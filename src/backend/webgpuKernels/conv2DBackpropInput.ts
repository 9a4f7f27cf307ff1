/**
 * Conv2DBackpropInput for the WebGPU backend: the input gradient of every convolution and the
 * forward pass of every transposed convolution (LinkNet's decoder and head), split into stride
 * phases so that each dx pixel visits only the filter taps that reach it (inputGradPlan.ts), each
 * thread computing 4 pixels x 4 channels in registers (inputGradProgram.ts).
 *
 * TensorFlow.js 4.22's own kernel (the default, WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE) gives each thread
 * two neighbouring pixels (of different phases at stride 2) of four channels and visits every filter
 * tap, testing each against the stride; it needs channel counts in fours for its vec4 path and
 * otherwise runs one thread per value. Its matrix-product variant (flag off) multiplies over all
 * taps, the zero-inserted ones included (4x the work at stride 2 with a 3x3 filter).
 * A workgroup-memory tiled product per phase was tried first: on SwiftShader it took 1.5-3x the
 * built-in kernel's time (barriers are costly there); this one takes 0.3-0.7x (e2e/webgpuKernels.spec.ts
 * logs the pairs). Cases it does not cover (NCHW, non-float32, input channels not in fours) go to the
 * built-in kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { convGeometry, convSizes, type ConvAttrs } from './convGeometry';
import { inputGradGrid, planInputGrad, type InputGradPlan } from './inputGradPlan';
import { INPUT_GRAD_UNIFORMS, InputGradQuadsProgram, type InputGradUniformName } from './inputGradProgram';

export const KERNEL_NAME = 'Conv2DBackpropInput';

interface Conv2DBackpropInputAttrs extends ConvAttrs {
  inputShape: [number, number, number, number];
}

/** The plan for one call's geometry (exported for the benchmark and the tests). */
export function inputGradPlanFor(info: tf.backend_util.Conv2DInfo): InputGradPlan {
  return planInputGrad(convSizes(info));
}

function uniformValues(plan: InputGradPlan, info: tf.backend_util.Conv2DInfo): { type: string; data: number[] }[] {
  const grid = inputGradGrid(plan, info.batchSize);
  const values: Record<InputGradUniformName, number> = {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC4: info.inChannels / 4,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    filterH: info.filterHeight,
    filterW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    rowsHMax: grid.rowsHMax,
    quadsWMax: grid.quadsWMax,
    threadsPerPhase: grid.threadsPerPhase,
  };
  return INPUT_GRAD_UNIFORMS.map((name) => ({ type: 'int32', data: [values[name]] }));
}

/** Builds the kernel function; `builtin` handles the cases this one leaves alone. */
export function makeConv2DBackpropInputWebgpu(builtin: tf.KernelFunc | null): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { dy: tf.TensorInfo; filter: tf.TensorInfo };
      backend: WebGPUBackend;
      attrs: Conv2DBackpropInputAttrs;
    };
    const { dy, filter } = inputs;
    const { inputShape } = attrs;
    const { info, format } = convGeometry(inputShape, filter.shape, attrs);

    // Input channels in fours (every LinkNet layer's): the dx vec4s the program writes.
    const supported =
      format === 'channelsLast' && dy.dtype === 'float32' && filter.dtype === 'float32' && info.inChannels % 4 === 0 && info.padInfo.top >= 0 && info.padInfo.left >= 0;
    if (!supported) {
      if (!builtin) throw new Error(`${KERNEL_NAME}: unsupported case (${format}, ${dy.dtype}, ${info.inChannels} input channels) and no built-in kernel`);
      return builtin(args);
    }
    const plan = inputGradPlanFor(info);
    const program = new InputGradQuadsProgram(inputShape, plan, info.outChannels % 4 === 0 ? 'vec4' : 'scalar');
    return backend.runWebGPUProgram(program, [dy, filter], 'float32', uniformValues(plan, info));
  };
}
