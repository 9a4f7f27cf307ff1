/**
 * Conv2DBackpropFilter for the WebGPU backend: the split-K products of filterGradPrograms.ts (a
 * register 'columns' program for up to 64 output channels, a tiled one above; see filterGradPlan.ts).
 *
 * TensorFlow.js 4.22's own WebGPU kernel gives each filter value one thread that loops over the
 * whole batch and image (B*OH*OW multiply-adds in sequence, no reuse of loaded values): a 3x3x64x64
 * filter is 36,864 threads of 128,000 steps each at 320x800 batch 8. Cases this kernel does not
 * cover (NCHW, non-float32, dilation) go to the built-in one.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { convGeometry, convSizes, type ConvAttrs } from './convGeometry';
import { planFilterGrad, type FilterGradPlan } from './filterGradPlan';
import { FILTER_GRAD_UNIFORMS, FilterGradColumnsProgram, FilterGradTiledProgram, SumSplitsProgram, type FilterGradUniformName } from './filterGradPrograms';

export const KERNEL_NAME = 'Conv2DBackpropFilter';

interface Conv2DBackpropFilterAttrs extends ConvAttrs {
  filterShape: [number, number, number, number];
}

function uniformValues(plan: FilterGradPlan, info: tf.backend_util.Conv2DInfo): { type: string; data: number[] }[] {
  const values: Record<FilterGradUniformName, number> = {
    mTotal: plan.m,
    nTotal: plan.n,
    kTotal: plan.k,
    kPerSplit: plan.kPerSplit,
    stepsPerSplit: plan.stepsPerSplit,
    outW: info.outWidth,
    outHW: info.outHeight * info.outWidth,
    kwTimesCi: info.filterWidth * info.inChannels,
    inC: info.inChannels,
    inH: info.inHeight,
    inW: info.inWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  return FILTER_GRAD_UNIFORMS.map((name) => ({ type: 'int32', data: [values[name]] }));
}

/** The plan for one call's shapes (exported for the benchmark and the tests). */
export function filterGradPlanFor(info: tf.backend_util.Conv2DInfo): FilterGradPlan {
  return planFilterGrad(convSizes(info));
}

/** Builds the kernel function; `builtin` handles the cases this one leaves alone. */
export function makeConv2DBackpropFilterWebgpu(builtin: tf.KernelFunc | null): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
      backend: WebGPUBackend;
      attrs: Conv2DBackpropFilterAttrs;
    };
    const { x, dy } = inputs;
    const { filterShape } = attrs;
    const { info, format } = convGeometry(x.shape, filterShape, attrs);

    const supported = format === 'channelsLast' && x.dtype === 'float32' && dy.dtype === 'float32' && info.dilationHeight === 1 && info.dilationWidth === 1;
    const plan = supported ? filterGradPlanFor(info) : null;
    if (!plan || plan.kind === 'perOutput') {
      if (!builtin) throw new Error(`${KERNEL_NAME}: unsupported case (${format}, ${x.dtype}) and no built-in kernel`);
      return builtin(args);
    }
    const program = plan.kind === 'tiled' ? new FilterGradTiledProgram(plan) : new FilterGradColumnsProgram(plan);
    const partials = backend.runWebGPUProgram(program, [x, dy], 'float32', uniformValues(plan, info));
    if (plan.splits === 1) {
      // [1, m, n] holds the filter in its own layout: hand the buffer over under the filter's shape.
      const out = { dataId: partials.dataId, shape: [...filterShape], dtype: partials.dtype };
      return out;
    }
    const summed = backend.runWebGPUProgram(new SumSplitsProgram(filterShape), [partials], 'float32', [{ type: 'int32', data: [plan.splits] }]);
    backend.disposeData(partials.dataId);
    return summed;
  };
}
