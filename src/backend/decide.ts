/**
 * Pure backend decision logic: given what the probes found (and an optional forced choice),
 * pick a TensorFlow.js backend and say why every earlier choice was skipped. No browser APIs here.
 */

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export const BACKEND_LABELS: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'CPU',
};

/** What the backend will be used for. */
export type BackendPurpose = 'training' | 'inference';

/** Preference order per purpose. CPU is always last and always available. */
export const BACKEND_ORDER: Record<BackendPurpose, readonly BackendName[]> = {
  training: ['webgpu', 'webgl', 'wasm', 'cpu'],
  inference: ['webgpu', 'webgl', 'wasm', 'cpu'],
};

/**
 * Backends that can run a training step. All of them: wasm lacks Conv2DBackpropFilter out of the
 * box, but the studio registers its own gradient kernels for it (src/backend/wasmTraining).
 */
export function canTrainOn(name: BackendName): boolean {
  return BACKEND_NAMES.includes(name);
}

export interface BackendInfo {
  name: BackendName;
  /** Why each earlier choice was skipped, in order. */
  reasons: string[];
  /** GPU adapter description (WebGPU) or WebGL renderer string; null for wasm and cpu. */
  adapter: string | null;
  /** True when the backend in use is the one that was forced (URL parameter or setting). */
  forced: boolean;
  /** Whether training can run on this backend. */
  canTrain: boolean;
}

/** Result of probing one backend. */
export type Probe =
  | { available: true; adapter: string | null; software?: boolean }
  | { available: false; reason: string };

export type BackendProbes = Record<Exclude<BackendName, 'cpu'>, Probe>;

export interface ForcedBackend {
  name: BackendName;
  /** Human-readable origin, e.g. "URL parameter ?backend=cpu" or "setting". */
  source: string;
}

export interface DecideOptions {
  probes: BackendProbes;
  forced?: ForcedBackend | null;
  purpose?: BackendPurpose;
  /**
   * For inference, skip a software GPU (SwiftShader, llvmpipe, a fallback adapter) in favour of
   * wasm, which is several times faster on the CPU. Default true.
   */
  preferWasmOverSoftwareGpu?: boolean;
}

export function parseBackendName(value: string | null | undefined): BackendName | null {
  if (value == null) return null;
  const v = value.trim().toLowerCase();
  return (BACKEND_NAMES as readonly string[]).includes(v) ? (v as BackendName) : null;
}

/**
 * The forced backend from the URL query (`?backend=...`, which wins) or a saved setting.
 * An unknown value is ignored with a note.
 */
export function resolveForcedBackend(
  search: string | null | undefined,
  setting?: string | null,
): { forced: ForcedBackend | null; notes: string[] } {
  const notes: string[] = [];
  const params = new URLSearchParams(search ?? '');
  const raw = params.get('backend');
  if (raw !== null && raw !== '' && raw.toLowerCase() !== 'auto') {
    const name = parseBackendName(raw);
    if (name) return { forced: { name, source: `URL parameter ?backend=${name}` }, notes };
    notes.push(`Ignored URL parameter ?backend=${raw}: expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (setting != null && setting !== '' && setting !== 'auto') {
    const name = parseBackendName(setting);
    if (name) return { forced: { name, source: 'setting' }, notes };
    notes.push(`Ignored backend setting "${setting}": expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  return { forced: null, notes };
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

/** Whether an adapter/renderer description names a software rasteriser. */
export function isSoftwareAdapter(description: string | null | undefined): boolean {
  return !!description && SOFTWARE_RENDERER.test(description);
}

/** Fields of a GPUAdapterInfo (all optional: older browsers leave them empty). */
export interface AdapterInfoFields {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** "vendor / architecture / device / description" without empty or repeated parts. */
export function describeAdapterInfo(info: AdapterInfoFields | null | undefined, isFallback = false): string {
  const parts: string[] = [];
  for (const field of [info?.vendor, info?.architecture, info?.device, info?.description]) {
    const v = (field ?? '').trim();
    if (v && !parts.some((p) => p.toLowerCase() === v.toLowerCase())) parts.push(v);
  }
  let text = parts.length > 0 ? parts.join(' / ') : 'unknown adapter (no adapter info exposed)';
  if (isFallback || info?.isFallbackAdapter) text += ' (fallback adapter)';
  return text;
}

function probeOf(probes: BackendProbes, name: BackendName): Probe {
  return name === 'cpu' ? { available: true, adapter: null } : probes[name];
}

function info(name: BackendName, reasons: string[], adapter: string | null, forced: boolean): BackendInfo {
  return { name, reasons, adapter, forced, canTrain: canTrainOn(name) };
}

/** Pick a backend. Pure: same probes, same answer. */
export function decideBackend(options: DecideOptions): BackendInfo {
  const { probes, forced = null, purpose = 'training', preferWasmOverSoftwareGpu = true } = options;
  const reasons: string[] = [];

  if (forced) {
    const probe = probeOf(probes, forced.name);
    if (probe.available) {
      const order = BACKEND_ORDER[purpose];
      for (const name of order) {
        if (name === forced.name) break;
        reasons.push(`${BACKEND_LABELS[name]} skipped: ${forced.name} forced by ${forced.source}`);
      }
      return info(forced.name, reasons, probe.adapter, true);
    }
    reasons.push(`Forced ${forced.name} (${forced.source}) unavailable: ${probe.reason}`);
  }

  const order = BACKEND_ORDER[purpose];
  const wasmProbe = probes.wasm;
  for (const name of order) {
    if (forced && name === forced.name) continue; // already explained above
    const probe = probeOf(probes, name);
    if (!probe.available) {
      reasons.push(`${BACKEND_LABELS[name]} unavailable: ${probe.reason}`);
      continue;
    }
    const software = probe.software ?? isSoftwareAdapter(probe.adapter);
    if (
      purpose === 'inference' &&
      preferWasmOverSoftwareGpu &&
      (name === 'webgpu' || name === 'webgl') &&
      software &&
      wasmProbe.available
    ) {
      reasons.push(
        `${BACKEND_LABELS[name]} skipped: software adapter (${probe.adapter ?? 'unknown'}); WebAssembly is faster on the CPU for inference`,
      );
      continue;
    }
    return info(name, reasons, probe.adapter, false);
  }
  // Unreachable: cpu is in every order and always available.
  return info('cpu', reasons, null, false);
}

/**
 * Record that the chosen backend failed to initialise, so the next decision skips it.
 * Returns new probes (the input is not modified).
 */
export function markInitFailure(probes: BackendProbes, name: Exclude<BackendName, 'cpu'>, error: string): BackendProbes {
  return { ...probes, [name]: { available: false, reason: `initialisation failed: ${error}` } };
}
