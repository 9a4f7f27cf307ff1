/**
 * The page's answer to a lost GPU device (studioStore.recoverFromDeviceLoss), in Node: the backend
 * choice is a stand-in (the browser probes are not here), the model session is the real one on the
 * CPU backend. What the banner and the message log say for each outcome, and that the model is
 * rebuilt.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendInfo, BackendName } from '../../src/backend/decide';
import { smallConfig } from '../../e2e/support/modelFiles';

const chosen: (BackendName | Error)[] = [];
const reregistered: string[] = [];

vi.mock('../../src/backend/selectBackend', () => ({
  selectBackend: async (): Promise<BackendInfo> => {
    const next = chosen.shift();
    if (!next) throw new Error('no choice left in the test');
    if (next instanceof Error) throw next;
    return { name: next, reasons: [], adapter: next === 'webgpu' ? 'stand-in adapter' : null, forced: false, canTrain: true };
  },
}));

vi.mock('../../src/backend/deviceLoss', async (original) => ({
  ...(await original<typeof import('../../src/backend/deviceLoss')>()),
  reregisterBackend: (name: string) => reregistered.push(name),
}));

const { useStudioStore } = await import('../../src/state/studioStore');
const { modelSession } = await import('../../src/state/modelSession');

const LOSS = { reason: 'unknown', message: 'GPU hang' };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(async () => {
  reregistered.length = 0;
  modelSession.clear();
  chosen.push('webgpu');
  await useStudioStore.getState().initBackend();
  useStudioStore.setState({ messages: [] });
});

const state = () => useStudioStore.getState();
const messages = () => state().messages.map((m) => `${m.level}: ${m.text}`);

describe('recoverFromDeviceLoss', () => {
  it('makes the backend anew and rebuilds the model: nothing lost', async () => {
    await modelSession.createNew(smallConfig(), 4);
    const old = modelSession.linkNet;
    chosen.push('webgpu');
    const seen: (string | undefined)[] = [];
    const stop = useStudioStore.subscribe((s) => seen.push(s.backend.recovery?.state));
    await state().recoverFromDeviceLoss(LOSS);
    stop();
    expect([...new Set(seen)]).toEqual(['recovering', 'recovered']);
    expect(reregistered).toEqual(['webgpu']);
    expect(modelSession.linkNet).not.toBe(old);
    expect(modelSession.linkNet).not.toBeNull();
    expect(state().weights.current?.origin).toEqual({ kind: 'new', seed: 4 });
    expect(state().backend.status).toBe('ready');
    expect(state().backend.recovery).toEqual({
      reason: 'unknown: GPU hang',
      state: 'recovered',
      detail: 'WebGPU runs on a new device; the model (new, initialised with seed 4) was rebuilt from page memory: nothing was lost.',
    });
    expect(messages()).toEqual([
      'error: The GPU device was lost (unknown: GPU hang): making a new one',
      'info: Backend webgpu (stand-in adapter)',
      'info: WebGPU runs on a new device; the model (new, initialised with seed 4) was rebuilt from page memory: nothing was lost.',
    ]);
    state().dismissRecovery();
    expect(state().backend.recovery).toBeNull();
  });

  it('says so when the backend cannot be made again and the studio runs on the next one', async () => {
    await modelSession.createNew(smallConfig(), 0);
    chosen.push('wasm');
    await state().recoverFromDeviceLoss(LOSS);
    expect(state().backend.info?.name).toBe('wasm');
    expect(state().backend.recovery?.state).toBe('recovered');
    expect(state().backend.recovery?.detail).toBe(
      'WebGPU could not be made again: the studio runs on WebAssembly now; the model (new, initialised with seed 0) was rebuilt from page memory: nothing was lost.',
    );
  });

  it('without a model there is nothing to rebuild', async () => {
    chosen.push('webgpu');
    await state().recoverFromDeviceLoss(LOSS);
    expect(state().backend.recovery?.detail).toBe('WebGPU runs on a new device.');
  });

  it('fails with a message to reload when no backend can be made', async () => {
    await modelSession.createNew(smallConfig(), 0);
    chosen.push(new Error('no adapter'));
    await state().recoverFromDeviceLoss(LOSS);
    expect(state().backend.status).toBe('failed');
    expect(state().backend.recovery).toEqual({
      reason: 'unknown: GPU hang',
      state: 'failed',
      detail: 'No backend could be made again (no adapter). Reload the page.',
    });
  });
});
