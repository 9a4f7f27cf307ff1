/** Per-frame stage timings and frame rates (the model alone, and end to end over recent frames). */

export type Stage = 'decode' | 'upload' | 'network' | 'postprocess' | 'draw';
export const STAGES: readonly Stage[] = ['decode', 'upload', 'network', 'postprocess', 'draw'];

export type StageTimings = Record<Stage, number>;

export function emptyTimings(): StageTimings {
  return { decode: 0, upload: 0, network: 0, postprocess: 0, draw: 0 };
}

export interface FrameRates {
  /** 1000 / network ms, averaged over the window. */
  model: number;
  /** Frames finished per second of wall time over the window (includes waiting for frames). */
  endToEnd: number;
}

/** A sliding window of the last `size` frames' timings and finish times. */
export class RateMeter {
  private readonly finished: number[] = [];
  private readonly network: number[] = [];

  constructor(private readonly size = 20) {}

  add(timings: StageTimings, finishedAt: number): void {
    this.finished.push(finishedAt);
    this.network.push(timings.network);
    if (this.finished.length > this.size) this.finished.shift();
    if (this.network.length > this.size) this.network.shift();
  }

  rates(): FrameRates {
    const meanNet = this.network.reduce((a, b) => a + b, 0) / Math.max(1, this.network.length);
    const span = this.finished.length > 1 ? this.finished[this.finished.length - 1]! - this.finished[0]! : 0;
    const e2e = span > 0 ? ((this.finished.length - 1) * 1000) / span : 0;
    return { model: meanNet > 0 ? 1000 / meanNet : 0, endToEnd: e2e };
  }

  reset(): void {
    this.finished.length = 0;
    this.network.length = 0;
  }
}

/** End-to-end rate of a single frame (1000 / total stage ms) when there is no sequence. */
export function singleFrameRate(t: StageTimings): number {
  const total = STAGES.reduce((a, s) => a + t[s], 0);
  return total > 0 ? 1000 / total : 0;
}
