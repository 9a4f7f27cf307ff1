/**
 * The Viewer's frame ranking: dataset frames scored one by one at the viewer's post-processing, the
 * worst first. Plain data; the work is in src/viewer/rankingRunner.ts.
 */
import { create } from 'zustand';
import type { HoodMask } from '../data/hoodFile';
import type { PostprocessSettings } from '../postprocess/settings';
import type { RankedFrame } from '../viewer/frameRanking';

export type RankingStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
/** Which frames of the Dataset panel are ranked. */
export type RankingScope = 'val' | 'all';

export interface RankingState {
  status: RankingStatus;
  scope: RankingScope;
  progress: { done: number; total: number; path: string } | null;
  /** The frames scored so far, in the dataset's order. */
  frames: RankedFrame[];
  /** The post-processing they were scored with. */
  settings: PostprocessSettings | null;
  /** The hood mask in use when they were scored (removed from the truth, and from the masks when the settings say so). */
  hood: HoodMask | null;
  /** Why the ranking failed. */
  error: string | null;
  /** Frames left out, each with the reason. */
  skipped: { path: string; reason: string }[];
  /** Wall time of the last ranking (ms). */
  ms: number | null;
}

export const useRankingStore = create<RankingState>()(() => ({
  status: 'idle',
  scope: 'val',
  progress: null,
  frames: [],
  settings: null,
  hood: null,
  error: null,
  skipped: [],
  ms: null,
}));
