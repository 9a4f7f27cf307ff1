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
import { AdamOptimizer } from '../../src/training/adamOptimizer';
import { ADAM_UPDATE_KERNEL } from '../../src/training/adamUpdate';
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

  it("StudioAdamUpdate: the studio's Adam on WebGPU (three passes per parameter) follows the cpu backend's over three steps", async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    const shapes = [[3, 3, 16, 32], [32], [1, 1, 7, 3]];
    const seeded = (seed: number) => Float32Array.from({ length: 8192 }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 0.5);
    const run = async (backend: 'cpu' | 'webgpu') => {
      if (backend === 'webgpu') await useWebgpuBackendInNode();
      else await tf.setBackend('cpu');
      const vars = shapes.map((s, i) => tf.variable(tf.tensor(seeded(i).slice(0, s.reduce((a, b) => a * b, 1)), s), true, `adam_${backend}_${i}`));
      const adam = new AdamOptimizer({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      let kernels: string[] = [];
      for (let step = 0; step < 3; step++) {
        const grads = shapes.map((s, i) => tf.tensor(seeded(10 * step + i + 5).slice(0, s.reduce((a, b) => a * b, 1)).map((g) => g * 10 ** -(step + i)), s));
        kernels = (await tf.profile(() => adam.applyGradients(vars.map((variable, i) => ({ variable, gradient: grads[i] }))))).kernels.map((k) => k.name);
        tf.dispose(grads);
      }
      const values = [...(await Promise.all(vars.map(async (v) => Float32Array.from(await v.data())))), ...(await adam.readState()).moments];
      adam.dispose();
      tf.dispose(vars);
      return { values, kernels };
    };
    const gpu = await run('webgpu');
    const cpu = await run('cpu');
    expect(gpu.kernels).toEqual(shapes.map(() => ADAM_UPDATE_KERNEL));
    expect(gpu.values).toHaveLength(cpu.values.length);
    gpu.values.forEach((values, a) => {
      let worst = 0;
      values.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - cpu.values[a][i]) / Math.max(Math.abs(cpu.values[a][i]), 1e-30))));
      // WGSL's division and square root are not correctly rounded: a few float32 ulps.
      expect(worst, `array ${a}`).toBeLessThan(1e-5);
    });
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
