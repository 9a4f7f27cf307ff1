/**
 * The wasm backend's binaries are served by this app (Vite `?url` imports: dev serves them from
 * node_modules, a build emits them as hashed assets), never fetched from a CDN.
 *
 * Threads: the threaded build needs cross-origin isolation (SharedArrayBuffer) and breaks in a
 * minified production build (its worker is built from a function's source text), so threads are
 * used only in the dev server; production builds use the non-threaded SIMD binary.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from './wasmTraining';

let configured = false;

/** Whether the threaded wasm binary may be used here. */
export function wasmThreadsAllowed(): boolean {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return isolated && !import.meta.env.PROD;
}

/** Point the wasm backend at our own binaries (idempotent; call before the wasm backend initialises). */
export function configureWasm(): void {
  if (configured) return;
  configured = true;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  if (!wasmThreadsAllowed()) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // The wasm backend trains with the studio's gradient kernels.
  registerWasmTrainingKernels();
}

/** Threads the wasm backend runs with (1 when non-threaded); only meaningful once wasm is initialised. */
export function wasmThreads(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}
