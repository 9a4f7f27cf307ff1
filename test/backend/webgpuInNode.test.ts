/**
 * TensorFlow.js's WebGPU backend in Node through Dawn (what `npm run bench -- --node-backends
 * webgpu` runs, on a GPU machine too), here on Chromium's SwiftShader Vulkan driver.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWebgpuBackendInNode } from '../../src/backend/webgpuInNode';
import { isWebgpuKernelRegistered, registerWebgpuKernels, unregisterWebgpuKernels, WEBGPU_KERNEL_NAMES } from '../../src/backend/webgpuKernels';
import { defaultModelConfig, originalInputSpec, type InputSpec } from '../../src/model/config';
import { FoldedLinkNet } from '../../src/model/foldedLinkNet';
import { LinkNetModel } from '../../src/model/linkNetModel';
import type { BatchNormStats } from '../../src/model/tensorOps';
import { runNodeFrameJob } from '../../bench/core/nodeFrame';
import { END_TO_END_SETTINGS, END_TO_END_VIEW } from '../../bench/core/frameJob';
import { ViewerEngine } from '../../src/viewer/engine';
import { ONE_HOT_CLASSES_KERNEL, oneHotTargets, oneHotValues } from '../../src/training/oneHotTargets';
import { AdamOptimizer } from '../../src/training/adamOptimizer';
import { ADAM_UPDATE_KERNEL } from '../../src/training/adamUpdate';
import { BATCH_NORM_BACKWARD_KERNEL, BATCH_NORM_FORWARD_KERNEL, batchNormReluFusable, batchNormReluTraining, batchNormTraining } from '../../src/model/batchNormTraining';
import { RUNNING_AVERAGE_KERNEL } from '../../src/model/runningAverage';
import { ADD_SQUARED_NORM_KERNEL, squaredNorm } from '../../src/training/gradientNorm';
import { squaredNormWorkgroups } from '../../src/backend/webgpuKernels/squaredNorm';
import { RELU_GRAD_KERNEL, reluTraining } from '../../src/model/reluTraining';
import { backendConvertsFrames, FRAME_PIXELS_KERNEL, framePixelsAttrs, pixelsOnBackend, uploadFrameBytes } from '../../src/inference/framePixelsKernel';
import { framesToInput, writeRgbFloats } from '../../src/inference/frameInput';
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

  it('Sum and Mean over leading axes (one pass and sliced) and their uses in batch-norm moments and gradients follow the cpu backend', async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
      { shape: [2, 16, 32, 8], axis: [0, 1, 2], keepDims: false }, // sliced: 1024 rows
      { shape: [2, 16, 32, 3], axis: [0, 1, 2], keepDims: true }, // the loss's per-class sums
      { shape: [3, 7, 40], axis: 0, keepDims: false }, // one slice
      { shape: [5, 6, 7], axis: [-1], keepDims: false }, // inner axis: the built-in
    ];
    const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 0.37) * 2 + 0.5);
    const run = async () => {
      const out: Float32Array[] = [];
      for (const [i, c] of cases.entries()) {
        const x = tf.tensor(values(c.shape.reduce((a, b) => a * b, 1), i), c.shape);
        for (const r of [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)]) {
          out.push((await r.data()) as Float32Array);
          r.dispose();
        }
        // Batch-norm statistics and their gradient with respect to the input.
        const grad = tf.grad((t: tf.Tensor) => {
          const { mean, variance } = tf.moments(t, [0], true);
          return t.sub(mean).div(variance.add(1e-5).sqrt()).square().mul(t).sum();
        })(x);
        out.push((await grad.data()) as Float32Array);
        tf.dispose([x, grad]);
      }
      return out;
    };
    await useWebgpuBackendInNode();
    // The benchmark switches a few kernels at a time: by name, the others untouched.
    expect(unregisterWebgpuKernels(['Sum', 'Mean'])).toEqual(['Sum', 'Mean']);
    expect(isWebgpuKernelRegistered('Sum') || isWebgpuKernelRegistered('Mean')).toBe(false);
    expect(tf.getKernel('Sum', 'webgpu')).toBeDefined();
    expect(isWebgpuKernelRegistered('Softmax')).toBe(true);
    expect(registerWebgpuKernels(['Mean', 'Sum'])).toEqual(['Sum', 'Mean']);
    expect(() => registerWebgpuKernels(['Summ'])).toThrow(/no studio WebGPU kernel named Summ/);
    const before = tf.memory().numTensors;
    const gpu = await run();
    expect(tf.memory().numTensors).toBe(before);
    const compiled = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
    expect(compiled.some((k) => k.startsWith('studioColumnSlices'))).toBe(true);
    expect(compiled.some((k) => k.startsWith('studioSliceTotals'))).toBe(true);
    await tf.setBackend('cpu');
    const cpu = await run();
    expect(gpu.map((g) => g.length)).toEqual(cpu.map((c) => c.length));
    gpu.forEach((g, a) => {
      const scale = Math.max(...cpu[a].map(Math.abs));
      const worst = Math.max(...g.map((v, i) => Math.abs(v - cpu[a][i])));
      expect(worst / scale, `result ${a}`).toBeLessThan(1e-5);
    });
  }, 240_000);

  it('Add, Sub and Multiply with a per-channel vector (either side) follow the cpu backend; other broadcasts stay with the built-in', async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.cos(seed * 131 + i * 0.71) * 3);
    const pairs: Array<[number[], number[]]> = [
      [[2, 6, 10, 16], [16]],
      [[5], [3, 4, 5]],
      [[2, 3, 7], [1, 1, 7]],
      [[8], [3, 2, 8]],
      [[4, 6], [4, 1]], // not a channel vector: the built-in
    ];
    const run = async () => {
      const out: Float32Array[] = [];
      for (const [i, [sa, sb]] of pairs.entries()) {
        const a = tf.tensor(values(sa.reduce((x, y) => x * y, 1), i), sa);
        const b = tf.tensor(values(sb.reduce((x, y) => x * y, 1), i + 10), sb);
        for (const r of [tf.add(a, b), tf.sub(a, b), tf.mul(a, b)]) {
          out.push((await r.data()) as Float32Array);
          r.dispose();
        }
        tf.dispose([a, b]);
      }
      return out;
    };
    await useWebgpuBackendInNode();
    const gpu = await run();
    const compiled = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
    // _4: vec4 (C a multiple of 4), _1: one element per thread.
    for (const key of ['Add_fc_4', 'Sub_fc_4', 'Sub_cf_1', 'Multiply_cf_1', 'Multiply_fc_1', 'Sub_cf_4']) {
      expect(compiled.some((k) => k.startsWith(`studioChannelBroadcast_${key}`)), key).toBe(true);
    }
    await tf.setBackend('cpu');
    const cpu = await run();
    gpu.forEach((g, i) => expect(Array.from(g), `result ${i}`).toEqual(Array.from(cpu[i])));
  }, 240_000);

  it('StudioBatchNormForward/Backward: training BatchNorm in two kernels gives the cpu backend\'s y, statistics and gradients (sliced and one-pass columns, vec4 and scalar)', async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    const shapes: Array<[number, number, number, number]> = [
      [2, 16, 32, 8], // 1024 rows: sliced columns, vec4
      [1, 3, 5, 6], // 15 rows: one pass, one element per thread
      [2, 8, 8, 3],
    ];
    const values = (n: number, seed: number, offset: number, spread: number) => Float32Array.from({ length: n }, (_, i) => offset + Math.sin(seed * 7919 + i * 0.37) * spread);
    const run = async () => {
      const out: Float32Array[][] = [];
      const kernels: string[][] = [];
      for (const [k, shape] of shapes.entries()) {
        const c = shape[3];
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor4d(values(size, k, 3, 2), shape);
        const gamma = tf.tensor1d(values(c, k + 1, 1, 0.5));
        const beta = tf.tensor1d(values(c, k + 2, 0, 1));
        const weights = tf.tensor4d(values(size, k + 3, 0, 1), shape);
        const before = tf.memory().numTensors;
        let forward: tf.Tensor[] = [];
        let gradients: tf.Tensor[] = [];
        const profile = await tf.profile(() => {
          const { value, grads } = tf.valueAndGrads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
            const r = batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
            forward = [r.mean, r.variance, tf.keep(r.y)];
            return tf.sum(tf.mul(tf.square(r.y), weights)) as tf.Scalar;
          })([x, gamma, beta]);
          value.dispose();
          gradients = grads;
        });
        const results = await Promise.all([...forward, ...gradients].map(async (t) => Float32Array.from(await t.data())));
        tf.dispose([...forward, ...gradients]);
        expect(tf.memory().numTensors).toBe(before);
        kernels.push(profile.kernels.map((p) => p.name));
        out.push(results);
        tf.dispose([x, gamma, beta, weights]);
      }
      return { out, kernels };
    };
    await useWebgpuBackendInNode();
    const fused = await run();
    for (const names of fused.kernels) {
      expect(names.filter((n) => n === BATCH_NORM_FORWARD_KERNEL)).toHaveLength(1);
      expect(names.filter((n) => n === BATCH_NORM_BACKWARD_KERNEL)).toHaveLength(1);
    }
    const compiled = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
    for (const key of ['studioBatchNorm_normalize_4', 'studioBatchNorm_inputGradient_1', 'studioColumnSlices_centeredProduct_partial', 'studioSliceTotals_inverseStd', 'studioColumnSlices_centeredSquare_divide']) {
      expect(compiled.some((k) => k.startsWith(key)), key).toBe(true);
    }
    // Unregistered, the same closed form runs as ops (the benchmark's "before").
    expect(unregisterWebgpuKernels([BATCH_NORM_FORWARD_KERNEL, BATCH_NORM_BACKWARD_KERNEL])).toHaveLength(2);
    const ops = await run();
    for (const names of ops.kernels) expect(names.some((n) => n.startsWith('StudioBatchNorm'))).toBe(false);
    registerWebgpuKernels();
    await tf.setBackend('cpu');
    const cpu = await run();
    const what = ['mean', 'variance', 'y', 'dx', 'dgamma', 'dbeta'];
    for (const [name, got] of [['kernels', fused.out], ['ops on webgpu', ops.out]] as const) {
      got.forEach((results, k) =>
        results.forEach((r, j) => {
          const want = cpu.out[k][j];
          expect(r.length).toBe(want.length);
          const scale = Math.max(...want.map(Math.abs));
          const worst = Math.max(...r.map((v, i) => Math.abs(v - want[i])));
          expect(worst / scale, `${name}: ${shapes[k].join('x')} ${what[j]}`).toBeLessThan(1e-5);
        }),
      );
    }
  }, 240_000);

  it("BatchNorm + ReLU in one StudioBatchNormForward (the ReLU in its last pass; the gradient masked by y > 0) gives the cpu backend's relu(BatchNorm) values, statistics and gradients", async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    // vec4 (C = 8) and scalar (C = 3) passes; about half the values below zero after the shift.
    const shapes: [number, number, number, number][] = [[2, 5, 6, 8], [1, 7, 5, 3]];
    const run = async (fused: boolean) => {
      const out: Float32Array[][] = [];
      const kernels: string[] = [];
      for (const [k, shape] of shapes.entries()) {
        const c = shape[3];
        const n = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor4d(Float32Array.from({ length: n }, (_, i) => Math.sin(k * 7 + i * 0.61) * 3 + 0.5), shape);
        const gamma = tf.tensor1d(Float32Array.from({ length: c }, (_, i) => 0.5 + i * 0.3));
        const beta = tf.tensor1d(Float32Array.from({ length: c }, (_, i) => (i % 2 ? 0.2 : -0.3)));
        const dy = tf.tensor4d(Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.37)), shape);
        let stats: tf.Tensor[] = [];
        let y: tf.Tensor | null = null;
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const r = fused
            ? batchNormReluTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5)
            : (({ y: yy, ...rest }) => ({ y: tf.relu(yy), ...rest }))(batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5));
          stats = [r.mean, r.variance];
          y = tf.keep(r.y);
          return tf.sum(tf.mul(r.y, dy));
        };
        let grads: tf.Tensor[] = [];
        const profile = await tf.profile(() => void (grads = tf.grads(f)([x, gamma, beta])));
        kernels.push(...profile.kernels.map((p) => p.name));
        out.push(await Promise.all([y!, ...stats, ...grads].map(async (t) => Float32Array.from(await t.data()))));
        tf.dispose([x, gamma, beta, dy, y!, ...stats, ...grads]);
      }
      return { out, kernels };
    };
    await useWebgpuBackendInNode();
    const fusable = (dtype: 'float32' | 'int32') => tf.tidy(() => batchNormReluFusable(tf.zeros([1, 1, 1, 1], dtype)));
    expect(fusable('float32')).toBe(true);
    expect(fusable('int32')).toBe(false);
    const gpu = await run(true);
    expect(gpu.kernels.filter((k) => k === BATCH_NORM_FORWARD_KERNEL)).toHaveLength(shapes.length);
    expect(gpu.kernels, 'no separate ReLU in the forward pass').not.toContain('Relu');
    expect(gpu.kernels.filter((k) => k === RELU_GRAD_KERNEL)).toHaveLength(shapes.length);
    const compiled = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
    for (const key of ['studioBatchNorm_normalizeRelu_4', 'studioBatchNorm_normalizeRelu_1']) expect(compiled.some((k) => k.startsWith(key)), key).toBe(true);
    await tf.setBackend('cpu');
    expect(fusable('float32')).toBe(false);
    const cpu = await run(false);
    const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
    gpu.out.forEach((tensors, s) =>
      tensors.forEach((values, t) => {
        const ref = cpu.out[s]![t]!;
        const scale = Math.max(...Array.from(ref, Math.abs), 1e-3);
        let worst = 0;
        values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]!))));
        expect(worst / scale, `${shapes[s]!.join('x')} ${names[t]}`).toBeLessThan(2e-5);
      }),
    );
    // ReLU really cut: some outputs are exactly zero, and their gradients did not pass.
    expect(Array.from(gpu.out[0]![0]!).filter((v) => v === 0).length).toBeGreaterThan(10);
  }, 240_000);

  it("StudioRunningAverage: a training step's running-statistics update is one kernel per statistic and equals the cpu backend's", async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    const config = defaultModelConfig({ encoder: 'resnet18' });
    const run = async () => {
      const model = LinkNetModel.create(config, 5);
      // Batch statistics of every BatchNorm layer as a forward pass would report them (the same on both backends).
      const stats: BatchNormStats[] = model.specs
        .filter((p) => p.role === 'bn-weight')
        .map((p, k) => ({
          name: p.name.replace(/\.weight$/, ''),
          mean: tf.tensor1d(Float32Array.from({ length: p.torchShape[0] }, (_, i) => Math.sin(k * 31 + i) * 2)),
          variance: tf.tensor1d(Float32Array.from({ length: p.torchShape[0] }, (_, i) => 1.5 + Math.cos(k * 17 + i))),
          count: 2 * 16 * 16,
        }));
      const profile = await tf.profile(() => model.applyBatchStats(stats));
      const weights = await model.readTorchWeights();
      model.dispose();
      const running = [...weights].filter(([name]) => /running_(mean|var)$/.test(name));
      return { kernels: profile.kernels.map((k) => k.name), running, layers: stats.length };
    };
    await useWebgpuBackendInNode();
    const gpu = await run();
    expect(gpu.kernels).toEqual(Array.from({ length: 2 * gpu.layers }, () => RUNNING_AVERAGE_KERNEL));
    await tf.setBackend('cpu');
    const cpu = await run();
    expect(cpu.kernels.length).toBe(7 * cpu.layers);
    expect(gpu.running.map(([name]) => name)).toEqual(cpu.running.map(([name]) => name));
    gpu.running.forEach(([name, values], k) => {
      const want = cpu.running[k][1];
      const worst = Math.max(...values.map((v, i) => Math.abs(v - want[i]) / Math.max(Math.abs(want[i]), 1e-3)));
      expect(worst, name).toBeLessThan(1e-6);
    });
  }, 240_000);

  it('StudioAddSquaredNorm: the squared norm of many tensors is one kernel call per tensor and equals the cpu backend\'s; NaN and Infinity come through', async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    // Sizes below, at and far above one workgroup's 256 threads, not multiples of it, and past one
    // workgroup's 256K values (spread over several, then summed: 600x1000 over 3).
    const shapes = [[1], [255], [16, 16], [3, 3, 64, 64], [1001], [600, 1000], [7, 3]];
    const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 977 + i * 0.61) * (seed + 1));
    const run = async (poison?: number) => {
      const tensors = shapes.map((s, k) => {
        const v = values(s.reduce((a, b) => a * b, 1), k);
        if (poison !== undefined && k === 3) v[1234] = poison;
        return tf.tensor(v, s);
      });
      const before = tf.memory().numTensors;
      let total: tf.Scalar | null = null;
      const profile = await tf.profile(() => void (total = squaredNorm(tensors)));
      const value = (await total!.data())[0];
      total!.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(tensors);
      return { value, kernels: profile.kernels.map((k) => k.name).filter((n) => n === ADD_SQUARED_NORM_KERNEL).length };
    };
    await useWebgpuBackendInNode();
    const gpu = await run();
    const gpuNaN = await run(Number.NaN);
    const gpuInf = await run(Number.NEGATIVE_INFINITY);
    const compiled = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
    for (const key of ['studioSquaredNorm_squares_total', 'studioSquaredNorm_values_alone']) expect(compiled.some((k) => k.startsWith(key)), key).toBe(true);
    await tf.setBackend('cpu');
    const cpu = await run();
    expect(gpu.kernels).toBe(shapes.length);
    expect(shapes.map((s) => squaredNormWorkgroups(s.reduce((a, b) => a * b, 1)))).toEqual([1, 1, 1, 1, 1, 3, 1]);

    expect(cpu.kernels).toBe(0);
    expect(Math.abs(gpu.value - cpu.value) / cpu.value).toBeLessThan(1e-5);
    expect(gpuNaN.value).toBeNaN();
    expect(gpuInf.value).toBe(Number.POSITIVE_INFINITY);
  }, 240_000);

  it("StudioReluGrad: ReLU's gradient in one pass (vec4 and scalar) equals the cpu backend's value for value", async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    const shapes = [[2, 8, 8, 16], [3, 5, 7]];
    const run = async () => {
      const out: Float32Array[] = [];
      const kernels: string[] = [];
      for (const [k, shape] of shapes.entries()) {
        const n = shape.reduce((a, b) => a * b, 1);
        // Every fourth value exactly 0 (its gradient is 0), the rest of both signs.
        const x = tf.tensor(Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : Math.sin(k * 13 + i * 0.7))), shape);
        const dy = tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.3) * 2), shape);
        let grad: tf.Tensor | null = null;
        const profile = await tf.profile(() => void (grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reluTraining(a), dy)))(x)));
        kernels.push(...profile.kernels.map((p) => p.name));
        out.push(Float32Array.from(await grad!.data()));
        tf.dispose([x, dy, grad!]);
      }
      return { out, kernels };
    };
    await useWebgpuBackendInNode();
    const gpu = await run();
    expect(gpu.kernels.filter((n) => n === RELU_GRAD_KERNEL)).toHaveLength(shapes.length);
    expect(gpu.kernels).not.toContain('Step');
    const compiled = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
    for (const key of ['studioReluGrad_4', 'studioReluGrad_1']) expect(compiled.some((k) => k.startsWith(key)), key).toBe(true);
    await tf.setBackend('cpu');
    const cpu = await run();
    expect(cpu.kernels).toContain('Step');
    // Equal values; the sign of a zero may differ (dy * 0 is -0 where dy < 0), which no update sees.
    const unsigned = (a: Float32Array) => Array.from(a, (v) => v + 0);
    gpu.out.forEach((g, i) => expect(unsigned(g), shapes[i].join('x')).toEqual(unsigned(cpu.out[i])));
  }, 240_000);

  it('StudioFramePixels: frames uploaded as bytes and converted on the device equal the JavaScript conversion (crop, channel order, normalisation, 3 and 4 channels, a batch whose bytes end mid-word)', async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    await useWebgpuBackendInNode();
    expect(backendConvertsFrames()).toBe(true);
    // Every byte value, 255 in the top byte of words too (a negative int32).
    const frameOf = (width: number, height: number, channels: number, seed: number) => ({
      data: Uint8ClampedArray.from({ length: width * height * channels }, (_, i) => (i * 97 + seed * 31 + ((i * i) >> 3)) % 256),
      width,
      height,
      channels,
    });
    const reference = (frames: ReturnType<typeof frameOf>[], rowStart: number, rows: number, spec?: InputSpec) => {
      const perFrame = rows * frames[0]!.width;
      const out = new Float32Array(frames.length * perFrame * 3);
      frames.forEach((f, n) => writeRgbFloats(f, rowStart * f.width, perFrame, out, n * perFrame * 3, spec));
      return out;
    };
    const spec: InputSpec = { ...originalInputSpec(), channelOrder: 'bgr', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], frameWidth: 7, frameHeight: 5, cropTop: 1, cropBottom: 4, inputHeight: 3, inputWidth: 7 };
    const cases = [
      { name: 'RGBA frame, rows 1-4, BGR, normalised (framesToInput)', frames: [frameOf(7, 5, 4, 1)], rowStart: 1, rows: 3, spec },
      { name: 'two RGB frames of 63 bytes, RGB, normalised', frames: [frameOf(7, 3, 3, 2), frameOf(7, 3, 3, 3)], rowStart: 0, rows: 3, spec: { ...spec, channelOrder: 'rgb' as const } },
      { name: 'RGBA frame, all rows, the byte values', frames: [frameOf(5, 4, 4, 4)], rowStart: 0, rows: 4, spec: undefined },
      { name: 'RGB frame, last row, the byte values', frames: [frameOf(3, 3, 3, 5)], rowStart: 2, rows: 1, spec: undefined },
      { name: 'three RGBA frames, rows 1-3 of each, normalised', frames: [frameOf(5, 4, 4, 6), frameOf(5, 4, 4, 7), frameOf(5, 4, 4, 8)], rowStart: 1, rows: 2, spec },
      { name: 'two RGB frames, row 2 of each, the byte values', frames: [frameOf(3, 4, 3, 9), frameOf(3, 4, 3, 10)], rowStart: 2, rows: 1, spec: undefined },
    ];
    const before = tf.memory().numTensors;
    for (const c of cases) {
      const want = reference(c.frames, c.rowStart, c.rows, c.spec);
      let got: Float32Array;
      let kernels: string[] = [];
      if (c.name.includes('framesToInput')) {
        let x: tf.Tensor | null = null;
        kernels = (await tf.profile(() => void (x = framesToInput(c.frames, c.spec!)))).kernels.map((k) => k.name);
        expect(x!.shape).toEqual([1, 3, 7, 3]);
        got = Float32Array.from(await x!.data());
        x!.dispose();
      } else {
        const packed = uploadFrameBytes(c.frames);
        expect(packed.size, c.name).toBe(Math.ceil(c.frames.reduce((n, f) => n + f.data.length, 0) / 4));
        const x = pixelsOnBackend(packed, framePixelsAttrs(c.frames[0]!, c.frames.length, c.rowStart, c.rows, c.spec));
        expect(x.shape, c.name).toEqual([c.frames.length, c.rows, c.frames[0]!.width, 3]);
        got = Float32Array.from(await x.data());
        tf.dispose([packed, x]);
      }
      if (kernels.length) expect(kernels).toEqual([FRAME_PIXELS_KERNEL]);
      expect(got.length, c.name).toBe(want.length);
      let worst = 0;
      got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]!))));
      // The same float32 steps; WGSL's division may be a rounding off.
      expect(worst, c.name).toBeLessThanOrEqual(c.spec ? 5e-7 : 0);
    }
    expect(tf.memory().numTensors).toBe(before);
    // Unregistered, framesToInput converts in JavaScript again.
    unregisterWebgpuKernels([FRAME_PIXELS_KERNEL]);
    try {
      expect(backendConvertsFrames()).toBe(false);
      let x: tf.Tensor | null = null;
      const profile = await tf.profile(() => void (x = framesToInput(cases[0]!.frames, spec)));
      expect(profile.kernels.map((k) => k.name)).not.toContain(FRAME_PIXELS_KERNEL);
      x!.dispose();
    } finally {
      registerWebgpuKernels([FRAME_PIXELS_KERNEL]);
    }
  }, 240_000);

  it('StudioOneHotClasses: training targets from class bytes on the device equal the JavaScript one-hot values (3 and 5 classes, counts that end mid-word)', async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    await useWebgpuBackendInNode();
    const before = tf.memory().numTensors;
    for (const [n, h, w, c] of [[2, 3, 5, 3], [1, 4, 4, 5], [3, 1, 1, 3]] as const) {
      const classes = Uint8Array.from({ length: n * h * w }, (_, i) => (i * 7 + (i >> 2)) % c);
      let t: tf.Tensor | null = null;
      const kernels = (await tf.profile(() => void (t = oneHotTargets(classes, [n, h, w], c)))).kernels.map((k) => k.name);
      expect(kernels).toContain(ONE_HOT_CLASSES_KERNEL);
      expect(t!.shape).toEqual([n, h, w, c]);
      expect(Array.from(await t!.data()), `${n}x${h}x${w}x${c}`).toEqual(Array.from(oneHotValues(classes, c)));
      t!.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);

  it("the viewer engine's frame with StudioFramePixels (one upload of the frame's bytes for the input and the pixels) gives the probabilities and the overlay of the JavaScript conversion", async () => {
    process.env.VK_ICD_FILENAMES = manifest!;
    await useWebgpuBackendInNode();
    // A 64x48 RGBA frame, rows 8-40 cropped and run as is (BGR, /255, ImageNet mean and std).
    const input = { ...originalInputSpec(), mean: [0.485, 0.456, 0.406] as [number, number, number], std: [0.229, 0.224, 0.225] as [number, number, number], frameWidth: 64, frameHeight: 48, cropTop: 8, cropBottom: 40, inputHeight: 32, inputWidth: 64 };
    const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18', input }), 5);
    const frame = { data: Uint8ClampedArray.from({ length: 64 * 48 * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37 + (i >> 8) * 11) % 256)), width: 64, height: 48, channels: 4 };
    const runFrame = async () => {
      const engine = new ViewerEngine();
      try {
        await engine.infer(model, frame, 'frame'); // folds the model (first frame)
        const profile = await tf.profile(async () => void (await engine.infer(model, frame, 'frame')));
        await engine.render(END_TO_END_SETTINGS, null, END_TO_END_VIEW, null);
        return { kernels: profile.kernels.map((k) => k.name), probs: (await engine.readProbabilities()).values, image: (await engine.readOverlay()).rgba };
      } finally {
        engine.dispose();
      }
    };
    const onDevice = await runFrame();
    expect(onDevice.kernels.filter((k) => k === FRAME_PIXELS_KERNEL), 'the network input and the frame, from one upload').toHaveLength(2);
    unregisterWebgpuKernels([FRAME_PIXELS_KERNEL]);
    let inJavaScript: Awaited<ReturnType<typeof runFrame>>;
    try {
      inJavaScript = await runFrame();
    } finally {
      registerWebgpuKernels([FRAME_PIXELS_KERNEL]);
      model.dispose();
    }
    expect(inJavaScript.kernels).not.toContain(FRAME_PIXELS_KERNEL);
    let worst = 0;
    onDevice.probs.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - inJavaScript.probs[i]!))));
    expect(worst).toBeLessThan(1e-5);
    expect(onDevice.image.length).toBe(64 * 48 * 4);
    expect(Array.from(onDevice.image)).toEqual(Array.from(inJavaScript.image));
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
