import { describe, expect, it } from 'vitest';
import { FoldedNetCache } from '../../src/viewer/foldedNetCache';

class FakeNet {
  disposed = false;
  constructor(readonly of: string) {}
  dispose(): void {
    this.disposed = true;
  }
}

function cacheWithLog(fail = new Set<string>()) {
  const folds: string[] = [];
  const cache = new FoldedNetCache<string, FakeNet>(async (model) => {
    folds.push(model);
    if (fail.has(model)) throw new Error(`cannot fold ${model}`);
    return new FakeNet(model);
  });
  return { cache, folds };
}

describe('FoldedNetCache', () => {
  it('folds a model once and gives the same network for it again', async () => {
    const { cache, folds } = cacheWithLog();
    const a = await cache.get('A');
    expect(await cache.get('A')).toBe(a);
    expect(folds).toEqual(['A']);
    expect(a.of).toBe('A');
  });

  it('disposes the previous model\'s network when another model comes', async () => {
    const { cache, folds } = cacheWithLog();
    const a = await cache.get('A');
    const b = await cache.get('B');
    expect(a.disposed).toBe(true);
    expect(b.disposed).toBe(false);
    expect(folds).toEqual(['A', 'B']);
    // Back to A: folded again (its network was freed).
    const a2 = await cache.get('A');
    expect(a2).not.toBe(a);
    expect(b.disposed).toBe(true);
  });

  it('disposes a network whose fold ends after it was superseded or after dispose()', async () => {
    const { cache } = cacheWithLog();
    const pendingA = cache.get('A');
    const pendingB = cache.get('B');
    const [a, b] = await Promise.all([pendingA, pendingB]);
    expect(a.disposed).toBe(true);
    expect(b.disposed).toBe(false);
    const pendingC = cache.get('C');
    cache.dispose();
    expect((await pendingC).disposed).toBe(true);
    expect(b.disposed).toBe(true);
  });

  it('tries a failed fold again on the next call', async () => {
    const fail = new Set(['A']);
    const { cache, folds } = cacheWithLog(fail);
    await expect(cache.get('A')).rejects.toThrow('cannot fold A');
    fail.clear();
    expect((await cache.get('A')).of).toBe('A');
    expect(folds).toEqual(['A', 'A']);
  });
});
