import { describe, expect, it } from 'vitest';
import {
  decideBackend,
  describeAdapterInfo,
  isSoftwareAdapter,
  markInitFailure,
  parseBackendName,
  resolveForcedBackend,
  type BackendProbes,
} from '../../src/backend/decide';

const GPU = 'nvidia / ampere / NVIDIA GeForce RTX 3080';
const SWIFT_GL = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';

function probes(over: Partial<BackendProbes> = {}): BackendProbes {
  return {
    webgpu: { available: true, adapter: GPU },
    webgl: { available: true, adapter: 'ANGLE (NVIDIA, GeForce RTX 3080)' },
    wasm: { available: true, adapter: null },
    ...over,
  };
}

const noGpu = { available: false as const, reason: 'navigator.gpu is missing' };
const noAdapter = { available: false as const, reason: 'no adapter' };
const noGl = { available: false as const, reason: 'no WebGL context could be created' };

describe('decideBackend (training)', () => {
  it('prefers WebGPU and reports its adapter', () => {
    expect(decideBackend({ probes: probes() })).toEqual({ name: 'webgpu', reasons: [], adapter: GPU, forced: false, canTrain: true });
  });

  it('falls back to WebGL and says why WebGPU was skipped', () => {
    const d = decideBackend({ probes: probes({ webgpu: noGpu }) });
    expect(d.name).toBe('webgl');
    expect(d.adapter).toBe('ANGLE (NVIDIA, GeForce RTX 3080)');
    expect(d.reasons).toEqual(['WebGPU unavailable: navigator.gpu is missing']);
  });

  it('falls back to wasm for training (it trains with the studio kernels), with a reason per skipped backend', () => {
    const d = decideBackend({ probes: probes({ webgpu: noAdapter, webgl: noGl }) });
    expect(d).toEqual({
      name: 'wasm',
      adapter: null,
      forced: false,
      canTrain: true,
      reasons: ['WebGPU unavailable: no adapter', 'WebGL unavailable: no WebGL context could be created'],
    });
  });

  it('falls back to CPU for training when wasm is unavailable too', () => {
    const d = decideBackend({ probes: probes({ webgpu: noAdapter, webgl: noGl, wasm: { available: false, reason: 'WebAssembly is missing' } }) });
    expect(d.name).toBe('cpu');
    expect(d.reasons).toEqual(['WebGPU unavailable: no adapter', 'WebGL unavailable: no WebGL context could be created', 'WebAssembly unavailable: WebAssembly is missing']);
  });

  it('keeps a software GPU for training (still faster than the JS CPU backend)', () => {
    const d = decideBackend({ probes: probes({ webgpu: { available: true, adapter: 'google / swiftshader', software: true } }) });
    expect(d.name).toBe('webgpu');
    expect(d.adapter).toBe('google / swiftshader');
  });
});

describe('decideBackend (inference)', () => {
  it('uses a hardware GPU', () => {
    expect(decideBackend({ probes: probes(), purpose: 'inference' }).name).toBe('webgpu');
  });

  it('prefers wasm over software WebGPU and WebGL', () => {
    const d = decideBackend({
      purpose: 'inference',
      probes: probes({
        webgpu: { available: true, adapter: 'google / swiftshader' },
        webgl: { available: true, adapter: SWIFT_GL },
      }),
    });
    expect(d.name).toBe('wasm');
    expect(d.adapter).toBeNull();
    expect(d.canTrain).toBe(true);
    expect(d.reasons).toHaveLength(2);
    expect(d.reasons[0]).toMatch(/^WebGPU skipped: software adapter \(google \/ swiftshader\)/);
    expect(d.reasons[1]).toMatch(/^WebGL skipped: software adapter/);
  });

  it('can be told not to prefer wasm over a software GPU', () => {
    const d = decideBackend({
      purpose: 'inference',
      preferWasmOverSoftwareGpu: false,
      probes: probes({ webgpu: { available: true, adapter: 'x', software: true } }),
    });
    expect(d.name).toBe('webgpu');
  });

  it('goes webgpu -> webgl -> wasm -> cpu', () => {
    expect(decideBackend({ purpose: 'inference', probes: probes({ webgpu: noGpu, webgl: noGl }) }).name).toBe('wasm');
    const d = decideBackend({
      purpose: 'inference',
      probes: probes({ webgpu: noGpu, webgl: noGl, wasm: { available: false, reason: 'WebAssembly is not supported' } }),
    });
    expect(d.name).toBe('cpu');
    expect(d.reasons).toEqual([
      'WebGPU unavailable: navigator.gpu is missing',
      'WebGL unavailable: no WebGL context could be created',
      'WebAssembly unavailable: WebAssembly is not supported',
    ]);
  });
});

