import { describe, expect, it } from 'vitest';
import { followBlocker, runWeightsOffer, type RunStatus, type ViewerWork } from '../../src/viewer/runWeights';

const run: RunStatus = { runId: 'r1', name: 'road run', step: 40, hasWeights: true };
const idle: ViewerWork = { trainingTask: null, modelTask: null, searchRunning: false, rankingRunning: false, exportRunning: false };

describe('runWeightsOffer', () => {
  it('offers the live run at its latest step, and says which of its steps the viewer holds', () => {
    expect(runWeightsOffer(run, null)).toEqual({ runId: 'r1', name: 'road run', step: 40, shown: null });
    expect(runWeightsOffer(run, { kind: 'training', run: 'road run', runId: 'r1', step: 30 })).toMatchObject({ step: 40, shown: 30 });
    expect(runWeightsOffer(run, { kind: 'training', run: 'road run', runId: 'r1', step: 40 })).toMatchObject({ shown: 40 });
  });

  it('counts weights of another run, or any other model, as not the run’s', () => {
    expect(runWeightsOffer(run, { kind: 'training', run: 'road run', runId: 'r0', step: 40 })?.shown).toBeNull();
    expect(runWeightsOffer(run, { kind: 'new', seed: 0 })?.shown).toBeNull();
    expect(runWeightsOffer(run, { kind: 'browser', name: 'road run (best)' })?.shown).toBeNull();
  });

  it('offers nothing without a run, before its first step, or when the worker holds no weights', () => {
    expect(runWeightsOffer({ ...run, runId: null }, null)).toBeNull();
    expect(runWeightsOffer({ ...run, step: null }, null)).toBeNull();
    expect(runWeightsOffer({ ...run, hasWeights: false }, null)).toBeNull();
  });
});

describe('followBlocker', () => {
  it('lets the weights in when nothing else runs', () => {
    expect(followBlocker(idle)).toBeNull();
  });

  it('names what holds the model, the first of them', () => {
    expect(followBlocker({ ...idle, trainingTask: 'Fetching the latest weights' })).toBe('the training tab is busy (Fetching the latest weights)');
    expect(followBlocker({ ...idle, modelTask: 'Exporting safetensors (F32)' })).toBe('the model panel is busy (Exporting safetensors (F32))');
    expect(followBlocker({ ...idle, searchRunning: true })).toBe('the threshold search is running');
    expect(followBlocker({ ...idle, rankingRunning: true })).toBe('the frames are being scored');
    expect(followBlocker({ ...idle, exportRunning: true })).toBe('an export is running');
    expect(followBlocker({ ...idle, searchRunning: true, exportRunning: true })).toBe('the threshold search is running');
  });
});
