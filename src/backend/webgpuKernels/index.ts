/**
 * The studio's WebGPU kernels, registered over TensorFlow.js 4.22's own where those are slow.
 *
 *  - Conv2DBackpropFilter (the weight gradient of every convolution and transposed convolution):
 *    a split-K matrix product (register or workgroup-memory tiled) instead of one sequential loop
 *    per filter value.
 *  - Conv2DBackpropInput (the input gradient of every convolution, and every transposed
 *    convolution's forward pass): split by stride phase so each output visits only the taps that
 *    reach it, 4 pixels x 4 channels per thread, instead of testing every tap at every pixel.
 *  - Softmax over a short last axis (the network's few classes): one thread per row instead of a
 *    workgroup of 64 threads per row.
 *  - StudioAdamUpdate (not a TensorFlow.js kernel; see src/training/adamUpdate.ts): Adam's update of
 *    one parameter in three passes instead of TensorFlow.js's 14 ops. Unregistered, the optimiser
 *    runs those ops, which is the "before" of a comparison.
 *  - Sum and Mean over leading axes (batch-norm statistics and gradients, bias gradients, the loss's
 *    per-class sums): columns summed in place in slices, instead of a transpose of the whole tensor
 *    followed by a workgroup per output value.
 *  - Add, Sub and Multiply of a tensor and a per-channel vector (batch-norm scale and shift, bias
 *    adds): one thread per element (per vec4 where C is a multiple of 4) reading the vector at
 *    index mod C, instead of the shared-memory broadcast program (20x slower than a same-shape
 *    multiply on SwiftShader).
 *  - StudioBatchNormForward and StudioBatchNormBackward (not TensorFlow.js kernels; see
 *    src/model/batchNormTraining.ts): training-mode BatchNorm, 5 launches each way instead of the
 *    closed form's 9 and 16 ops. Unregistered, batchNormTraining runs those ops.
 *  - StudioRunningAverage (see src/model/runningAverage.ts): a BatchNorm running statistic's update
 *    in one launch instead of 3-4 ops, each with its scalar uploaded.
 *  - StudioAddSquaredNorm (see src/training/gradientNorm.ts): the run loop's gradient norm, one
 *    or two launches per gradient instead of a square, a sum and an add.
 *  - StudioReluGrad (see src/model/reluTraining.ts): ReLU's gradient in one pass from its output,
 *    instead of step(x) and a multiply.
 *  - StudioFramePixels (see src/inference/framePixelsKernel.ts): frames uploaded as their bytes, four
 *    to a word, and cropped, channel-ordered and normalised in one launch, instead of a JavaScript
 *    pass that writes and uploads four-byte floats.
 *  - StudioOneHotClasses (see src/training/oneHotTargets.ts): a training batch's targets from its
 *    class indices uploaded as bytes, instead of one-hot floats written in JavaScript and uploaded.
 *
 * Usage, after importing the WebGPU backend (selectBackend does it):
 *   registerWebgpuKernels();     // idempotent; returns the names it registered
 *   unregisterWebgpuKernels();   // restores the built-ins (the benchmark's "before")
 * A page opened with `?webgpuKernels=builtin` keeps the built-ins (see kernelsWantedFromUrl).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { KERNEL_NAME as CONV2D_BACKPROP_FILTER, makeConv2DBackpropFilterWebgpu } from './conv2DBackpropFilter';
import { KERNEL_NAME as CONV2D_BACKPROP_INPUT, makeConv2DBackpropInputWebgpu } from './conv2DBackpropInput';
import { KERNEL_NAME as SOFTMAX, makeSoftmaxWebgpu } from './softmax';
import { KERNEL_NAME as ADAM_UPDATE, makeAdamUpdateWebgpu } from './adamUpdate';
import { makeLeadingReduceWebgpu, MEAN, SUM } from './leadingAxesReduce';
import { makeChannelBroadcastWebgpu } from './channelBroadcast';
import { KERNEL_NAME as RUNNING_AVERAGE, makeRunningAverageWebgpu } from './runningAverage';
import { KERNEL_NAME as ADD_SQUARED_NORM, makeAddSquaredNormWebgpu } from './squaredNorm';
import { KERNEL_NAME as RELU_GRAD, makeReluGradWebgpu } from './reluGrad';
import { KERNEL_NAME as FRAME_PIXELS, makeFramePixelsWebgpu } from './framePixels';
import { KERNEL_NAME as ONE_HOT_CLASSES, makeOneHotClassesWebgpu } from './oneHotClasses';
import { BATCH_NORM_BACKWARD_KERNEL, BATCH_NORM_FORWARD_KERNEL, makeBatchNormBackwardWebgpu, makeBatchNormForwardWebgpu } from './batchNormTraining';

const BACKEND = 'webgpu';

interface KernelEntry {
  name: string;
  make: (builtin: tf.KernelFunc | null) => tf.KernelFunc;
}

const ENTRIES: readonly KernelEntry[] = [
  { name: CONV2D_BACKPROP_FILTER, make: makeConv2DBackpropFilterWebgpu },
  { name: CONV2D_BACKPROP_INPUT, make: makeConv2DBackpropInputWebgpu },
  { name: SOFTMAX, make: makeSoftmaxWebgpu },
  { name: ADAM_UPDATE, make: makeAdamUpdateWebgpu },
  { name: SUM, make: makeLeadingReduceWebgpu(false) },
  { name: MEAN, make: makeLeadingReduceWebgpu(true) },
  { name: 'Add', make: makeChannelBroadcastWebgpu('Add') },
  { name: 'Sub', make: makeChannelBroadcastWebgpu('Sub') },
  { name: 'Multiply', make: makeChannelBroadcastWebgpu('Multiply') },
  { name: BATCH_NORM_FORWARD_KERNEL, make: makeBatchNormForwardWebgpu },
  { name: BATCH_NORM_BACKWARD_KERNEL, make: makeBatchNormBackwardWebgpu },
  { name: RUNNING_AVERAGE, make: makeRunningAverageWebgpu },
  { name: ADD_SQUARED_NORM, make: makeAddSquaredNormWebgpu },
  { name: RELU_GRAD, make: makeReluGradWebgpu },
  { name: FRAME_PIXELS, make: makeFramePixelsWebgpu },
  { name: ONE_HOT_CLASSES, make: makeOneHotClassesWebgpu },
];

export const WEBGPU_KERNEL_NAMES: readonly string[] = ENTRIES.map((e) => e.name);

const ours = new WeakSet<tf.KernelFunc>();
const builtins = new Map<string, tf.KernelConfig>();

export function isWebgpuKernelRegistered(name: string): boolean {
  const k = tf.getKernel(name, BACKEND);
  return k !== undefined && ours.has(k.kernelFunc);
}

/** Picks the entries named in `names` (all when omitted); an unknown name is an error. */
function entriesNamed(names?: readonly string[]): readonly KernelEntry[] {
  if (!names) return ENTRIES;
  for (const name of names) if (!WEBGPU_KERNEL_NAMES.includes(name)) throw new Error(`no studio WebGPU kernel named ${name} (${WEBGPU_KERNEL_NAMES.join(', ')})`);
  return ENTRIES.filter((e) => names.includes(e.name));
}

