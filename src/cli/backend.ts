/** Picks the TensorFlow.js backend for a command and says on stderr which one runs. */
import * as tf from '@tensorflow/tfjs';
import { CliError, errorMessage, type CliIo, type OptionSpec } from './framework';

export type CliBackend = 'cpu' | 'wasm';
export const CLI_BACKENDS: readonly CliBackend[] = ['cpu', 'wasm'];

export const BACKEND_OPTION: OptionSpec = {
  type: 'string',
  value: 'cpu|wasm',
  description: 'TensorFlow.js backend: wasm (default, ~10x faster; falls back to cpu if it cannot start) or cpu (pure JS)',
};

/** Quiet TensorFlow.js's console notes (e.g. the tfjs-node hint) so stdout stays machine-readable. */
export function quietTensorFlow(): void {
  if (!tf.env().getBool('PROD')) tf.enableProdMode();
}

/**
 * Switches to the backend. wasm that cannot start falls back to cpu with a note, unless it was
 * asked for explicitly (then it is an error). Returns a description such as "wasm (SIMD, 1 thread)".
 */
export async function activateBackend(wanted: CliBackend, explicit: boolean, io: CliIo): Promise<string> {
  quietTensorFlow();
  let description: string | null = null;
  if (wanted === 'wasm') {
    try {
      const { useWasmBackendInNode, wasmBackendInfo } = await import('../backend/wasmTraining/nodeWasm');
      await useWasmBackendInNode();
      const info = await wasmBackendInfo();
      description = `wasm (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
    } catch (e) {
      if (explicit) throw new CliError(`the wasm backend could not start: ${errorMessage(e)}`);
      io.stderr(`note: the wasm backend could not start (${errorMessage(e)}); using cpu\n`);
    }
  }
  if (description === null) {
    if (!(await tf.setBackend('cpu'))) throw new CliError('the cpu backend could not start');
    await tf.ready();
    description = 'cpu (pure JavaScript)';
  }
  io.stderr(`backend: ${description}\n`);
  return tf.getBackend();
}
