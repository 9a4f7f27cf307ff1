import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deriveDataset } from '../../src/data/datasetModel';
import { CARLA_SCHEME } from '../../src/data/labelScheme';
import { useDatasetStore } from '../../src/state/datasetStore';
import { defaultAugmentConfig } from '../../src/training/augment';
import { defaultTrainingSettings, failureAdvice, liveHistory, useTrainingStore } from '../../src/state/trainingStore';
import type { SavedRun } from '../../src/ui/training/engine';
import { useViewerStore } from '../../src/state/viewerStore';
import { savedModelIndex } from '../../src/weights/browserModelStore';
import type { StepReport, ValidationReport } from '../../src/worker/trainingProtocol';

function step(n: number, loss: number): StepReport {
  return {
    step: n, epoch: 1, stepsPerEpoch: 10, totalSteps: 100, loss, terms: [0.2, 0.3, 0.5], bce: null, learningRate: 1e-4, msPerStep: 250, imagesPerSecond: 8, dataWaitMs: 3, tensors: 400, bytes: 2e8,
    cache: { entries: 4, bytes: 1e6, budgetBytes: 5e8, hits: 3, misses: 4 },
  };
}

function validation(n: number, score: number): ValidationReport {
  return { step: n, epoch: 1, frames: 2, fRoad: score, fCar: score, score, precision: [0.9, 0.8, 0.4], recall: [0.9, 0.7, 0.6], thresholds: { road: 0.5, car: 0.5 }, previews: [{ index: 22, name: 'frame_022', width: 2, height: 1, rgba: new Uint8ClampedArray(8) }] };
}

describe('training settings', () => {
  it("default to the original's run", () => {
    const s = defaultTrainingSettings();
    expect([s.encoder, s.batchSize, s.epochs, s.learningRate, s.schedule]).toEqual(['resnet34', 16, 105, 1e-4, 'step']);
    expect(s.loss.terms.map((t) => t.beta)).toEqual([1, 0.5, 2]);
    expect(s.loss.terms.map((t) => t.weight)).toEqual([1, 1, 1]);
    expect(s.loss.bceWeight).toBe(0);
    expect(s.augment).toEqual(defaultAugmentConfig());
  });

  it('failure advice says what to do', () => {
    expect(failureAdvice('out-of-memory')).toMatch(/batch size/);
    expect(failureAdvice('device-lost')).toMatch(/Resume/);
    expect(failureAdvice('nan-loss')).toMatch(/checkpoint/);
    expect(failureAdvice('storage-quota')).toMatch(/Delete/);
  });
});

describe('loss terms', () => {
  it("follow the label scheme's classes: one added gets an F1 term, one removed loses its term", async () => {
    await Promise.resolve();
    const betas = () => useTrainingStore.getState().settings.loss.terms.map((t) => t.beta);
    expect(betas()).toEqual([1, 0.5, 2]);
    const pedestrian = { name: 'pedestrian', color: [220, 20, 60] as [number, number, number], values: [4] };
    useDatasetStore.getState().setScheme({ ...CARLA_SCHEME, classes: [...CARLA_SCHEME.classes, pedestrian] });
    expect(betas()).toEqual([1, 0.5, 2, 1]);
    useTrainingStore.getState().setSettings({ loss: { ...useTrainingStore.getState().settings.loss, terms: [{ beta: 1, weight: 1 }, { beta: 0.75, weight: 2 }, { beta: 2, weight: 1 }, { beta: 3, weight: 1 }] } });
    useDatasetStore.getState().setScheme({ ...CARLA_SCHEME, classes: CARLA_SCHEME.classes.slice(0, 2) });
    expect(useTrainingStore.getState().settings.loss.terms).toEqual([{ beta: 1, weight: 1 }, { beta: 0.75, weight: 2 }]);
    useDatasetStore.getState().setScheme(CARLA_SCHEME);
    expect(betas()).toEqual([1, 0.75, 1]);
    useTrainingStore.getState().resetSettings();
  });
});

