/**
 * The training worker itself in Chromium (no UI): a tiny run on the sample dataset on the wasm
 * backend reports its backend, steps, a validation and a best checkpoint (saved in the browser's
 * model store); paused, the worker closed (as a tab reload would) and the run resumed from
 * IndexedDB in a new worker, it finishes; an injected NaN pauses it with 'nan-loss'; get-weights
 * answers by PyTorch name.
 */
import { expect, test } from '@playwright/test';

test('the training worker trains, saves, resumes from IndexedDB and reports failures', async ({ page }) => {
  test.setTimeout(420_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.text().startsWith('[training]')) console.log(m.text());
  });
  await page.goto('/');
  const result = await page.evaluate(async () => {
    const load = (url: string) => import(/* @vite-ignore */ url);
    const { TrainingClient, savedRuns } = (await load('/src/worker/trainingClient.ts')) as typeof import('../src/worker/trainingClient');
    const { CARLA_SCHEME } = (await load('/src/data/labelScheme.ts')) as typeof import('../src/data/labelScheme');
    const { sampleHoodMask } = (await load('/src/data/sample/generateFrame.ts')) as typeof import('../src/data/sample/generateFrame');
    const { defaultLossConfig } = (await load('/src/loss/fbetaLoss.ts')) as typeof import('../src/loss/fbetaLoss');
    const { noAugmentConfig } = (await load('/src/training/augment.ts')) as typeof import('../src/training/augment');
    const { originalInputSpec } = (await load('/src/model/config.ts')) as typeof import('../src/model/config');
    const { listBrowserModels } = (await load('/src/weights/browserModelStore.ts')) as typeof import('../src/weights/browserModelStore');
    type Message = import('../src/worker/trainingProtocol').FromTrainingWorker;

    const data = {
      source: { kind: 'sample' as const, count: 5, seed: 1, width: 64, height: 48 },
      train: [0, 1, 2, 3],
      val: [4],
      spec: { ...originalInputSpec(), frameWidth: 64, frameHeight: 48, cropTop: 16, cropBottom: 42, inputHeight: 32, inputWidth: 64 },
      scheme: CARLA_SCHEME,
      hood: sampleHoodMask(64, 48),
      fingerprint: 'e2e-sample-64x48',
    };
    const settings = {
      encoder: 'resnet18' as const,
      batchSize: 2,
      epochs: 2,
      learningRate: 1e-3,
      schedule: 'constant' as const,
      loss: defaultLossConfig(),
      augment: noAugmentConfig(),
      seed: 3,
      validateEverySteps: 0,
      saveEverySteps: 0,
      cacheBudgetMiB: 16,
      thresholds: { road: 0.5, car: 0.5 },
    };
    const runId = `e2e-${Date.now()}`;
    const waitFor = (client: InstanceType<typeof TrainingClient>, log: Message[], done: (m: Message) => boolean, ms: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; messages: ${JSON.stringify(log.map((m) => m.type))}`)), ms);
        const off = client.onMessage((m) => {
          if (done(m)) {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
      });

    // First worker: start, pause after step 1, ask for the weights.
    const first = new TrainingClient();
    const log1: Message[] = [];
    const trace = (m: Message) =>
      console.log(`[training] ${m.type} ${m.type === 'phase' ? m.phase : m.type === 'step' ? `${m.report.step} ${m.report.msPerStep.toFixed(0)} ms` : m.type === 'failure' ? m.message : ''}`);
    first.onMessage((m) => {
      trace(m);
      log1.push(m);
      if (m.type === 'step' && m.report.step === 1) first.pause();
    });
    const paused = waitFor(first, log1, (m) => m.type === 'phase' && m.phase === 'paused', 120_000);
    first.start({ runId, name: 'e2e run', settings, data, model: { kind: 'new' }, backend: 'wasm' });
    await paused;
    const weights = await first.getWeights().catch((e: Error) => {
      const events = log1.filter((m) => m.type === 'failure' || m.type === 'phase' || m.type === 'log');
      throw new Error(`${e.message}; messages: ${JSON.stringify(events)}`);
    });
    first.dispose();

    // A new worker (as after a reload): resume from IndexedDB, inject a NaN at the next step, resume, finish.
    const second = new TrainingClient();
    const log2: Message[] = [];
    second.onMessage((m) => {
      trace(m);
      log2.push(m);
    });
    const nanPaused = waitFor(second, log2, (m) => m.type === 'phase' && m.phase === 'paused', 120_000);
    second.resumeSaved({ runId, data, backend: 'wasm' });
    second.injectFault('nan');
    await nanPaused;
    const finished = waitFor(second, log2, (m) => m.type === 'phase' && (m.phase === 'finished' || m.phase === 'failed'), 120_000);
    second.resume();
    await finished;
    second.dispose();

    const runs = await savedRuns.list();
    const models = await listBrowserModels();
    const pick = (log: Message[]) =>
      log.map((m) =>
        m.type === 'step'
          ? { type: m.type, step: m.report.step, loss: m.report.loss, tensors: m.report.tensors }
          : m.type === 'validation'
            ? { type: m.type, step: m.report.step, score: m.report.score, previews: m.report.previews.length }
            : m.type === 'weights'
              ? { type: m.type }
              : m.type === 'history'
                ? { type: m.type, steps: m.steps.length }
                : m,
      );
    return {
      log1: pick(log1),
      log2: pick(log2),
      weightNames: Object.keys(weights.weights).length,
      firstconv: weights.weights['firstconv.weight']?.length ?? 0,
      weightsStep: weights.step,
      run: runs.find((r) => r.runId === runId) ?? null,
      checkpoint: models.find((m) => m.name === 'e2e run (best)') ?? null,
    };
  });
  console.log(JSON.stringify(result.log1));
  console.log(JSON.stringify(result.log2));

  const backend = result.log1.find((m) => m.type === 'backend') as { info: { name: string } } | undefined;
  expect(backend?.info.name).toBe('wasm');
  // The pause lands between steps: after step 1, or after step 2 when step 2 began before it arrived.
  const steps1 = result.log1.filter((m) => m.type === 'step') as { step: number; loss: number }[];
  const pausedAt = steps1.length;
  expect(steps1.map((s) => s.step)).toEqual(Array.from({ length: pausedAt }, (_, i) => i + 1));
  expect(pausedAt).toBeLessThanOrEqual(2);
  expect(result.weightsStep).toBe(pausedAt);
  expect(result.firstconv).toBe(64 * 3 * 7 * 7);
  expect(result.weightNames).toBeGreaterThan(100);

  const history = result.log2.find((m) => m.type === 'history') as { steps: number } | undefined;
  expect(history?.steps).toBe(pausedAt);
  const failure = result.log2.find((m) => m.type === 'failure') as { failure: string } | undefined;
  expect(failure?.failure).toBe('nan-loss');
  const steps2 = result.log2.filter((m) => m.type === 'step') as { step: number; loss: number; tensors: number }[];
  expect(steps2.map((s) => s.step)).toEqual([2, 3, 4].slice(pausedAt - 1));
  expect(steps2.every((s) => Number.isFinite(s.loss))).toBe(true);
  expect(new Set(steps2.map((s) => s.tensors)).size).toBe(1);
  expect(result.log2.filter((m) => m.type === 'validation').length).toBe(pausedAt === 1 ? 2 : 1);
  expect([...result.log1, ...result.log2].some((m) => m.type === 'checkpoint')).toBe(true);
  expect(result.run).toMatchObject({ step: 4, phase: 'finished' });
  expect(result.checkpoint).not.toBeNull();
  expect(errors).toEqual([]);
});
