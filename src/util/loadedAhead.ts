/**
 * Loading one item ahead: while the caller works on item i (on the GPU, say), item i + 1 is
 * already being loaded (an image decoded off the main thread, say), so the two overlap instead of
 * taking turns.
 */

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
