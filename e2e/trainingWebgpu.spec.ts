/**
 * Training on WebGPU in Chromium (SwiftShader here, so tiny shapes): the training worker picks the
 * webgpu backend, and a short run on two sample pairs (one batch, no augmentation, lr 1e-3) shows
 * the loss falling step after step with the tensor count flat. Its GPU device is destroyed before
 * the third step (as a driver reset would lose it): the run pauses with 'device-lost', and Resume
 * makes a new device, reloads the state saved after step 2 and goes on, the loss still falling.
 */
import { expect, test } from '@playwright/test';

test('a short run trains on WebGPU in the worker: the loss falls, tensors stay flat, a lost device costs nothing', async ({ page }) => {
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
    const steps: { step: number; loss: number; tensors: number; ms: number }[] = [];
    const backends: string[] = [];
    const failures: string[] = [];
    const logs: string[] = [];
    const done = new Promise<void>((resolve) => {
      client.onMessage((m: Message) => {
        if (m.type === 'backend') backends.push(m.info.name);
        if (m.type === 'log') logs.push(m.text);
        if (m.type === 'step') {
          steps.push({ step: m.report.step, loss: m.report.loss, tensors: m.report.tensors, ms: m.report.msPerStep });
          if (m.report.step === 2) client.injectFault('device-lost');
        }
        if (m.type === 'failure') failures.push(`${m.failure}: ${m.message}`);
        // The lost device pauses the run; Resume goes on, on a new device.
        if (m.type === 'phase' && m.phase === 'paused' && failures.length === 1 && failures[0]!.startsWith('device-lost')) client.resume();
        else if (m.type === 'phase' && (m.phase === 'finished' || m.phase === 'failed' || m.phase === 'paused')) resolve();
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
        saveEverySteps: 1,
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
    return { backends, steps, failures, logs };
  });
  console.log(`WebGPU (SwiftShader) training: ${result.steps.map((s) => `step ${s.step} loss ${s.loss.toFixed(4)} (${s.ms.toFixed(0)} ms, ${s.tensors} tensors)`).join(', ')}`);
  expect(result.failures).toEqual(['device-lost: the GPU device was lost (injected for a test). The run state is kept; resume creates a new device and continues from the last save.']);
  expect(result.backends).toEqual(['webgpu']);
  expect(result.logs).toContain('backend webgpu re-created; continuing from step 2');
  expect(result.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
  const losses = result.steps.map((s) => s.loss);
  // One batch seen again and again: the loss falls at every step, and clearly over the run; across
  // the lost device too (a run started over would be back at the first step's loss).
  for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
  expect(losses[3]!).toBeLessThan(losses[0]! - 0.02);
  const tensors = result.steps.map((s) => s.tensors);
  expect(new Set(tensors.slice(1)).size).toBe(1);
  expect(errors).toEqual([]);
});