describe('validation thresholds', () => {
  it("are the viewer's: the training form moves the viewer's sliders and the sliders move the form", () => {
    const viewer = useViewerStore.getState();
    expect(useTrainingStore.getState().settings.thresholds).toEqual({ road: viewer.settings.road.threshold, car: viewer.settings.car.threshold });
    useTrainingStore.getState().setThresholds({ road: 0.3 });
    expect(useViewerStore.getState().settings.road.threshold).toBe(0.3);
    expect(useTrainingStore.getState().settings.thresholds.road).toBe(0.3);
    useViewerStore.getState().setThreshold('car', 0.02);
    expect(useTrainingStore.getState().settings.thresholds.car).toBe(0.02);
    useTrainingStore.getState().setThresholds({ car: 1.5 });
    expect(useViewerStore.getState().settings.car.threshold).toBe(0.02);
  });
});

describe('worker messages', () => {
  beforeEach(() => {
    liveHistory.clear();
    useTrainingStore.setState({ phase: 'idle', latest: null, checkpoints: [], best: null, failure: null, validations: 0, previews: [], lastValidation: null });
  });

  it('steps go into the history, the latest report and the phase', () => {
    const { receive } = useTrainingStore.getState();
    receive({ type: 'phase', phase: 'running', runId: 'r1' });
    receive({ type: 'step', report: step(1, 2.5) });
    receive({ type: 'step', report: step(2, 2.2) });
    const s = useTrainingStore.getState();
    expect(s.phase).toBe('running');
    expect(s.runId).toBe('r1');
    expect(s.latest?.step).toBe(2);
    expect(liveHistory.steps).toEqual([1, 2]);
    expect(liveHistory.loss).toEqual([2.5, 2.2]);
  });

  it('keeps the best checkpoint by score and the latest validation with its previews', () => {
    const { receive } = useTrainingStore.getState();
    receive({ type: 'validation', report: validation(10, 0.4) });
    receive({ type: 'checkpoint', info: { name: 'run-best', step: 10, epoch: 1, score: 0.4, savedAt: 1 }, model: { encoder: 'resnet18', classes: 3 } });
    receive({ type: 'validation', report: validation(20, 0.3) });
    receive({ type: 'checkpoint', info: { name: 'run-other', step: 20, epoch: 2, score: 0.3, savedAt: 2 }, model: { encoder: 'resnet18', classes: 3 } });
    const s = useTrainingStore.getState();
    expect(s.validations).toBe(2);
    expect(s.lastValidation?.step).toBe(20);
    expect(s.previews).toHaveLength(1);
    expect(s.best?.name).toBe('run-best');
    expect(liveHistory.best()?.step).toBe(10);
  });

  it("notes a checkpoint's encoder and classes for the saved-model list (the worker that saved it has no localStorage)", () => {
    const stored = new Map<string, string>();
    vi.stubGlobal('localStorage', { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) });
    try {
      useTrainingStore.getState().receive({ type: 'checkpoint', info: { name: 'night run (best)', step: 4, epoch: 1, score: 0.5, savedAt: 1 }, model: { encoder: 'resnet34', classes: 4 } });
      expect(savedModelIndex()['night run (best)']).toEqual({ encoder: 'resnet34', classes: 4 });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("a save updates the run's row in the saved-runs list: step, time, phase and best score", () => {
    const row = (runId: string, phase: SavedRun['phase']): SavedRun => ({ runId, name: runId, encoder: 'resnet18', step: 0, totalSteps: 60, phase, bestScore: null, fingerprint: 'f', savedAt: 1 });
    useTrainingStore.setState({ runId: 'r1', savedRuns: [row('r1', 'paused'), row('r0', 'finished')] });
    useTrainingStore.getState().receive({ type: 'saved', step: 12, at: 5, phase: 'running', bestScore: 0.61 });
    const [live, other] = useTrainingStore.getState().savedRuns!;
    expect(live).toMatchObject({ runId: 'r1', step: 12, savedAt: 5, phase: 'running', bestScore: 0.61 });
    expect(other).toEqual(row('r0', 'finished'));
  });

  it('a failure carries advice; a history message rebuilds the charts of a resumed run', () => {
    const { receive } = useTrainingStore.getState();
    receive({ type: 'failure', failure: 'out-of-memory', message: 'OOM at batch 16', recoverable: true });
    expect(useTrainingStore.getState().failure?.advice).toMatch(/batch size/);
    const settings = defaultTrainingSettings();
    receive({ type: 'history', runId: 'r2', name: 'resumed', settings, steps: [step(1, 3), step(2, 2.8), step(3, 2.6)], validations: [validation(3, 0.2)], best: { name: 'b', step: 3, epoch: 1, score: 0.2, savedAt: 3 }, step: 3, totalSteps: 100, stepsPerEpoch: 10 });
    const s = useTrainingStore.getState();
    expect(liveHistory.steps).toEqual([1, 2, 3]);
    expect(s.runName).toBe('resumed');
    expect(s.latest?.step).toBe(3);
    expect(s.best?.name).toBe('b');
    receive({ type: 'step', report: step(4, 2.5) });
    expect(liveHistory.steps).toEqual([1, 2, 3, 4]);
  });

  it("a resumed run's history takes its settings, keeping the form's object when they are the same", () => {
    const { receive } = useTrainingStore.getState();
    const history = (settings: ReturnType<typeof defaultTrainingSettings>) =>
      receive({ type: 'history', runId: 'r3', name: 'resumed', settings, steps: [step(1, 3)], validations: [], best: null, step: 1, totalSteps: 100, stepsPerEpoch: 10 });
    const form = useTrainingStore.getState().settings;
    history(JSON.parse(JSON.stringify(form)) as typeof form);
    expect(useTrainingStore.getState().settings).toBe(form);
    history({ ...form, batchSize: form.batchSize + 1 });
    expect(useTrainingStore.getState().settings).not.toBe(form);
    expect(useTrainingStore.getState().settings.batchSize).toBe(form.batchSize + 1);
  });
});

describe('resuming a saved run', () => {
  it('marks the run as preparing from the click until the resume has started or failed, and says why it failed', async () => {
    const run: SavedRun = { runId: 'run-saved', name: 'saved run', encoder: 'resnet18', step: 6, totalSteps: 100, phase: 'paused', bestScore: null, fingerprint: 'files-0123456789abcdef-32x96', savedAt: 1 };
    useTrainingStore.setState({ phase: 'idle', savedRuns: [run], preparingResume: null, busy: null, error: null });
    // A dataset store that is done but holds no folder: the resume waits for it, then refuses.
    const derived = deriveDataset({ pairs: [], records: [], usable: [], differences: [], scheme: CARLA_SCHEME, hoodOverlaps: null, settings: useDatasetStore.getState().settings });
    useDatasetStore.setState({ phase: 'done', source: null, pairing: null, derived });
    expect(useTrainingStore.getState().preparingResume).toBeNull();
    const resuming = useTrainingStore.getState().resumeRun('run-saved');
    expect(useTrainingStore.getState().preparingResume).toBe('run-saved');
    expect(useTrainingStore.getState().busy).toMatch(/saved run/);
    await resuming;
    const s = useTrainingStore.getState();
    expect(s.preparingResume).toBeNull();
    expect(s.busy).toBeNull();
    expect(s.error).toBe('Cannot resume: No dataset is loaded.');
    expect(s.phase).toBe('idle');
  });

  it('does nothing for a run that is not listed', async () => {
    useTrainingStore.setState({ phase: 'idle', savedRuns: [], preparingResume: null, error: null });
    await useTrainingStore.getState().resumeRun('run-unknown');
    expect(useTrainingStore.getState().preparingResume).toBeNull();
    expect(useTrainingStore.getState().error).toBeNull();
  });
});
