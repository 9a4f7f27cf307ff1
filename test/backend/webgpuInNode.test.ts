/**
 * TensorFlow.js's WebGPU backend in Node through Dawn (what `npm run bench -- --node-backends
 * webgpu` runs, on a GPU machine too), here on Chromium's SwiftShader Vulkan driver.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWebgpuBackendInNode } from '../../src/backend/webgpuInNode';
import { isWebgpuKernelRegistered, WEBGPU_KERNEL_NAMES } from '../../src/backend/webgpuKernels';
import { defaultModelConfig } from '../../src/model/config';
import { FoldedLinkNet } from '../../src/model/foldedLinkNet';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { runNodeFrameJob } from '../../bench/core/nodeFrame';
import { swiftshaderVulkanManifest, vulkanLoaderInstalled } from '../support/swiftshaderVulkan';

const manifest = swiftshaderVulkanManifest();
const loader = vulkanLoaderInstalled();
if (!manifest) console.warn('webgpuInNode.test: skipped: no Chromium SwiftShader Vulkan driver (vk_swiftshader_icd.json)');
if (!loader) console.warn('webgpuInNode.test: skipped: no Vulkan loader (libvulkan.so.1; Debian: apt-get install libvulkan1)');

describe.skipIf(!manifest || !loader)('TensorFlow.js WebGPU in Node through Dawn (SwiftShader Vulkan)', () => {
  it('initialises on the adapter Dawn finds, with the studio kernels or the built-ins, and a folded LinkNet18 equals predict() on the cpu backend', async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    const info = await useWebgpuBackendInNode();
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.adapter).toMatch(/SwiftShader/i);
    expect(info.software).toBe(true);
    expect(info.kernels).toBe('studio');
    for (const name of WEBGPU_KERNEL_NAMES) expect(isWebgpuKernelRegistered(name)).toBe(true);

    // The bench's "before": TensorFlow.js's own kernels on the same device, and back.
    expect((await useWebgpuBackendInNode({ kernels: 'builtin' })).kernels).toBe('builtin');
    for (const name of WEBGPU_KERNEL_NAMES) expect(isWebgpuKernelRegistered(name)).toBe(false);
    await useWebgpuBackendInNode();
    for (const name of WEBGPU_KERNEL_NAMES) expect(isWebgpuKernelRegistered(name)).toBe(true);

    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18' }), 3);
    const values = Float32Array.from({ length: 32 * 64 * 3 }, (_, i) => ((i * 7919) % 255) / 255);
    const folded = await FoldedLinkNet.fromModel(model);
    const input = tf.tensor4d(values, [1, 32, 64, 3]);
    const before = tf.memory().numTensors;
    const out = folded.predict(input);
    const onGpu = await out.data();
    tf.dispose([out, input]);
    expect(tf.memory().numTensors).toBe(before - 1);
    folded.dispose();
    const weights = await model.readTorchWeights();
    model.dispose();

    // The reference: the same weights, unfolded, on the cpu backend.
    await tf.setBackend('cpu');
    const reference = LinkNetModel.fromTorchWeights(model.config, weights);
    const x = tf.tensor4d(values, [1, 32, 64, 3]);
    const expected = reference.predict(x);
    const onCpu = await expected.data();
    let max = 0;
    for (let i = 0; i < onCpu.length; i++) max = Math.max(max, Math.abs(onCpu[i]! - onGpu[i]!));
    expect(onGpu.length).toBe(onCpu.length);
    expect(max).toBeLessThan(1e-4);
    tf.dispose([x, expected]);
    reference.dispose();
  }, 240_000);

  it("the bench's Node frame job: the viewer engine's frame on WebGPU (network, post-processing, overlay pass) with the image read back, no tensor left behind", async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    await useWebgpuBackendInNode();
    const row = await runNodeFrameJob({ task: 'end-to-end', engine: 'tfjs', encoder: 'resnet18', height: 32, width: 64, batch: 1, runs: 1, budgetMs: 1 });
    expect(row.reason).toBeUndefined();
    expect(row.status).toBe('ok');
    expect(row.platform).toBe('node');
    expect(row.runsMs).toHaveLength(1);
    expect(row.stagesMs!.network).toBeGreaterThan(0);
    expect(row.stagesMs!.postprocess).toBeGreaterThan(0);
    expect(row.stagesMs!.draw).toBeGreaterThan(0);
    expect(row.tensorsLeakedPerRun).toBe(0);
    expect(row.tensorsAfter).toBe(row.tensorsBefore);
  }, 240_000);
});
