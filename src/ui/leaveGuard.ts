/**
 * Leaving the page while work would be lost: the browser asks first. A training run keeps the steps
 * since its last save only in the worker, and a model being saved or exported is half written.
 */

/** The part of a beforeunload event the guard sets (a BeforeUnloadEvent in the browser). */
interface BeforeUnloadLike {
  preventDefault(): void;
  returnValue: unknown;
}

/**
 * While `unsaved()` names work in progress (null: nothing to lose), leaving or reloading the page
 * makes the browser ask (browsers show their own text, not this one). Returns the function that
 * removes the listener.
 */
export function guardLeaving(target: EventTarget, unsaved: () => string | null): () => void {
  const onBeforeUnload = (event: Event) => {
    if (unsaved() === null) return;
    const e = event as unknown as BeforeUnloadLike;
    e.preventDefault();
    // Older Chromium asks only when returnValue is set.
    e.returnValue = true;
  };
  target.addEventListener('beforeunload', onBeforeUnload);
  return () => target.removeEventListener('beforeunload', onBeforeUnload);
}
