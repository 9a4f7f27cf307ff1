/**
 * Loading one item ahead: while the caller works on item i (on the GPU, say), item i + 1 is
 * already being loaded (an image decoded off the main thread, say), so the two overlap instead of
 * taking turns.
 */
import { nextTask } from './nextTask';

/** `promise`, marked as handled: a load the caller never reaches does not become an unhandled rejection. */
function handled<R>(promise: Promise<R>): Promise<R> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Yields each item with `load(item)`'s result, in order, starting the next item's load before
 * yielding the current one. A failed load throws where its result would have been yielded.
 */
export async function* loadedAhead<T, R>(items: readonly T[], load: (item: T) => Promise<R>): AsyncGenerator<[T, R]> {
  let next = items.length > 0 ? handled(load(items[0]!)) : null;
  for (let i = 0; i < items.length; i++) {
    const current = next!;
    next = i + 1 < items.length ? handled(load(items[i + 1]!)) : null;
    yield [items[i]!, await current];
  }
}

/**
 * One load kept ahead for a key the caller expects to want next (the next image of a list while
 * the current one is viewed): `take` hands it over if the key matches, else loads anew.
 */
export class OneAhead<K, R> {
  private ahead: { key: K; result: Promise<R> } | null = null;

  /** Starts loading `key` (replacing any other load kept ahead). */
  start(key: K, load: () => Promise<R>): void {
    if (this.ahead?.key === key) return;
    this.ahead = { key, result: handled(load()) };
  }

  /** `key`'s result: the one loaded ahead (then forgotten), or `load()` now. */
  take(key: K, load: () => Promise<R>): Promise<R> {
    if (this.ahead?.key !== key) return load();
    const { result } = this.ahead;
    this.ahead = null;
    return result;
  }

  clear(): void {
    this.ahead = null;
  }
}

/**
 * Yields what `source` yields, in order, asking it for the next value as the current one is handed
 * out (a video's next frame decoded and read while the caller runs the current one). The ask waits
 * for the next task: a value already at hand would otherwise be made in the microtasks before the
 * caller even gets the current one, and the two would take turns after all. Stopping early (break,
 * throw) waits for the pending value, then closes `source`.
 */
export async function* pulledAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let closing = false;
  const pull = (): Promise<IteratorResult<T, unknown>> => (closing ? Promise.resolve({ done: true, value: undefined }) : iterator.next());
  let next = handled(iterator.next());
  try {
    for (;;) {
      const result = await next;
      if (result.done) {
        finished = true;
        return;
      }
      next = handled(nextTask().then(pull));
      yield result.value;
    }
  } finally {
    if (!finished) {
      // An ask not yet made is not made; one under way is waited for before closing.
      closing = true;
      await next.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
