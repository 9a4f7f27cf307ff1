import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../../src/worker/trainingProtocol';
import { useRankingStore } from '../../src/state/rankingStore';
import { useStudioStore } from '../../src/state/studioStore';
import { useTrainingStore, type TrainingState } from '../../src/state/trainingStore';
import { followRunWhileOpen } from '../../src/state/viewerFollowsRun';
import { useViewerStore } from '../../src/state/viewerStore';
import type { CurrentModelInfo } from '../../src/state/modelSession';

const original = useTrainingStore.getState().useLatestWeights;
let taken: { quiet?: boolean }[] = [];

function validation(step: number): ValidationReport {
  return { step, epoch: 1, frames: 2, fRoad: 0, fCar: 0, score: 0, precision: [], recall: [], thresholds: { car: 0.5, road: 0.5 }, previews: [] } as unknown as ValidationReport;
}

function modelAtStep(step: number): CurrentModelInfo {
  return { origin: { kind: 'training', run: 'run', runId: 'r1', step }, label: `run, step ${step}` } as unknown as CurrentModelInfo;
}

function runAt(step: number, patch: Partial<TrainingState> = {}): void {
  useTrainingStore.setState({ runId: 'r1', runName: 'run', phase: 'running', latest: { step } as TrainingState['latest'], ...patch });
}

describe('the viewer following a run', () => {
  beforeEach(() => {
    taken = [];
    useTrainingStore.setState({ useLatestWeights: async (options) => void taken.push(options ?? {}), lastValidation: null, busy: null });
    useViewerStore.setState({ followRun: false, followNote: null, exportProgress: null });
    useStudioStore.setState((s) => ({ weights: { ...s.weights, current: modelAtStep(3), busy: null } }));
    runAt(5);
  });
  afterEach(() => {
    useTrainingStore.setState({ useLatestWeights: original, runId: null, latest: null, phase: 'idle', lastValidation: null });
    useRankingStore.setState({ status: 'idle' });
    useViewerStore.setState({ followRun: false, followNote: null });
  });

  it('takes the weights after each validation while on, quietly, and not after it is closed', () => {
    const close = followRunWhileOpen();
    useTrainingStore.setState({ lastValidation: validation(5) });
    expect(taken).toEqual([]);
    useViewerStore.setState({ followRun: true });
    expect(taken).toEqual([{ quiet: true }]);
    useTrainingStore.setState({ lastValidation: validation(8) });
    expect(taken).toHaveLength(2);
    runAt(9);
    expect(taken).toHaveLength(2);
    close();
    useTrainingStore.setState({ lastValidation: validation(11) });
    expect(taken).toHaveLength(2);
  });

  it('catches up when opened after a validation it has not shown', () => {
    useViewerStore.setState({ followRun: true });
    useTrainingStore.setState({ lastValidation: validation(4) });
    const close = followRunWhileOpen();
    expect(taken).toHaveLength(1);
    close();
    useStudioStore.setState((s) => ({ weights: { ...s.weights, current: modelAtStep(4) } }));
    followRunWhileOpen()();
    expect(taken).toHaveLength(1);
  });

  it('keeps the model while the frames are scored, says why, and takes the next validation’s', () => {
    const close = followRunWhileOpen();
    useViewerStore.setState({ followRun: true });
    taken = [];
    useRankingStore.setState({ status: 'running' });
    useTrainingStore.setState({ lastValidation: validation(6) });
    expect(taken).toEqual([]);
    expect(useViewerStore.getState().followNote).toBe('Kept step 3: the frames are being scored.');
    useRankingStore.setState({ status: 'done' });
    useTrainingStore.setState({ lastValidation: validation(9) });
    expect(taken).toHaveLength(1);
    expect(useViewerStore.getState().followNote).toBeNull();
    close();
  });

  it('does nothing once the worker holds no run', () => {
    const close = followRunWhileOpen();
    useViewerStore.setState({ followRun: true });
    taken = [];
    runAt(9, { phase: 'idle' });
    useTrainingStore.setState({ lastValidation: validation(9) });
    expect(taken).toEqual([]);
    close();
  });
});
