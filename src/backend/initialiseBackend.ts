/** Initialising one TensorFlow.js backend and saying why it failed (selectBackend, and a backend made anew after a lost device). */
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../util/errorMessage';

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms));
}

/**
 * Switches TensorFlow.js to `name` (building the backend if needed) and, with `verify`, checks that
 * it computes. Returns null on success, else why not. tf.setBackend() reports a failed
 * initialisation only as `false` plus console warnings; those warnings are captured so the reason
 * can be shown.
 */
export async function initialiseBackend(name: string, timeoutMs: number, verify = true): Promise<string | null> {
  if (!tf.findBackendFactory(name)) return 'backend is not registered in this build';
  const warnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => errorMessage(a)).join(' '));
    originalWarn.apply(console, args);
  };
  try {
    const ok = await Promise.race([tf.setBackend(name), timeout(timeoutMs, `tf.setBackend('${name}')`)]);
    if (!ok) {
      const detail = warnings.filter((w) => !/^Initialization of backend/.test(w)).pop();
      return (detail ?? 'tf.setBackend returned false').split('\n')[0] ?? 'tf.setBackend returned false';
    }
  } catch (e) {
    return errorMessage(e);
  } finally {
    console.warn = originalWarn;
  }
  if (!verify) return null;
  try {
    const t = tf.tidy(() => tf.ones([1024]).mul(2).sum());
    const [value] = await Promise.race([t.data(), timeout(timeoutMs, 'self-test')]);
    t.dispose();
    if (value !== 2048) return `self-test computed ${String(value)} instead of 2048`;
  } catch (e) {
    return `self-test failed: ${errorMessage(e)}`;
  }
  return null;
}
