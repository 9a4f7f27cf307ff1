/**
 * Train/validation split. When the dataset's folders name a validation set (pairs with split 'val'),
 * the folders decide. Otherwise a seeded random split by ratio, over units: each near-duplicate run
 * (see nearDuplicates.ts) is one unit, every other frame its own unit, so the frames of one run
 * never straddle train and val (validating on copies of training frames would flatter the score).
 * Deterministic: the same items, runs, ratio and seed give the same split.
 */
import type { DuplicateRun } from './nearDuplicates';
import type { SplitName } from './pairing';

/** The seeded generator splits and augmentation draw from. */
import { seededRandom } from '../util/seededRandom';

export const createSeededRng = seededRandom;

export interface SplitItem {
  id: string;
  /** From the folders (FramePair.split); null when the folders say nothing. */
  split: SplitName | null;
}

export interface SplitOptions {
  /** Fraction of frames for validation in a random split, 0..1 (default 0.1). */
  valRatio?: number;
  /** Seed of the random split (default 0). */
  seed?: number;
  /** Near-duplicate runs as index ranges into `items` (inclusive), e.g. from findRuns on the same order. */
  runs?: readonly DuplicateRun[];
  /** 'auto' (default): folders when any item is marked 'val', else random. */
  mode?: 'auto' | 'folders' | 'random';
}

export interface SplitResult {
  mode: 'folders' | 'random';
  /** Ids in input order. */
  train: string[];
  val: string[];
  /** What was decided, for the user: e.g. unmarked frames put in train, the ratio actually reached. */
  notes: string[];
}

export const DEFAULT_VAL_RATIO = 0.1;

function checkRuns(runs: readonly DuplicateRun[], n: number): void {
  const sorted = [...runs].sort((a, b) => a.start - b.start);
  let last = -1;
  for (const r of sorted) {
    if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 0 && r.end < n && r.start <= r.end)) {
      throw new RangeError(`split: run ${r.start}-${r.end} is outside the ${n} items`);
    }
    if (r.start <= last) throw new RangeError(`split: runs overlap at item ${r.start}`);
    last = r.end;
  }
}

/** Splits items into train and val; see the file comment. */
export function splitDataset(items: readonly SplitItem[], options: SplitOptions = {}): SplitResult {
  const ratio = options.valRatio ?? DEFAULT_VAL_RATIO;
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`split: validation ratio ${ratio} is not in 0..1`);
  const runs = options.runs ?? [];
  checkRuns(runs, items.length);
  const mode = options.mode ?? 'auto';
  const hasVal = items.some((it) => it.split === 'val');

  if (mode === 'folders' || (mode === 'auto' && hasVal)) {
    const train: string[] = [];
    const val: string[] = [];
    let unmarked = 0;
    for (const it of items) {
      if (it.split === 'val') val.push(it.id);
      else {
        train.push(it.id);
        if (it.split === null) unmarked++;
      }
    }
    const notes = [`split from folders: ${train.length} train, ${val.length} val`];
    if (unmarked > 0) notes.push(`${unmarked} frame(s) outside train/val folders were put in train`);
    if (val.length === 0) notes.push('no validation folder: the validation set is empty');
    return { mode: 'folders', train, val, notes };
  }

  // Units: runs whole, other frames alone.
  const unitOf = new Int32Array(items.length).fill(-1);
  const units: Array<{ start: number; end: number }> = [];
  for (const r of [...runs].sort((a, b) => a.start - b.start)) {
    for (let i = r.start; i <= r.end; i++) unitOf[i] = units.length;
    units.push({ start: r.start, end: r.end });
  }
  for (let i = 0; i < items.length; i++) {
    if (unitOf[i] < 0) {
      unitOf[i] = units.length;
      units.push({ start: i, end: i });
    }
  }
  units.sort((a, b) => a.start - b.start);
  for (let u = 0; u < units.length; u++) for (let i = units[u].start; i <= units[u].end; i++) unitOf[i] = u;

  // Fisher-Yates over the units with the seeded generator.
  const rng = createSeededRng(options.seed ?? 0);
  const order = units.map((_, u) => u);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }

  // Fill val in shuffled order; take a unit when it brings the count no further from the target.
  const n = items.length;
  let target = Math.round(ratio * n);
  if (ratio > 0 && n >= 2) target = Math.max(1, target);
  if (ratio < 1 && n >= 2) target = Math.min(n - 1, target);
  const inVal = new Uint8Array(units.length);
  let valCount = 0;
  for (const u of order) {
    if (valCount >= target) break;
    const size = units[u].end - units[u].start + 1;
    if (valCount + size - target <= target - valCount) {
      inVal[u] = 1;
      valCount += size;
    }
  }
  const train: string[] = [];
  const val: string[] = [];
  items.forEach((it, i) => (inVal[unitOf[i]] ? val : train).push(it.id));
  const notes = [
    `random split (seed ${options.seed ?? 0}): ${train.length} train, ${val.length} val ` +
      `(${n > 0 ? ((100 * val.length) / n).toFixed(1) : '0.0'} % val, asked ${(100 * ratio).toFixed(1)} %)`,
  ];
  if (runs.length > 0) notes.push(`${runs.length} near-duplicate run(s) kept whole on one side`);
  return { mode: 'random', train, val, notes };
}
