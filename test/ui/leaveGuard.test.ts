import { afterEach, describe, expect, it } from 'vitest';
import { unsavedWork } from '../../src/state/unsavedWork';
import { useStudioStore } from '../../src/state/studioStore';
import { useTrainingStore } from '../../src/state/trainingStore';
import { useViewerStore } from '../../src/state/viewerStore';
import { guardLeaving } from '../../src/ui/leaveGuard';

function leave(page: EventTarget): Event & { returnValue: unknown } {
  // (Node's Event has a read-only legacy returnValue; a BeforeUnloadEvent's is writable.)
  const e = new Event('beforeunload', { cancelable: true }) as Event & { returnValue: unknown };
  Object.defineProperty(e, 'returnValue', { value: undefined, writable: true });
  page.dispatchEvent(e);
  return e;
}

describe('guardLeaving', () => {
  it('makes the browser ask only while there is unsaved work, and stops when removed', () => {
    const page = new EventTarget();
    let work: string | null = null;
    const remove = guardLeaving(page, () => work);
    const idle = leave(page);
    expect([idle.defaultPrevented, idle.returnValue]).toEqual([false, undefined]);
    work = 'a training run';
    const busy = leave(page);
    expect([busy.defaultPrevented, busy.returnValue]).toEqual([true, true]);
    remove();
    expect(leave(page).defaultPrevented).toBe(false);
  });
});

describe('unsavedWork', () => {
  afterEach(() => {
    useTrainingStore.setState({ phase: 'idle' });
    useStudioStore.setState((s) => ({ weights: { ...s.weights, busy: null } }));
    useViewerStore.setState({ exportProgress: null });
  });

  it('names a training run while its worker holds unsaved steps, not once it is paused or stopped', () => {
    expect(unsavedWork()).toBeNull();
    for (const phase of ['starting', 'running', 'pausing', 'stopping'] as const) {
      useTrainingStore.setState({ phase });
      expect(unsavedWork()).toMatch(/training run/);
    }
    for (const phase of ['paused', 'stopped', 'finished'] as const) {
      useTrainingStore.setState({ phase });
      expect(unsavedWork()).toBeNull();
    }
  });

  it("names the model panel's task and a viewer export", () => {
    useStudioStore.setState((s) => ({ weights: { ...s.weights, busy: 'Saving "run 3" in the browser' } }));
    expect(unsavedWork()).toBe('Saving "run 3" in the browser');
    useStudioStore.setState((s) => ({ weights: { ...s.weights, busy: null } }));
    useViewerStore.setState({ exportProgress: { done: 3, total: 10 } });
    expect(unsavedWork()).toBe("the viewer's export");
  });
});
