/**
 * The dataset panel's model, apart from the browser: the problems a folder can have, and the clean
 * training set derived from the indexed pairs and the person's settings (near-duplicate threshold,
 * thinning, split ratio and seed, hood): runs, kept and dropped frames, train/val, class fractions.
 * Pure and deterministic; derive again whenever a setting changes (linear in the pair count).
 */
import { ClassStatsAccumulator, hoodClassIndex, type ClassStatsSummary } from './classStats';
import type { LabelScheme } from './labelScheme';
import { frameDifference, runsFromDifferences, thinRuns, type DuplicateRun, type ThinMode } from './nearDuplicates';
import { UNPAIRED_REASONS, type FramePair, type UnpairedFile } from './pairing';
import { DEFAULT_VAL_RATIO, splitDataset } from './split';

export type ProblemKind =
  | 'not-image'
  | 'unsupported'
  | 'corrupt'
  | 'truncated'
  | 'empty'
  | 'too-large'
  | 'size-mismatch'
  | 'no-class'
  | 'duplicate-stem'
  | 'label-not-png'
  | 'read-error';

export const PROBLEM_LABELS: Record<ProblemKind, string> = {
  'not-image': 'not an image',
  unsupported: 'unsupported format',
  corrupt: 'corrupt',
  truncated: 'truncated',
  empty: '0-byte file',
  'too-large': 'too large',
  'size-mismatch': 'size mismatch',
  'no-class': 'empty label',
  'duplicate-stem': 'duplicate stem',
  'label-not-png': 'label not PNG',
  'read-error': 'unreadable',
};

/** A file that cannot be used, and why. The rest of the dataset loads. */
export interface DatasetProblem {
  path: string;
  kind: ProblemKind;
  reason: string;
}

/**
 * Splits pairing's unpaired files into problems (files that are broken or clash: 0-byte, duplicate
 * stems, labels that are not PNG) and plain unpaired files (a frame without a label, a README).
 */
export function classifyUnpaired(unpaired: readonly UnpairedFile[]): { problems: DatasetProblem[]; unpaired: UnpairedFile[] } {
  const problems: DatasetProblem[] = [];
  const rest: UnpairedFile[] = [];
  for (const u of unpaired) {
    if (u.reason === UNPAIRED_REASONS.empty) problems.push({ path: u.path, kind: 'empty', reason: u.reason });
    else if (u.reason.startsWith('duplicate stem')) problems.push({ path: u.path, kind: 'duplicate-stem', reason: u.reason });
    else if (u.reason === UNPAIRED_REASONS.labelNotPng) problems.push({ path: u.path, kind: 'label-not-png', reason: u.reason });
    else rest.push(u);
  }
  return { problems, unpaired: rest };
}

/** The reason for a label whose size differs from its frame. */
export function sizeMismatchReason(labelWidth: number, labelHeight: number, frameWidth: number, frameHeight: number): string {
  return `label is ${labelWidth}x${labelHeight}, its frame ${frameWidth}x${frameHeight}: a label must have its frame's size`;
}

