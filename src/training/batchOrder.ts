/**
 * Seeded batches of indices (browser-safe; no Node imports): each epoch is a fresh Fisher-Yates
 * shuffle and batches run on across epochs. The position and random state can be saved
 * (snapshot) and restored, so a resumed run sees exactly the batches it would have seen.
 */
import { SeededStream } from './seededStream';

export interface BatchOrderState {
  count: number;
  order: number[];
  position: number;
  epoch: number;
  rngState: number;
}

export class BatchOrder {
  private rng: SeededStream;
  private order: number[] = [];
  private position = 0;
  /** Shuffles made so far (1 during the first pass over the data). */
  epoch = 0;

  constructor(readonly count: number, seed: number) {
    if (count < 1) throw new Error('no training pairs');
    this.rng = new SeededStream(seed);
  }

  static restore(state: BatchOrderState): BatchOrder {
    const o = new BatchOrder(state.count, 0);
    o.rng = SeededStream.fromState(state.rngState);
    o.order = [...state.order];
    o.position = state.position;
    o.epoch = state.epoch;
    return o;
  }

  snapshot(): BatchOrderState {
    return { count: this.count, order: [...this.order], position: this.position, epoch: this.epoch, rngState: this.rng.state };
  }

  private reshuffle(): void {
    this.order = Array.from({ length: this.count }, (_, i) => i);
    for (let i = this.count - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
    this.position = 0;
    this.epoch++;
  }

  next(batchSize: number): number[] {
    const out: number[] = [];
    while (out.length < batchSize) {
      if (this.position >= this.order.length) this.reshuffle();
      out.push(this.order[this.position++]);
    }
    return out;
  }

  /** The batch `next(batchSize)` would return, without moving on (for prefetching). */
  peek(batchSize: number): number[] {
    return BatchOrder.restore(this.snapshot()).next(batchSize);
  }
}
