/**
 * The PyTorch training-step fixture on WebGPU in Node (Dawn on SwiftShader's Vulkan driver here), with
 * every studio WebGPU kernel: BatchNorm forward and backward, ReLU's gradient, the running statistics,
 * Adam, the convolution gradients, the leading-axis reductions and per-channel broadcasts.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWebgpuBackendInNode } from '../../src/backend/webgpuInNode';
import { swiftshaderVulkanManifest, vulkanLoaderInstalled } from '../support/swiftshaderVulkan';
import { describeTrainStepParity, WASM_TOLERANCES } from '../support/trainStepParity';

const manifest = swiftshaderVulkanManifest();
if (manifest && vulkanLoaderInstalled()) {
  describeTrainStepParity('webgpu through Dawn, with the studio kernels', async () => {
    process.env.VK_ICD_FILENAMES = manifest;
    const info = await useWebgpuBackendInNode();
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.kernels).toBe('studio');
  }, WASM_TOLERANCES);
} else {
  describe.skip('one LinkNet34 training step matches PyTorch (webgpu): no SwiftShader Vulkan driver or Vulkan loader', () => {
    it('skipped', () => undefined);
  });
}