describe('forced backends', () => {
  const url = (name: 'webgpu' | 'webgl' | 'wasm' | 'cpu') => ({ name, source: `URL parameter ?backend=${name}` });

  it('honours a forced CPU and says the earlier choices were skipped because of it', () => {
    const d = decideBackend({ probes: probes(), forced: url('cpu') });
    expect(d.name).toBe('cpu');
    expect(d.forced).toBe(true);
    expect(d.adapter).toBeNull();
    expect(d.reasons).toEqual([
      'WebGPU skipped: cpu forced by URL parameter ?backend=cpu',
      'WebGL skipped: cpu forced by URL parameter ?backend=cpu',
      'WebAssembly skipped: cpu forced by URL parameter ?backend=cpu',
    ]);
  });

  it('honours forced WebGPU with no skipped reasons', () => {
    const d = decideBackend({ probes: probes(), forced: url('webgpu') });
    expect(d).toMatchObject({ name: 'webgpu', forced: true, reasons: [], adapter: GPU });
  });

  it('honours forced wasm for training (it trains with the studio kernels)', () => {
    const d = decideBackend({ probes: probes(), forced: url('wasm') });
    expect(d.name).toBe('wasm');
    expect(d.forced).toBe(true);
    expect(d.canTrain).toBe(true);
    expect(d.reasons).toEqual([
      'WebGPU skipped: wasm forced by URL parameter ?backend=wasm',
      'WebGL skipped: wasm forced by URL parameter ?backend=wasm',
    ]);
  });

  it('falls back when the forced backend is unavailable, and is then not "forced"', () => {
    const d = decideBackend({ probes: probes({ webgpu: noAdapter }), forced: url('webgpu') });
    expect(d.name).toBe('webgl');
    expect(d.forced).toBe(false);
    expect(d.reasons).toEqual(['Forced webgpu (URL parameter ?backend=webgpu) unavailable: no adapter']);
  });

  it('skips a forced backend that failed to initialise', () => {
    const p = markInitFailure(probes(), 'webgpu', 'requestDevice failed');
    const d = decideBackend({ probes: p, forced: url('webgpu') });
    expect(d.name).toBe('webgl');
    expect(d.reasons[0]).toBe('Forced webgpu (URL parameter ?backend=webgpu) unavailable: initialisation failed: requestDevice failed');
  });

  it('markInitFailure does not modify its input', () => {
    const p = probes();
    markInitFailure(p, 'webgl', 'boom');
    expect(p.webgl.available).toBe(true);
  });
});

describe('resolveForcedBackend', () => {
  it('reads ?backend= from the URL, case-insensitively', () => {
    expect(resolveForcedBackend('?backend=CPU').forced).toEqual({ name: 'cpu', source: 'URL parameter ?backend=cpu' });
    expect(resolveForcedBackend('?x=1&backend=webgl').forced?.name).toBe('webgl');
  });

  it('lets the URL win over a setting, and uses the setting otherwise', () => {
    expect(resolveForcedBackend('?backend=wasm', 'webgl').forced?.name).toBe('wasm');
    expect(resolveForcedBackend('', 'webgl').forced).toEqual({ name: 'webgl', source: 'setting' });
    expect(resolveForcedBackend('?backend=auto', 'cpu').forced?.name).toBe('cpu');
  });

  it('treats auto and nothing as no forcing', () => {
    expect(resolveForcedBackend('', 'auto')).toEqual({ forced: null, notes: [] });
    expect(resolveForcedBackend(null)).toEqual({ forced: null, notes: [] });
  });

  it('ignores unknown values with a note', () => {
    const r = resolveForcedBackend('?backend=cuda');
    expect(r.forced).toBeNull();
    expect(r.notes[0]).toMatch(/Ignored URL parameter \?backend=cuda/);
  });

  it('parseBackendName', () => {
    expect(parseBackendName(' WebGPU ')).toBe('webgpu');
    expect(parseBackendName('gpu')).toBeNull();
    expect(parseBackendName(undefined)).toBeNull();
  });
});

describe('adapter descriptions', () => {
  it('joins the non-empty GPUAdapterInfo fields without repeats', () => {
    expect(describeAdapterInfo({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe('google / swiftshader');
    expect(describeAdapterInfo({ vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA' })).toBe('nvidia / ampere');
    expect(describeAdapterInfo({ vendor: 'apple', architecture: 'metal-3', device: '', description: '' }, true)).toBe(
      'apple / metal-3 (fallback adapter)',
    );
    expect(describeAdapterInfo(undefined)).toMatch(/unknown adapter/);
  });

  it('recognises software rasterisers', () => {
    expect(isSoftwareAdapter('google / swiftshader')).toBe(true);
    expect(isSoftwareAdapter(SWIFT_GL)).toBe(true);
    expect(isSoftwareAdapter('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareAdapter('ANGLE (NVIDIA, GeForce RTX 3080)')).toBe(false);
    expect(isSoftwareAdapter(null)).toBe(false);
  });
});
