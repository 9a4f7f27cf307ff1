/**
 * The run loop on the wasm backend (single-threaded in Node, so deterministic; the JS CPU backend
 * takes minutes per step even at this size) with a tiny resnet18 LinkNet (32x64 input) on the sample dataset:
 * a run paused and resumed from its saved state (in a fresh run object) gives the same losses as
 * one that never stopped; so does a run that hits, in turn, an injected NaN loss (the bad step is
 * not applied), a full store, and a lost device (the backend is re-created and the last save
 * reloaded). Tensor counts stay flat
 * from step to step and across validations. Also storage-quota and bad-data failures, and
 * 'get-weights'.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { defaultModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { paramSpecs } from '../../src/model/shapeWalk';
import { defaultAugmentConfig } from '../../src/training/augment';
import { TfBackendControl } from '../../src/training/backendControl';
import { PairDataError, SamplePairSource } from '../../src/training/pairSource';
import { TrainingRun } from '../../src/training/runLoop';
import { MemoryRunStore } from '../../src/training/runStore';
import type { FromTrainingWorker } from '../../src/worker/trainingProtocol';
import { ofType, sampleData, startRequest, testEnvironment, testSettings, type TestEnvironment } from './support/runFixtures';
import { NO_MORPHOLOGY } from '../../src/postprocess/settings';
import { postprocessFromMetadata } from '../../src/weights/postprocessMetadata';

const DATA = { count: 5, val: 1, frameWidth: 64, frameHeight: 48, inputHeight: 32, inputWidth: 64, seed: 2 };
// 4 train pairs, batch 2: 2 steps per epoch, 4 steps; augmentation on (its random state must resume too).
const SETTINGS = testSettings({ batchSize: 2, epochs: 2, learningRate: 1e-3, augment: defaultAugmentConfig(), seed: 9 });
const TOTAL = 4;

function losses(env: TestEnvironment): Map<number, number> {
  return new Map(ofType(env.messages, 'step').map((m) => [m.report.step, m.report.loss]));
}

/** Runs `action` once, when the step report for `step` is first posted (between steps, like a message would). */
function onStep(env: TestEnvironment, step: number, action: () => void): void {
  const post = env.post;
  let done = false;
  env.post = (m: FromTrainingWorker) => {
    post(m);
    if (!done && m.type === 'step' && m.report.step === step) {
      done = true;
      action();
    }
  };
}

function expectSameLosses(actual: Map<number, number> | [number, number][], expected: Map<number, number>, steps: number[]): void {
  const got = actual instanceof Map ? actual : new Map(actual);
  for (const s of steps) {
    expect(got.get(s), `loss at step ${s}`).toBeDefined();
    expect(got.get(s)!).toBeCloseTo(expected.get(s)!, 5);
  }
}

