/**
 * Dataset frames ranked by the grader's score of each one alone, at the viewer's post-processing:
 * the worst first, to find where the model fails. Plain data and functions; the run over the
 * frames is src/viewer/rankingRunner.ts.
 */
import { csvTable } from '../io/csv';
import { GraderAccumulator } from '../metrics/grader';
import { settingsLabel, type ClassPostprocess, type PostprocessSettings } from '../postprocess/settings';
import type { FrameCounts } from './frameScores';

/** One frame's grader result alone (F0.5 road, F2 vehicle, their mean). */
export interface RankedFrame {
  /** The pair's index in the Dataset panel. */
  index: number;
  path: string;
  counts: FrameCounts;
  fRoad: number;
  fCar: number;
  score: number;
}

export type RankingKey = 'score' | 'fRoad' | 'fCar';

export function rankedFrame(index: number, path: string, counts: FrameCounts): RankedFrame {
  const g = new GraderAccumulator();
  g.addCounts(counts);
  const { fRoad, fCar, score } = g.result();
  return { index, path, counts, fRoad, fCar, score };
}

/** The frames by `key`, the lowest first; ties keep the dataset's order. */
export function worstFirst(frames: readonly RankedFrame[], key: RankingKey = 'score'): RankedFrame[] {
  return frames
    .map((f, at) => ({ f, at }))
    .sort((a, b) => a.f[key] - b.f[key] || a.f.index - b.f.index || a.at - b.at)
    .map(({ f }) => f);
}

/** Whether frames scored with `used` still hold for the viewer's `now` (thresholds, morphology, hood). */
export function sameScoring(used: PostprocessSettings, now: PostprocessSettings): boolean {
  const same = (a: ClassPostprocess, b: ClassPostprocess) =>
    a.threshold === b.threshold &&
    a.morphology.op === b.morphology.op &&
    (a.morphology.op === 'none' || (a.morphology.size === b.morphology.size && a.morphology.shape === b.morphology.shape && a.morphology.iterations === b.morphology.iterations));
  return used.hood === now.hood && same(used.car, now.car) && same(used.road, now.road);
}


/**
 * The ranking as CSV, worst first by `key`: the frame, its grader counts per class, F0.5 road,
 * F2 vehicle, the score, and the post-processing it was scored with.
 */
export function rankingCsv(frames: readonly RankedFrame[], settings: PostprocessSettings, key: RankingKey = 'score'): string {
  const header = ['rank', 'frame', 'pair_index', 'road_tp', 'road_fp', 'road_fn', 'vehicle_tp', 'vehicle_fp', 'vehicle_fn', 'f_road', 'f_vehicle', 'score', 'settings'];
  const scoring = settingsLabel(settings);
  const rows = worstFirst(frames, key).map((f, i) => [i + 1, f.path, f.index, f.counts.road.tp, f.counts.road.fp, f.counts.road.fn, f.counts.car.tp, f.counts.car.fp, f.counts.car.fn, f.fRoad, f.fCar, f.score, scoring]);
  return csvTable(header, rows);
}
