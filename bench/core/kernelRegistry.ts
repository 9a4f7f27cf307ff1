/**
 * Which kernels the set-up replaced: a snapshot of a backend's registered kernel functions (taken
 * when the benchmark module loads, after the backend packages registered theirs) compared with the
 * registry when profiling. The studio's backend selection registers its own kernels over some
 * built-ins (wasm training kernels, WebGPU gradient kernels); a profile says which ran.
 */
import * as tf from '@tensorflow/tfjs';

/** Kernel name -> the registered kernel function (compared by identity). */
export type KernelSnapshot = ReadonlyMap<string, unknown>;

export interface KernelChanges {
  /** Kernels registered at the snapshot whose function is now another one. */
  replaced: string[];
  /** Kernels registered since the snapshot (the backend had none of that name). */
  added: string[];
}

export function snapshotKernels(backend: string): KernelSnapshot {
  return new Map(tf.getKernelsForBackend(backend).map((k) => [k.kernelName, k.kernelFunc as unknown]));
}

/** Kernels replaced or added between two snapshots, sorted by name. */
export function diffKernels(before: KernelSnapshot, after: KernelSnapshot): KernelChanges {
  const replaced: string[] = [];
  const added: string[] = [];
  for (const [name, fn] of after) {
    if (!before.has(name)) added.push(name);
    else if (before.get(name) !== fn) replaced.push(name);
  }
  return { replaced: replaced.sort(), added: added.sort() };
}

const atLoad = new Map<string, KernelSnapshot>();
for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) atLoad.set(backend, snapshotKernels(backend));

/** What changed in `backend`'s kernels since this module loaded; null when it had none registered then. */
export function kernelChangesSinceLoad(backend: string): KernelChanges | null {
  const before = atLoad.get(backend);
  if (!before || before.size === 0) return null;
  return diffKernels(before, snapshotKernels(backend));
}
