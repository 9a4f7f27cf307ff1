/**
 * Browser probes: can this page get a WebGPU adapter, a WebGL context, WebAssembly?
 * They work in a window and in a worker (OffscreenCanvas). No TensorFlow.js here.
 */
import {
  describeAdapterInfo,
  isSoftwareAdapter,
  type AdapterInfoFields,
  type BackendProbes,
  type Probe,
} from './decide';
import { errorMessage } from '../util/errorMessage';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Adapter shape across browser versions: `info` (current) or `requestAdapterInfo()` (older Chrome). */
interface AdapterCompat {
  info?: AdapterInfoFields;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<AdapterInfoFields>;
}

export async function probeWebGPU(timeoutMs = 15_000): Promise<Probe> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  if (!nav || !('gpu' in nav) || !nav.gpu) {
    const insecure = (globalThis as { isSecureContext?: boolean }).isSecureContext === false;
    return { available: false, reason: `navigator.gpu is missing${insecure ? ' (the page is not a secure context)' : ''}` };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await withTimeout(nav.gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, 'requestAdapter');
  } catch (e) {
    return { available: false, reason: `requestAdapter failed: ${errorMessage(e)}` };
  }
  if (!adapter) return { available: false, reason: 'no adapter' };

  const compat = adapter as unknown as AdapterCompat;
  let fields: AdapterInfoFields | undefined = compat.info;
  if (!fields && typeof compat.requestAdapterInfo === 'function') {
    try {
      fields = await compat.requestAdapterInfo();
    } catch {
      fields = undefined;
    }
  }
  const fallback = compat.isFallbackAdapter === true || fields?.isFallbackAdapter === true;
  const description = describeAdapterInfo(fields, fallback);
  return { available: true, adapter: description, software: fallback || isSoftwareAdapter(description) };
}

type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;
type GL = WebGLRenderingContext | WebGL2RenderingContext;

function makeCanvas(): AnyCanvas | null {
  const doc = (globalThis as { document?: Document }).document;
  if (doc) return doc.createElement('canvas');
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  return null;
}

function getContext(kind: 'webgl2' | 'webgl', failIfMajorPerformanceCaveat: boolean): GL | null {
  const canvas = makeCanvas();
  if (!canvas) return null;
  const attrs: WebGLContextAttributes = {
    alpha: false,
    antialias: false,
    depth: false,
    stencil: false,
    premultipliedAlpha: false,
    preserveDrawingBuffer: false,
    failIfMajorPerformanceCaveat,
  };
  try {
    return (canvas.getContext(kind, attrs) as GL | null) ?? null;
  } catch {
    return null;
  }
}

function rendererOf(gl: GL): string {
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const unmasked = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : null;
  const plain = gl.getParameter(gl.RENDERER);
  const text = typeof unmasked === 'string' && unmasked ? unmasked : typeof plain === 'string' ? plain : '';
  return text || 'unknown renderer';
}

/**
 * WebGL: prefer WebGL 2. A context that exists only with `failIfMajorPerformanceCaveat: false`
 * is a software rasteriser (TensorFlow.js refuses it unless SOFTWARE_WEBGL_ENABLED is set).
 */
export function probeWebGL(): Probe & { version?: 1 | 2 } {
  if (!makeCanvas()) return { available: false, reason: 'no canvas (neither document nor OffscreenCanvas)' };
  for (const kind of ['webgl2', 'webgl'] as const) {
    for (const strict of [true, false]) {
      const gl = getContext(kind, strict);
      if (!gl) continue;
      const renderer = rendererOf(gl);
      gl.getExtension('WEBGL_lose_context')?.loseContext();
      return {
        available: true,
        adapter: renderer,
        software: !strict || isSoftwareAdapter(renderer),
        version: kind === 'webgl2' ? 2 : 1,
      };
    }
  }
  return { available: false, reason: 'no WebGL context could be created (disabled, blocklisted or no GPU)' };
}

export function probeWasm(): Probe {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    return { available: false, reason: 'WebAssembly is not supported' };
  }
  return { available: true, adapter: null };
}

export async function probeAll(timeoutMs?: number): Promise<BackendProbes & { webglVersion?: 1 | 2 }> {
  const webgpu = await probeWebGPU(timeoutMs);
  const { version, ...webgl } = probeWebGL();
  return { webgpu, webgl: webgl as Probe, wasm: probeWasm(), webglVersion: version };
}
