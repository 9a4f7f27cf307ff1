/**
 * The wasm backend in Node (tests, benchmarks, the CLI), ready to train. Node only: uses node:module.
 *
 * Threads: tfjs-backend-wasm 4.22 never uses threads in Node. Its WASM_HAS_MULTITHREAD_SUPPORT flag
 * is hard-wired to false there (tensorflow/tfjs issue 3830), and forcing the flag fails, because the
 * pthread workers are built from blob: URLs, which Node's worker_threads rejects (ERR_WORKER_PATH).
 * So Node gets the single-threaded SIMD build; `threads` is accepted for symmetry with the browser
 * and reported back by wasmBackendInfo().
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerWasmTrainingKernels, type WasmTrainingKernelOptions } from './index';

export interface NodeWasmOptions extends WasmTrainingKernelOptions {
  /** Threads to ask for. Node always runs 1 (see above); more only logs a note. */
  threads?: number;
}

export interface WasmBackendInfo {
  backend: string;
  simd: boolean;
  threads: number;
  /** Training kernels registered by this module (names). */
  trainingKernels: string[];
}

let trainingKernels: string[] = [];

/** Absolute path of tfjs-backend-wasm's dist folder (holds the .wasm binaries), with a trailing slash. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/** Sets the .wasm paths (first time only), registers the training kernels and switches to 'wasm'. */
export async function useWasmBackendInNode(options: NodeWasmOptions = {}): Promise<void> {
  // setWasmPaths must precede the backend's initialisation, and throws after a failed one.
  if (!tf.engine().registry['wasm']) {
    setWasmPaths(wasmDistDir());
    if (options.threads !== undefined) setThreadsCount(options.threads);
  }
  if (options.threads !== undefined && options.threads > 1) {
    console.warn(`useWasmBackendInNode: ${options.threads} threads asked, but tfjs-backend-wasm runs single-threaded in Node`);
  }
  const added = registerWasmTrainingKernels(options);
  trainingKernels = [...new Set([...trainingKernels, ...added])];
  if (!(await tf.setBackend('wasm'))) throw new Error('useWasmBackendInNode: the wasm backend failed to initialise');
  await tf.ready();
}

/** What the running wasm backend uses (call after useWasmBackendInNode). */
export async function wasmBackendInfo(): Promise<WasmBackendInfo> {
  return {
    backend: tf.getBackend(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: tf.getBackend() === 'wasm' ? getThreadsCount() : 0,
    trainingKernels,
  };
}