/** Problems sorted by path (natural order is the pairing's; plain order keeps this simple and stable). */
export function sortProblems(problems: DatasetProblem[]): DatasetProblem[] {
  return problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Indexed pairs and the derived set

/** What indexing found for one usable pair (thumbnails are kept elsewhere). */
export interface IndexedPair {
  width: number;
  height: number;
  /** Pixels per class over the whole label (hood pixels as labelled). */
  counts: number[];
  /** Near-duplicate signature (thumbnailSignature of the frame). */
  signature: Float32Array;
}

/** The folder of a path ('' at the top). */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * The usable pairs in pair order, and the difference between each and the next (entry i compares
 * usable[i] and usable[i + 1]). Frames in different folders or of different sizes never form a run:
 * their difference is Infinity.
 */
export function consecutiveFrameDifferences(
  pairs: readonly FramePair[],
  records: readonly (IndexedPair | null | undefined)[],
): { usable: number[]; differences: number[] } {
  const usable: number[] = [];
  for (let i = 0; i < pairs.length; i++) if (records[i]) usable.push(i);
  const differences: number[] = [];
  for (let k = 1; k < usable.length; k++) {
    const a = records[usable[k - 1]]!;
    const b = records[usable[k]]!;
    const sameFolder = folderOf(pairs[usable[k - 1]].framePath) === folderOf(pairs[usable[k]].framePath);
    const sameSize = a.width === b.width && a.height === b.height && a.signature.length === b.signature.length;
    differences.push(sameFolder && sameSize ? frameDifference(a.signature, b.signature) : Infinity);
  }
  return { usable, differences };
}

export interface DeriveSettings {
  /** Near-duplicate threshold (mean absolute thumbnail difference, 0-255). */
  threshold: number;
  /** Thinning of the runs, or null to keep every frame. */
  thin: ThinMode | null;
  /** Validation fraction of a random split. */
  valRatio: number;
  seed: number;
  splitMode: 'auto' | 'folders' | 'random';
}

export const DEFAULT_DERIVE_SETTINGS: Omit<DeriveSettings, 'threshold'> = {
  thin: null,
  valRatio: DEFAULT_VAL_RATIO,
  seed: 0,
  splitMode: 'auto',
};

export interface SplitClassStats extends ClassStatsSummary {
  /** Per class: smallest and largest fraction of one frame (0 when there are no frames). */
  frameMin: number[];
  frameMax: number[];
}

export interface DerivedDataset {
  /** Usable pairs (indices into pairs), in pair order. */
  usable: number[];
  /** Near-duplicate runs as ranges of `usable` positions (inclusive). */
  runs: DuplicateRun[];
  /** Frames inside runs. */
  runFrames: number;
  /** Pairs dropped by thinning (pair indices). */
  dropped: number[];
  split: { mode: 'folders' | 'random'; train: number[]; val: number[]; notes: string[] };
  /** Per pair index: 0 not in the set (unusable or dropped), 1 train, 2 val. */
  splitOf: Uint8Array;
  /** Class fractions per split; the hood (when given) counts as background. */
  stats: { train: SplitClassStats; val: SplitClassStats; hoodExcluded: boolean };
  /** Frame sizes of the usable pairs, most frequent first. */
  sizes: { width: number; height: number; count: number }[];
}

export interface DeriveInput {
  pairs: readonly FramePair[];
  records: readonly (IndexedPair | null | undefined)[];
  /** From consecutiveFrameDifferences on the same pairs and records. */
  usable: readonly number[];
  differences: readonly number[];
  scheme: LabelScheme;
  /**
   * Per pair index: pixels of the hood value inside the hood (to count as background), or null for
   * no hood. A NaN entry means the hood does not apply to that pair (another frame size).
   */
  hoodOverlaps: Float64Array | null;
  settings: DeriveSettings;
}

/** Maps runs over the usable list onto the kept list (thinning keeps each run's first frame in place). */
function runsOverKept(runs: readonly DuplicateRun[], usable: readonly number[], keptPos: Int32Array): DuplicateRun[] {
  const out: DuplicateRun[] = [];
  for (const r of runs) {
    let first = -1;
    let last = -1;
    for (let p = r.start; p <= r.end; p++) {
      const k = keptPos[usable[p]];
      if (k < 0) continue;
      if (first < 0) first = k;
      last = k;
    }
    if (first >= 0 && last > first) out.push({ start: first, end: last });
  }
  return out;
}

function splitStats(
  names: string[],
  indices: readonly number[],
  records: DeriveInput['records'],
  hoodOverlaps: Float64Array | null,
  hoodClass: number | null,
  restClass: number,
): SplitClassStats {
  const acc = new ClassStatsAccumulator(names);
  const frameMin = names.map(() => Infinity);
  const frameMax = names.map(() => 0);
  const counts = new Float64Array(names.length);
  for (const i of indices) {
    const r = records[i]!;
    for (let c = 0; c < counts.length; c++) counts[c] = r.counts[c] ?? 0;
    const overlap = hoodOverlaps ? hoodOverlaps[i] : NaN;
    if (hoodClass !== null && overlap > 0) {
      const moved = Math.min(overlap, counts[hoodClass]);
      counts[hoodClass] -= moved;
      counts[restClass] += moved;
    }
    acc.addCounts(counts);
    const total = r.width * r.height;
    for (let c = 0; c < counts.length; c++) {
      const f = total > 0 ? counts[c] / total : 0;
      if (f < frameMin[c]) frameMin[c] = f;
      if (f > frameMax[c]) frameMax[c] = f;
    }
  }
  return { ...acc.summary(), frameMin: frameMin.map((v) => (Number.isFinite(v) ? v : 0)), frameMax };
}

/** The clean set for the current settings. */
export function deriveDataset(input: DeriveInput): DerivedDataset {
  const { pairs, records, usable, differences, scheme, hoodOverlaps, settings } = input;
  const runs = runsFromDifferences(differences as number[], settings.threshold);
  let runFrames = 0;
  for (const r of runs) runFrames += r.end - r.start + 1;

  let kept: number[] = [...usable];
  let dropped: number[] = [];
  if (settings.thin) {
    const t = thinRuns(usable, runs, settings.thin);
    kept = t.kept;
    dropped = t.dropped;
  }
  const keptPos = new Int32Array(pairs.length).fill(-1);
  kept.forEach((i, k) => (keptPos[i] = k));

  const s = splitDataset(
    kept.map((i) => ({ id: String(i), split: pairs[i].split })),
    { valRatio: settings.valRatio, seed: settings.seed, mode: settings.splitMode, runs: runsOverKept(runs, usable, keptPos) },
  );
  const train = s.train.map(Number);
  const val = s.val.map(Number);
  const splitOf = new Uint8Array(pairs.length);
  for (const i of train) splitOf[i] = 1;
  for (const i of val) splitOf[i] = 2;
  const notes = [...s.notes];
  if (dropped.length > 0) notes.push(`${dropped.length} near-duplicate frame(s) thinned out before the split`);

  const names = scheme.classes.map((c) => c.name);
  const hoodClass = hoodOverlaps ? hoodClassIndex(scheme) : null;
  const stats = {
    train: splitStats(names, train, records, hoodOverlaps, hoodClass, scheme.restClass),
    val: splitStats(names, val, records, hoodOverlaps, hoodClass, scheme.restClass),
    hoodExcluded: hoodClass !== null,
  };

  const sizeCounts = new Map<string, { width: number; height: number; count: number }>();
  for (const i of usable) {
    const r = records[i]!;
    const key = `${r.width}x${r.height}`;
    const e = sizeCounts.get(key);
    if (e) e.count++;
    else sizeCounts.set(key, { width: r.width, height: r.height, count: 1 });
  }
  const sizes = [...sizeCounts.values()].sort((a, b) => b.count - a.count || b.width * b.height - a.width * a.height);

  return { usable: [...usable], runs, runFrames, dropped, split: { mode: s.mode, train, val, notes }, splitOf, stats, sizes };
}

/** Runs as pair-index ranges, for a list a person reads. */
export function runsAsPairs(derived: Pick<DerivedDataset, 'runs' | 'usable'>): { first: number; last: number; frames: number }[] {
  return derived.runs.map((r) => ({ first: derived.usable[r.start], last: derived.usable[r.end], frames: r.end - r.start + 1 }));
}
