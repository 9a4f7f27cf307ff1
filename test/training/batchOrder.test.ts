import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/seededRandom';
import { BatchOrder } from '../../src/training/batchOrder';
import { SeededStream } from '../../src/training/seededStream';
import { BatchOrder as CliBatchOrder } from '../../src/training/trainingData';

describe('SeededStream', () => {
  it('draws the same sequence as seededRandom and resumes from its state', () => {
    const a = new SeededStream(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(first).toEqual(Array.from({ length: 5 }, () => b()));
    const resumed = SeededStream.fromState(a.state);
    expect(Array.from({ length: 5 }, () => resumed.next())).toEqual(Array.from({ length: 5 }, () => b()));
  });
});

describe('BatchOrder', () => {
  it('visits every index once per epoch, batches running across epochs', () => {
    const o = new BatchOrder(5, 3);
    const seen = [...o.next(2), ...o.next(2), ...o.next(1)];
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(o.epoch).toBe(1);
    o.next(1);
    expect(o.epoch).toBe(2);
  });

  it('is the class the CLI uses', () => {
    expect(CliBatchOrder).toBe(BatchOrder);
  });

  it('continues identically after snapshot and restore, and peek does not move on', () => {
    const straight = new BatchOrder(7, 11);
    const run = new BatchOrder(7, 11);
    const a = Array.from({ length: 3 }, () => straight.next(3));
    const b = Array.from({ length: 3 }, () => run.next(3));
    expect(b).toEqual(a);
    const restored = BatchOrder.restore(structuredClone(run.snapshot()));
    expect(restored.peek(3)).toEqual(restored.peek(3));
    const peeked = restored.peek(3);
    const rest = Array.from({ length: 5 }, () => restored.next(3));
    expect(rest[0]).toEqual(peeked);
    expect(rest).toEqual(Array.from({ length: 5 }, () => straight.next(3)));
    expect(restored.epoch).toBe(straight.epoch);
  });

  it('differs between seeds', () => {
    expect(new BatchOrder(20, 1).next(20)).not.toEqual(new BatchOrder(20, 2).next(20));
  });
});