/**
 * Registers the studio's WebGPU kernels, or those in `names` (idempotent). Returns the names
 * registered by this call.
 */
export function registerWebgpuKernels(names?: readonly string[]): string[] {
  const registered: string[] = [];
  for (const entry of entriesNamed(names)) {
    if (isWebgpuKernelRegistered(entry.name)) continue;
    const builtin = tf.getKernel(entry.name, BACKEND);
    if (builtin) {
      builtins.set(entry.name, builtin);
      tf.unregisterKernel(entry.name, BACKEND);
    }
    const kernelFunc = entry.make(builtin?.kernelFunc ?? null);
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName: entry.name, backendName: BACKEND, kernelFunc });
    registered.push(entry.name);
  }
  return registered;
}

/** Puts TensorFlow.js's own kernels back (for all, or those in `names`). Returns the names restored. */
export function unregisterWebgpuKernels(names?: readonly string[]): string[] {
  const restored: string[] = [];
  for (const entry of entriesNamed(names)) {
    if (!isWebgpuKernelRegistered(entry.name)) continue;
    tf.unregisterKernel(entry.name, BACKEND);
    const builtin = builtins.get(entry.name);
    if (builtin) tf.registerKernel(builtin);
    restored.push(entry.name);
  }
  return restored;
}

/** False when the page URL asks for TensorFlow.js's own WebGPU kernels (`?webgpuKernels=builtin`). */
export function kernelsWantedFromUrl(search: string): boolean {
  return new URLSearchParams(search).get('webgpuKernels') !== 'builtin';
}
