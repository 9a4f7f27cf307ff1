import { describe, expect, it } from 'vitest';
import { loadedAhead, OneAhead, pulledAhead } from '../../src/util/loadedAhead';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('loadedAhead', () => {
  it('yields every item with its result, in order, the next load started before the current is handed out', async () => {
    const events: string[] = [];
    const load = async (n: number) => {
      events.push(`load ${n}`);
      await tick();
      return n * 10;
    };
    const seen: [number, number][] = [];
    for await (const [item, result] of loadedAhead([1, 2, 3], load)) {
      events.push(`use ${item}`);
      seen.push([item, result]);
    }
    expect(seen).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    expect(events).toEqual(['load 1', 'load 2', 'use 1', 'load 3', 'use 2', 'use 3']);
  });

  it('throws a failed load where its result would come, after the ones before it', async () => {
    const load = async (n: number) => {
      if (n === 2) throw new Error('frame 2 is corrupt');
      return n;
    };
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const [item] of loadedAhead([1, 2, 3], load)) seen.push(item);
      })(),
    ).rejects.toThrow('frame 2 is corrupt');
    expect(seen).toEqual([1]);
  });

  it('leaves no unhandled rejection when the caller stops before a failed prefetch', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const load = async (n: number) => {
        if (n === 2) throw new Error('never reached');
        return n;
      };
      for await (const [item] of loadedAhead([1, 2], load)) if (item === 1) break;
      await tick();
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('yields nothing for no items', async () => {
    const seen: unknown[] = [];
    for await (const x of loadedAhead([], async () => 1)) seen.push(x);
    expect(seen).toEqual([]);
  });
});

describe('OneAhead', () => {
  it('hands over the load started ahead for its key once, and loads anew for any other key', async () => {
    const loads: string[] = [];
    const load = (key: string) => async () => {
      loads.push(key);
      return `${key} decoded`;
    };
    const ahead = new OneAhead<string, string>();
    ahead.start('b.png', load('b.png'));
    ahead.start('b.png', load('b.png')); // already under way
    expect(await ahead.take('b.png', load('b.png'))).toBe('b.png decoded');
    expect(await ahead.take('b.png', load('b.png'))).toBe('b.png decoded');
    expect(loads).toEqual(['b.png', 'b.png']);
    ahead.start('c.png', load('c.png'));
    expect(await ahead.take('a.png', load('a.png'))).toBe('a.png decoded');
    ahead.clear();
    expect(await ahead.take('c.png', load('c.png'))).toBe('c.png decoded');
    expect(loads).toEqual(['b.png', 'b.png', 'c.png', 'a.png', 'c.png']);
  });

  it('a failed load ahead throws only when taken, and is not an unhandled rejection before', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const ahead = new OneAhead<string, string>();
      ahead.start('bad.png', async () => {
        throw new Error('bad.png: cannot decode this image');
      });
      await tick();
      await tick();
      expect(unhandled).toEqual([]);
      await expect(ahead.take('bad.png', async () => 'never')).rejects.toThrow('bad.png: cannot decode this image');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

/** A source that records when each value is asked for, made, and when it is closed. */
async function* frames(count: number, events: string[], failAt: number | null = null): AsyncGenerator<number> {
  try {
    for (let n = 1; n <= count; n++) {
      events.push(`decode ${n}`);
      await tick();
      if (n === failAt) throw new Error(`frame ${n} cannot be decoded`);
      yield n;
    }
  } finally {
    events.push('closed');
  }
}

describe('pulledAhead', () => {
  it('yields every value in order, the next one made while the caller works on the current one', async () => {
    const events: string[] = [];
    const seen: number[] = [];
    for await (const n of pulledAhead(frames(3, events))) {
      events.push(`start ${n}`);
      seen.push(n);
      for (let i = 0; i < 3; i++) await tick();
      events.push(`end ${n}`);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(events).toEqual(['decode 1', 'start 1', 'decode 2', 'end 1', 'start 2', 'decode 3', 'end 2', 'start 3', 'closed', 'end 3']);
  });

  it('hands out a value before making the next, even when the source has it at hand', async () => {
    // A source whose values need no waiting: without the wait for the next task, the second value
    // would be made in the microtasks before the caller got the first.
    const events: string[] = [];
    async function* atHand(): AsyncGenerator<number> {
      for (let n = 1; n <= 2; n++) {
        events.push(`make ${n}`);
        yield n;
      }
    }
    for await (const n of pulledAhead(atHand())) events.push(`got ${n}`);
    expect(events).toEqual(['make 1', 'got 1', 'make 2', 'got 2']);
  });

  it('closes the source when the caller stops early, making no further value', async () => {
    const events: string[] = [];
    for await (const n of pulledAhead(frames(5, events))) {
      events.push(`use ${n}`);
      if (n === 2) break;
      await tick();
      await tick();
    }
    expect(events).toEqual(['decode 1', 'use 1', 'decode 2', 'use 2', 'closed']);
  });

  it('throws a failure of the source where its value would come, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const events: string[] = [];
      const seen: number[] = [];
      await expect(
        (async () => {
          for await (const n of pulledAhead(frames(4, events, 3))) seen.push(n);
        })(),
      ).rejects.toThrow('frame 3 cannot be decoded');
      expect(seen).toEqual([1, 2]);
      expect(events.at(-1)).toBe('closed');
      // Stopping while a failing value is pending: nothing unhandled either.
      for await (const n of pulledAhead(frames(4, [], 2))) if (n === 1) break;
      await tick();
      await tick();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