describe('training run (wasm backend)', () => {
  let straight: TestEnvironment;

  beforeAll(async () => {
    await useWasmBackendInNode();
    straight = testEnvironment();
    const run = await TrainingRun.create(startRequest(sampleData(DATA), SETTINGS), straight);
    await run.start();
    expect(run.currentPhase).toBe('finished');
    run.dispose();
  });

  it('reports every step with its numbers, validates each epoch and keeps the best checkpoint', () => {
    const steps = ofType(straight.messages, 'step').map((m) => m.report);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(steps.map((s) => s.epoch)).toEqual([1, 1, 2, 2]);
    for (const s of steps) {
      expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
      expect(s.terms).toHaveLength(3);
      expect(s.terms.reduce((a, b) => a + b, 0)).toBeCloseTo(s.loss, 4);
      expect(s.gradientNorm).toBeGreaterThan(0);
      expect(s.learningRate).toBe(1e-3);
      expect(s.totalSteps).toBe(TOTAL);
      expect(s.stepsPerEpoch).toBe(2);
      expect(s.msPerStep).toBeGreaterThan(0);
      expect(s.imagesPerSecond).toBeGreaterThan(0);
      expect(s.bytes).toBeGreaterThan(0);
    }
    // Each pair is decoded once: 4 misses in epoch 1, only hits after.
    expect(steps[1].cache.misses).toBe(4);
    expect(steps[3].cache).toMatchObject({ misses: 4, entries: 4 });
    expect(steps[3].cache.hits).toBeGreaterThanOrEqual(4);
    const vals = ofType(straight.messages, 'validation').map((m) => m.report);
    expect(vals.map((v) => v.step)).toEqual([2, 4]);
    for (const v of vals) {
      expect(v.frames).toBe(1);
      expect(v.precision).toHaveLength(3);
      expect(v.previews).toHaveLength(1);
      expect(v.previews[0].rgba.length).toBe(32 * 64 * 4);
    }
    const checkpoints = ofType(straight.messages, 'checkpoint').map((m) => m.info);
    expect(checkpoints[0].step).toBe(2);
    expect(straight.checkpointsSaved[0].metadata.dataset_fingerprint).toBe(sampleData(DATA).fingerprint);
    expect(JSON.parse(straight.checkpointsSaved[0].metadata.settings).batchSize).toBe(2);
    // It carries the thresholds it was scored with, for the viewer's "Model's values".
    expect(postprocessFromMetadata(straight.checkpointsSaved[0].metadata).settings).toEqual({
      car: { threshold: vals[0]!.thresholds.car, morphology: NO_MORPHOLOGY },
      road: { threshold: vals[0]!.thresholds.road, morphology: NO_MORPHOLOGY },
      hood: true,
    });
    // Saved at the start, at the end of epoch 1 and when finished.
    expect(ofType(straight.messages, 'saved').map((m) => m.step)).toEqual([0, 2, 4]);
    // Each says how the run was saved, for the run list: resumable at the start, running, then finished with its best score.
    expect(ofType(straight.messages, 'saved').map((m) => m.phase)).toEqual(['paused', 'running', 'finished']);
    expect(ofType(straight.messages, 'saved').map((m) => m.bestScore)).toEqual([null, checkpoints[0].score, checkpoints[checkpoints.length - 1].score]);
  });

  it('keeps the tensor count flat from step to step and across validations', () => {
    const counts = ofType(straight.messages, 'step').map((m) => m.report.tensors);
    expect(new Set(counts).size).toBe(1);
  });

  it('resumes a paused run in a fresh run object with the same batches, augmentation and Adam moments; answers get-weights', async () => {
    const store = new MemoryRunStore();
    const first = testEnvironment(store);
    const data = sampleData(DATA);
    const run = await TrainingRun.create(startRequest(data, SETTINGS, 'paused-run'), first);
    onStep(first, 1, () => {
      run.requestWeights(7);
      run.pause();
    });
    await run.start();
    expect(run.currentPhase).toBe('paused');
    expect(run.stepsDone).toBe(1);
    const answer = ofType(first.messages, 'weights')[0];
    expect(answer).toMatchObject({ requestId: 7, step: 1 });
    const specs = paramSpecs(answer.config);
    expect(Object.keys(answer.weights).sort()).toEqual(specs.map((s) => s.name).sort());
    for (const s of specs) expect(answer.weights[s.name].length).toBe(s.torchShape.reduce((a, b) => a * b, 1));
    run.dispose();

    const second = testEnvironment(store);
    const resumed = await TrainingRun.fromSaved({ type: 'resume-saved', runId: 'paused-run', data, backend: 'wasm' }, second);
    const history = ofType(second.messages, 'history')[0];
    expect(history.steps.map((s) => s.step)).toEqual([1]);
    await resumed.start();
    expect(resumed.currentPhase).toBe('finished');
    expectSameLosses(losses(first), losses(straight), [1]);
    expectSameLosses(losses(second), losses(straight), [2, 3, 4]);
    resumed.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('starts from given weights, in PyTorch layout or as the page\'s backend holds them (TensorFlow.js layout)', async () => {
    const data = sampleData(DATA);
    const config = { ...defaultModelConfig({ encoder: SETTINGS.encoder, classes: data.scheme.classes.map((c) => c.name) }), input: data.spec };
    const source = LinkNetModel.create(config, 21);
    const torch = await source.readTorchWeights();
    const tfLayout = await source.readTfWeights();
    source.dispose();
    const store = new MemoryRunStore();
    for (const [runId, weights, layout] of [['torch', torch, {}], ['tf', tfLayout, { tfLayout: true as const }]] as const) {
      const req = startRequest(data, SETTINGS, runId);
      req.model = { kind: 'weights', config, weights: Object.fromEntries(weights), encoderOnly: false, label: 'given', ...layout };
      (await TrainingRun.create(req, testEnvironment(store))).dispose();
      const saved = (await store.load(runId))!;
      const differing = [...torch].filter(([name, values]) => !Buffer.from(values.buffer).equals(Buffer.from(saved.weights[name]!.buffer))).map(([name]) => name);
      expect(differing, runId).toEqual([]);
    }
    expect(tf.memory().numTensors).toBe(0);
  });

  it('refuses to resume on other data', async () => {
    const store = new MemoryRunStore();
    const run = await TrainingRun.create(startRequest(sampleData(DATA), SETTINGS, 'r'), testEnvironment(store));
    run.dispose();
    const other = { ...sampleData(DATA), fingerprint: 'something else' };
    await expect(TrainingRun.fromSaved({ type: 'resume-saved', runId: 'r', data: other, backend: 'wasm' }, testEnvironment(store))).rejects.toThrow(/other data/);
  });

  it('survives a NaN loss, a full store and a lost device, each time ending on the losses of the straight run', async () => {
    const env = testEnvironment();
    const control = new TfBackendControl('wasm');
    let recreated = 0;
    env.backend = Object.assign(env.backend, {
      recreate: async () => {
        recreated++;
        await control.recreate();
      },
    });
    const run = await TrainingRun.create(startRequest(sampleData(DATA), SETTINGS, 'faults'), env);
    const failures = () => ofType(env.messages, 'failure');

    // 1. A NaN at step 2: not applied, state saved at step 1, paused.
    onStep(env, 1, () => run.injectFault('nan'));
    await run.start();
    expect(failures()[0]).toMatchObject({ failure: 'nan-loss', recoverable: true });
    expect(failures()[0].message).toMatch(/NaN.* at step 2/);
    expect(run.currentPhase).toBe('paused');
    expect(run.stepsDone).toBe(1);
    const saved = await env.store.load('faults');
    expect(saved!.step).toBe(1);
    for (const v of Object.values(saved!.weights)) expect(v.every(Number.isFinite)).toBe(true);

    // 2. The save at the end of epoch 1 (step 2) finds the store full: paused, nothing lost in memory.
    env.store.failNextSaveWithQuota = true;
    onStep(env, 3, () => run.injectFault('device-lost'));
    await run.resume();
    expect(failures()[1]).toMatchObject({ failure: 'storage-quota', recoverable: true });
    expect(failures()[1].message).toMatch(/storage is full/);
    expect(run.stepsDone).toBe(2);

    // 3. The device is lost at step 4: resume re-creates the backend and reloads the last save (step 1).
    await run.resume();
    expect(failures()[2]).toMatchObject({ failure: 'device-lost', recoverable: true });
    expect(env.backend.lost).toBe(1);
    expect(run.currentPhase).toBe('paused');
    const before = ofType(env.messages, 'step').length;
    await run.resume();
    expect(recreated).toBe(1);
    expect(run.currentPhase).toBe('finished');
    const replayed = ofType(env.messages, 'step').slice(before).map((m) => [m.report.step, m.report.loss] as [number, number]);
    expect(replayed.map(([s]) => s)).toEqual([2, 3, 4]);
    expectSameLosses(replayed, losses(straight), [2, 3, 4]);
    expectSameLosses(ofType(env.messages, 'step').slice(0, before).map((m) => [m.report.step, m.report.loss] as [number, number]), losses(straight), [1, 2, 3]);
    run.dispose();
  });

  it('names the bad file in a data failure', async () => {
    const env = testEnvironment();
    env.sourceFor = (d) => {
      const s = d.source.kind === 'sample' ? new SamplePairSource(d.source.count, d.source.seed, d.source.width, d.source.height) : null;
      return {
        count: s!.count,
        name: (i: number) => `frame-${i}.png`,
        load: async (i: number) => {
          if (i === 2) throw new PairDataError('frame-2.png', 'the PNG is truncated');
          return s!.load(i);
        },
      };
    };
    const run = await TrainingRun.create(startRequest(sampleData(DATA), SETTINGS, 'data-run'), env);
    await run.start();
    const failure = ofType(env.messages, 'failure')[0];
    expect(failure.failure).toBe('data');
    expect(failure.message).toMatch(/frame-2\.png: the PNG is truncated/);
    expect(run.currentPhase).toBe('paused');
    run.dispose();
  });

  it('applies a learning-rate change from the next step, relative to the schedule', async () => {
    const env = testEnvironment();
    const data = { ...sampleData({ ...DATA, count: 7 }) };
    const run = await TrainingRun.create(startRequest(data, { ...SETTINGS, epochs: 1, schedule: 'cosine' }, 'lr-run'), env);
    onStep(env, 1, () => run.setLearningRate(5e-4));
    await run.start();
    const lrs = ofType(env.messages, 'step').map((m) => m.report.learningRate);
    expect(lrs[0]).toBe(1e-3);
    expect(lrs[1]).toBeCloseTo(5e-4, 12);
    // cosine over 3 steps: step 3 of 3 is 0.25 of the base, scaled by 5e-4 / (0.75 * 1e-3).
    expect(lrs[2]).toBeCloseTo(1e-3 * 0.25 * (5e-4 / 7.5e-4), 12);
    run.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });
});
