/**
 * Grader scores while viewing: each frame's counts (the latest settings it was rendered with) and
 * the cumulative micro-average over every frame seen, as the challenge grader computes it.
 */
import { GraderAccumulator, type ClassCounts, type GraderResult } from '../metrics/grader';
import type { BinaryMasks } from '../metrics/grader';

export interface FrameCounts {
  road: ClassCounts;
  car: ClassCounts;
}

export function frameCounts(predicted: BinaryMasks, truth: BinaryMasks): FrameCounts {
  const g = new GraderAccumulator();
  g.addMasks(predicted, truth);
  return g.counts();
}

export class FrameScores {
  private readonly byFrame = new Map<string, FrameCounts>();

  /** Records (or replaces) a frame's counts; returns that frame's own result. */
  set(key: string, counts: FrameCounts): GraderResult {
    this.byFrame.set(key, counts);
    const g = new GraderAccumulator();
    g.addCounts(counts);
    return g.result();
  }

  /** Micro-average over every recorded frame, or null when none. */
  cumulative(): GraderResult | null {
    if (this.byFrame.size === 0) return null;
    const g = new GraderAccumulator();
    for (const c of this.byFrame.values()) g.addCounts(c);
    return g.result();
  }

  clear(): void {
    this.byFrame.clear();
  }

  get size(): number {
    return this.byFrame.size;
  }
}
