/**
 * Gradient kernels that let the TensorFlow.js 4.22 wasm backend train LinkNet.
 *
 * What a LinkNet training step (variableGrads + Adam) needs on wasm and 4.22 lacks: only
 * Conv2DBackpropFilter. Two built-ins exist but are replaced (unless replaceBuiltins is false):
 *  - Conv2DBackpropInput (backward pass of every convolution, forward pass of every conv2dTranspose):
 *    a plain loop 5-10x slower than a forward convolution; ours runs on XNNPACK's Conv2D (small cases
 *    still go to the built-in, which wins there).
 *  - MaxPoolGrad: gives wrong gradients where padding meets windows whose maximum is <= 0 (all-zero
 *    windows after a ReLU included), and is slow.
 *
 * Usage (browser or Node), after importing the wasm backend and before the first training step:
 *   registerWasmTrainingKernels();   // idempotent; returns the kernel names it registered
 * In Node see nodeWasm.ts (useWasmBackendInNode), which also sets the .wasm paths.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterWasm, KERNEL_NAME as CONV2D_BACKPROP_FILTER } from './conv2DBackpropFilter';
import { makeConv2DBackpropInputWasm, KERNEL_NAME as CONV2D_BACKPROP_INPUT } from './conv2DBackpropInput';
import { maxPoolGradWasm, KERNEL_NAME as MAX_POOL_GRAD } from './maxPoolGrad';

export { conv2dFilterGradWasm } from './conv2DBackpropFilter';
export { conv2dInputGradWasm } from './conv2DBackpropInput';

export interface WasmTrainingKernelOptions {
  /** Also replace the built-in wasm kernels that are slow or wrong (Conv2DBackpropInput, MaxPoolGrad). Default true. */
  replaceBuiltins?: boolean;
}

interface KernelEntry {
  name: string;
  /** True: the wasm backend has this kernel but it is slow or wrong; ours replaces it unless told not to. */
  replacesBuiltin: boolean;
  /** Builds our kernel function; gets the built-in one (or null) for cases it leaves to it. */
  make: (builtin: tf.KernelFunc | null) => tf.KernelFunc;
}

const ENTRIES: readonly KernelEntry[] = [
  { name: CONV2D_BACKPROP_FILTER, replacesBuiltin: false, make: () => conv2DBackpropFilterWasm },
  { name: CONV2D_BACKPROP_INPUT, replacesBuiltin: true, make: (builtin) => makeConv2DBackpropInputWasm(builtin) },
  { name: MAX_POOL_GRAD, replacesBuiltin: true, make: () => maxPoolGradWasm },
];

/** Every kernel name this module can register. */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = ENTRIES.map((e) => e.name);

/** Kernel functions registered by this module (to recognise our own registrations). */
const ours = new WeakSet<tf.KernelFunc>();
/** Built-in wasm kernels we replaced, by name (restored by unregisterWasmTrainingKernels). */
const replaced = new Map<string, tf.KernelConfig>();

/** Whether the wasm kernel registered under `name` is one of ours. */
export function isWasmTrainingKernelRegistered(name: string): boolean {
  const k = tf.getKernel(name, 'wasm');
  return k !== undefined && ours.has(k.kernelFunc);
}

/**
 * Registers the training kernels for the 'wasm' backend. Idempotent: skips kernels that are already
 * ours, and (when replaceBuiltins is false) any the wasm backend already has. Returns the names it
 * registered in this call (replaced built-ins included). Works before or after tf.setBackend('wasm').
 */
export function registerWasmTrainingKernels(options: WasmTrainingKernelOptions = {}): string[] {
  const replace = options.replaceBuiltins ?? true;
  const added: string[] = [];
  for (const entry of ENTRIES) {
    const existing = tf.getKernel(entry.name, 'wasm');
    if (existing && ours.has(existing.kernelFunc)) continue;
    if (existing && !(entry.replacesBuiltin && replace)) continue;
    if (existing) {
      replaced.set(entry.name, existing);
      tf.unregisterKernel(entry.name, 'wasm');
    }
    const kernelFunc = entry.make(existing?.kernelFunc ?? null);
    ours.add(kernelFunc);
    tf.registerKernel({
      kernelName: entry.name,
      backendName: 'wasm',
      kernelFunc,
      // The built-in's setup (its wasm function bindings) must still run for the fallback path.
      setupFunc: existing?.setupFunc,
      disposeFunc: existing?.disposeFunc,
    });
    added.push(entry.name);
  }
  return added;
}

/** The built-in wasm kernel that `name` replaced, if it did (for comparisons and benchmarks). */
export function replacedBuiltinKernel(name: string): tf.KernelFunc | null {
  return replaced.get(name)?.kernelFunc ?? null;
}

/** Removes our kernels and puts back the built-ins they replaced. Returns the names it removed. */
export function unregisterWasmTrainingKernels(): string[] {
  const removed: string[] = [];
  for (const entry of ENTRIES) {
    if (!isWasmTrainingKernelRegistered(entry.name)) continue;
    tf.unregisterKernel(entry.name, 'wasm');
    const builtin = replaced.get(entry.name);
    if (builtin) tf.registerKernel(builtin);
    replaced.delete(entry.name);
    removed.push(entry.name);
  }
  return removed;
}
