import { describe, expect, it } from 'vitest';
import { classifyFailure, DeviceLostError, NonFiniteLossError } from '../../src/training/failures';
import { PairDataError } from '../../src/training/pairSource';
import type { RunState } from '../../src/training/runState';
import { joinRunState, MemoryRunStore, splitRunState, StorageQuotaError } from '../../src/training/runStore';

describe('classifyFailure', () => {
  it('maps each error to the failure the page explains', () => {
    expect(classifyFailure(new NonFiniteLossError(7, Number.NaN))).toMatchObject({ failure: 'nan-loss', recoverable: true });
    expect(classifyFailure(new DeviceLostError('x'))).toMatchObject({ failure: 'device-lost', recoverable: true });
    expect(classifyFailure(new Error('Device is lost'))).toMatchObject({ failure: 'device-lost' });
    expect(classifyFailure(new StorageQuotaError('QuotaExceededError'))).toMatchObject({ failure: 'storage-quota' });
    expect(classifyFailure(new PairDataError('a/7.png', 'truncated')).message).toMatch(/a\/7\.png: truncated/);
    expect(classifyFailure(new Error('something odd'))).toMatchObject({ failure: 'other', message: 'something odd' });
  });

  it('suggests a smaller batch and input size when memory runs out', () => {
    const c = classifyFailure(new Error('Failed to allocate buffer of size 123'), { batchSize: 8, inputSize: '320x800' });
    expect(c.failure).toBe('out-of-memory');
    expect(c.message).toMatch(/smaller batch \(e\.g\. 4\)/);
    expect(c.message).toMatch(/smaller input size than 320x800/);
  });
});

function state(runId: string, savedAt: number): RunState {
  return {
    runId,
    name: runId,
    config: { encoder: 'resnet18' },
    step: 1,
    totalSteps: 2,
    phase: 'paused',
    best: null,
    fingerprint: 'f',
    createdAt: 0,
    savedAt,
    weights: { 'a.weight': new Float32Array([1, 2]), 'b.bias': new Float32Array([3]) },
    adam: { iterations: 1, moments: [new Float32Array([4, 5]), new Float32Array([6])], shapes: [[2], [1]], accBeta1: 0.81, accBeta2: 0.998 },
    history: { steps: [], validations: [] },
  } as unknown as RunState;
}

describe('run state storage', () => {
  it('splits a state into a small record and one record per tensor, and joins it back', () => {
    const s = state('run', 1);
    const { stored, tensors } = splitRunState(s);
    expect(stored.weightNames).toEqual(['a.weight', 'b.bias']);
    expect(stored.momentCount).toBe(2);
    expect('weights' in stored).toBe(false);
    expect(tensors.map((t) => t.key)).toEqual(['run|w|a.weight', 'run|w|b.bias', 'run|m|0', 'run|m|1']);
    const byKey = new Map(tensors.map((t) => [t.key, t.data]));
    expect(joinRunState(stored, (k) => byKey.get(k))).toEqual(s);
    byKey.delete('run|m|1');
    expect(() => joinRunState(stored, (k) => byKey.get(k))).toThrow(/incomplete \(run\|m\|1 is missing\)/);
  });

  it('MemoryRunStore saves copies, lists newest first, renames, deletes, and can fail like a full disk', async () => {
    const store = new MemoryRunStore();
    const a = state('a', 1);
    await store.save(a);
    a.weights['a.weight'][0] = 99; // a later change does not reach the saved copy
    await store.save(state('b', 2));
    expect((await store.list()).map((s) => s.runId)).toEqual(['b', 'a']);
    expect(Array.from((await store.load('a'))!.weights['a.weight'])).toEqual([1, 2]);
    await store.rename('a', 'renamed');
    expect((await store.load('a'))!.name).toBe('renamed');
    expect((await store.list()).find((s) => s.runId === 'a')!.name).toBe('renamed');
    await store.delete('b');
    expect((await store.list()).map((s) => s.runId)).toEqual(['a']);
    expect(await store.load('b')).toBeNull();
    store.failNextSaveWithQuota = true;
    await expect(store.save(state('c', 3))).rejects.toThrow(StorageQuotaError);
    await store.save(state('c', 3));
    expect(await store.load('c')).not.toBeNull();
  });
});
