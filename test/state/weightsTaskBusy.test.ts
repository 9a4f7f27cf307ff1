import { afterEach, describe, expect, it } from 'vitest';
import { useStudioStore } from '../../src/state/studioStore';

describe('a weights task asked for while another runs', () => {
  afterEach(() => useStudioStore.setState((s) => ({ weights: { ...s.weights, busy: null }, messages: [] })));

  it('is not started, and the status bar says which and why', async () => {
    useStudioStore.setState((s) => ({ weights: { ...s.weights, busy: 'Saving "run 3" in the browser', current: null }, messages: [] }));
    await useStudioStore.getState().importModelFiles([new File([new Uint8Array(4)], 'road.safetensors')]);
    const s = useStudioStore.getState();
    expect(s.weights.busy).toBe('Saving "run 3" in the browser');
    expect(s.weights.current).toBeNull();
    expect(s.messages.map((m) => [m.level, m.text])).toEqual([['warn', 'Not started: Importing road.safetensors. The model panel is busy (Saving "run 3" in the browser); try again when it is done.']]);
  });
});
