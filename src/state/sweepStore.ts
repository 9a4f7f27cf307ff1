/**
 * The Viewer's threshold and morphology search on the validation split: its progress, the score
 * surface it found and the frames it had to skip. Plain data; the work is in src/viewer/sweepRunner.ts.
 */
import { create } from 'zustand';
import type { SweepResult } from '../viewer/thresholdSweep';

export type SweepStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface SweepState {
  status: SweepStatus;
  /** Validation frames done and in all, and what runs now. */
  progress: { done: number; total: number; stage: string } | null;
  result: SweepResult | null;
  /** Why the search failed (naming the file when one is at fault). */
  error: string | null;
  /** Validation frames left out, each with the reason. */
  skipped: { path: string; reason: string }[];
  /** Whether the hood was removed from the predictions while searching. */
  hood: boolean;
  /** How the morphology candidates were evaluated ("webgpu ops", "CPU reference"). */
  method: string | null;
  /** Wall time of the last search (ms). */
  ms: number | null;
}

export const useSweepStore = create<SweepState>()(() => ({
  status: 'idle',
  progress: null,
  result: null,
  error: null,
  skipped: [],
  hood: true,
  ms: null,
  method: null,
}));
