/**
 * Choose and initialise the TensorFlow.js backend: WebGPU, then WebGL, then CPU for training
 * (wasm too for inference, or when forced). The decision itself is pure (./decide); this module
 * probes the browser, initialises the chosen backend, checks that it computes, and falls back
 * to the next choice when initialisation fails.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  BACKEND_LABELS,
  decideBackend,
  markInitFailure,
  resolveForcedBackend,
  type BackendInfo,
  type BackendPurpose,
  type BackendProbes,
  type ForcedBackend,
} from './decide';
import { initialiseBackend } from './initialiseBackend';
import { probeAll } from './probes';
import { configureWasm } from './wasmSetup';
import { recordSelectedBackend } from './selectedBackend';
import { kernelsWantedFromUrl, registerWebgpuKernels } from './webgpuKernels';

export * from './decide';
export { getSelectedBackend, onBackendSelected } from './selectedBackend';

export interface SelectBackendOptions {
  /** A forced backend; when omitted it is read from `?backend=` in the page URL. */
  forced?: ForcedBackend | null;
  /** Saved setting ('auto' or a backend name), used when the URL has no `?backend=`. */
  setting?: string | null;
  purpose?: BackendPurpose;
  /** Limit for probing and for initialising one backend (ms). */
  timeoutMs?: number;
  /** Run a tiny computation after initialising to make sure the backend really works. Default true. */
  verify?: boolean;
}

/** Probe, decide, initialise (falling back on failure), record and return the chosen backend. */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendInfo> {
  const { purpose = 'training', timeoutMs = 60_000, verify = true } = options;
  const search = (globalThis as { location?: Location }).location?.search ?? '';
  const resolved =
    options.forced !== undefined ? { forced: options.forced, notes: [] as string[] } : resolveForcedBackend(search, options.setting);

  configureWasm();
  // The studio's faster WebGPU kernels, unless the page asks for TensorFlow.js's own (?webgpuKernels=builtin).
  if (kernelsWantedFromUrl(search)) registerWebgpuKernels();
  const probed = await probeAll(timeoutMs);
  if (probed.webgl.available && probed.webgl.software) {
    // TensorFlow.js refuses software WebGL (failIfMajorPerformanceCaveat) unless told otherwise;
    // a software WebGL is still faster than the JS CPU backend for training.
    tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  }
  let probes: BackendProbes = { webgpu: probed.webgpu, webgl: probed.webgl, wasm: probed.wasm };

  for (let attempt = 0; attempt < 4; attempt++) {
    const decision = decideBackend({ probes, forced: resolved.forced, purpose });
    const error = await initialiseBackend(decision.name, timeoutMs, verify);
    if (error === null) {
      const info: BackendInfo = { ...decision, reasons: [...resolved.notes, ...decision.reasons] };
      recordSelectedBackend(info);
      return info;
    }
    if (decision.name === 'cpu') throw new Error(`${BACKEND_LABELS.cpu} backend failed: ${error}`);
    probes = markInitFailure(probes, decision.name, error);
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}
