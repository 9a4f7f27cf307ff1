/**
 * Training on WebGPU in Chromium (SwiftShader here, so tiny shapes): the training worker picks the
 * webgpu backend, and a short run on two sample pairs (one batch, no augmentation, lr 1e-3) shows
 * the loss falling step after step with the tensor count flat.
 */
import { expect, test } from '@playwright/test';

test('a short run trains on WebGPU in the worker: the loss falls, tensors stay flat', async ({ page }) => {
  test.setTimeout(540_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const result = await page.evaluate(async () => {
    const load = (url: string) => import(/* @vite-ignore */ url);
    const { TrainingClient } = (await load('/src/worker/trainingClient.ts')) as typeof import('../src/worker/trainingClient');
    const { CARLA_SCHEME } = (await load('/src/data/labelScheme.ts')) as typeof import('../src/data/labelScheme');
    const { sampleHoodMask } = (await load('/src/data/sample/generateFrame.ts')) as typeof import('../src/data/sample/generateFrame');
    const { defaultLossConfig } = (await load('/src/loss/fbetaLoss.ts')) as typeof import('../src/loss/fbetaLoss');
    const { noAugmentConfig } = (await load('/src/training/augment.ts')) as typeof import('../src/training/augment');
    const { originalInputSpec } = (await load('/src/model/config.ts')) as typeof import('../src/model/config');
    type Message = import('../src/worker/trainingProtocol').FromTrainingWorker;

    const client = new TrainingClient();
    const steps: { loss: number; tensors: number; ms: number }[] = [];
    let backend = '';
    let failure = '';
    const done = new Promise<void>((resolve) => {
      client.onMessage((m: Message) => {
        if (m.type === 'backend') backend = m.info.name;
        if (m.type === 'step') steps.push({ loss: m.report.loss, tensors: m.report.tensors, ms: m.report.msPerStep });
        if (m.type === 'failure') failure = `${m.failure}: ${m.message}`;
        if (m.type === 'phase' && (m.phase === 'finished' || m.phase === 'failed' || m.phase === 'paused')) resolve();
      });
    });
    client.start({
      runId: `webgpu-${Date.now()}`,
      name: 'webgpu run',
      settings: {
        encoder: 'resnet18',
        batchSize: 2,
        epochs: 4,
        learningRate: 1e-3,
        schedule: 'constant',
        loss: defaultLossConfig(),
        augment: noAugmentConfig(),
        seed: 5,
        validateEverySteps: 0,
        saveEverySteps: 0,
        cacheBudgetMiB: 16,
        thresholds: { road: 0.5, car: 0.5 },
      },
      data: {
        source: { kind: 'sample', count: 3, seed: 2, width: 64, height: 48 },
        train: [0, 1],
        val: [2],
        spec: { ...originalInputSpec(), frameWidth: 64, frameHeight: 48, cropTop: 16, cropBottom: 42, inputHeight: 32, inputWidth: 64 },
        scheme: CARLA_SCHEME,
        hood: sampleHoodMask(64, 48),
        fingerprint: 'e2e-webgpu-64x48',
      },
      model: { kind: 'new' },
      backend: 'webgpu',
    });
    await done;
    client.dispose();
    return { backend, steps, failure };
  });
  console.log(`WebGPU (SwiftShader) training: ${result.steps.map((s) => `loss ${s.loss.toFixed(4)} (${s.ms.toFixed(0)} ms, ${s.tensors} tensors)`).join(', ')}`);
  expect(result.failure).toBe('');
  expect(result.backend).toBe('webgpu');
  expect(result.steps).toHaveLength(4);
  const losses = result.steps.map((s) => s.loss);
  // One batch seen again and again: the loss falls at every step, and clearly over the run.
  for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
  expect(losses[3]!).toBeLessThan(losses[0]! - 0.02);
  const tensors = result.steps.map((s) => s.tensors);
  expect(new Set(tensors.slice(1)).size).toBe(1);
  expect(errors).toEqual([]);
});
