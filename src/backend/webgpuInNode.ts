/**
 * TensorFlow.js's WebGPU backend in Node, through Dawn (the WebGPU implementation inside Chrome),
 * as the `webgpu` package builds it for Node. Used by the benchmark and tests on machines without
 * a browser, a GPU machine included. Node only.
 *
 * Dawn needs a Vulkan driver on Linux: a GPU's, or SwiftShader's (Chromium ships one:
 * VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json). TensorFlow.js registers its WebGPU
 * backend only where `navigator.gpu` exists when it is imported, so this module registers the
 * backend itself with Dawn's device.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { isSoftwareAdapter } from './decide';
import { registerWebgpuKernels, unregisterWebgpuKernels } from './webgpuKernels';

export interface NodeWebgpuOptions {
  /** 'studio' (default): the studio's WebGPU kernels; 'builtin': TensorFlow.js's own. */
  kernels?: 'studio' | 'builtin';
}

export interface NodeWebgpuInfo {
  backend: 'webgpu';
  /** The adapter as Dawn names it, e.g. "NVIDIA H100 80GB HBM3" or "SwiftShader driver 5.0.0". */
  adapter: string;
  vendor: string;
  architecture: string;
  /** True for a software adapter (SwiftShader, llvmpipe, ...: the studio's `isSoftwareAdapter`). */
  software: boolean;
  kernels: 'studio' | 'builtin';
}

let info: NodeWebgpuInfo | null = null;

function describe(adapter: GPUAdapter): Omit<NodeWebgpuInfo, 'kernels'> {
  const a = adapter.info;
  const name = a.description || a.device || a.vendor || 'unknown adapter';
  return { backend: 'webgpu', adapter: name, vendor: a.vendor, architecture: a.architecture, software: isSoftwareAdapter(`${a.description} ${a.architecture} ${a.vendor}`) };
}

/** Creates a Dawn device, registers the WebGPU backend on it (once per process) and switches to it. */
export async function useWebgpuBackendInNode(options: NodeWebgpuOptions = {}): Promise<NodeWebgpuInfo> {
  const kernels = options.kernels ?? 'studio';
  if (!info) {
    const { create, globals } = await import('webgpu');
    // The backend reads GPUBufferUsage, GPUMapMode and the other WebGPU enums as globals.
    Object.assign(globalThis, globals);
    const gpu = create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      throw new Error(
        'WebGPU in Node: Dawn found no adapter. It needs a Vulkan driver (a GPU\'s, or SwiftShader\'s: ' +
          'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json) and the Vulkan loader (libvulkan.so.1).',
      );
    }
    const limits = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
      // As TensorFlow.js asks in the browser: the adapter's limits, not the defaults.
      requiredLimits: {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      },
    });
    const g = globalThis as { navigator?: { gpu?: GPU } };
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    if (!g.navigator!.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
    info = { ...describe(adapter), kernels };
  }
  if (kernels === 'studio') registerWebgpuKernels();
  else unregisterWebgpuKernels();
  if (!(await tf.setBackend('webgpu'))) throw new Error('WebGPU in Node: the backend failed to initialise');
  await tf.ready();
  info = { ...info, kernels };
  return info;
}
