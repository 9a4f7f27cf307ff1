/**
 * Pairs camera frames with their label images from a plain list of file paths, whatever folder the
 * user picked. Three layouts are recognised:
 *
 * - 'challenge': the Lyft challenge's `CameraRGB/NAME` + `CameraSeg/NAME.png`, below any parent
 *   folder (`Train/`, `Val/`, `data/train/`, ...). Sub-folders inside CameraRGB are mirrored in CameraSeg.
 * - 'images-labels': `images/STEM.*` + `labels|masks|annotations/STEM.png` (singular names too),
 *   side by side below any parent; a label may also carry a `_label|_mask|_seg` suffix.
 * - 'suffix': `STEM.*` + `STEM_label|_mask|_seg.png` in the same folder.
 *
 * Every layout is tried; the one pairing the most frames wins (ties: the order above). Files that
 * do not end up in a pair are listed with the reason. Pure and deterministic: the result depends
 * only on the list's contents, not its order. Linear apart from one natural sort.
 */

export type DatasetLayout = 'challenge' | 'images-labels' | 'suffix' | 'none';
export type SplitName = 'train' | 'val';

export interface FileEntry {
  /** Relative, '/'-separated, e.g. 'Train/CameraRGB/12.png'. */
  path: string;
  /** Size in bytes. */
  size: number;
}

export interface FramePair {
  /** Unique within the result: the frame's path without its extension. */
  id: string;
  framePath: string;
  labelPath: string;
  /** From a folder named train/training or val/valid/validation on the frame's path; null when none. */
  split: SplitName | null;
  /** The frame's file name without its extension. */
  stem: string;
}

export interface UnpairedFile {
  path: string;
  reason: string;
}

export interface PairingResult {
  layout: DatasetLayout;
  /** Naturally sorted by frame path (2 before 10). */
  pairs: FramePair[];
  /** Naturally sorted by path. */
  unpaired: UnpairedFile[];
}

export const IMAGE_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg', 'webp'];

export const UNPAIRED_REASONS = {
  notImage: 'not an image type',
  empty: '0-byte file',
  frameWithoutLabel: 'frame without a label',
  labelWithoutFrame: 'label without a frame',
  labelNotPng: 'label is not a PNG (labels must be PNG: lossy formats change the class ids)',
  outsideFolders: 'not in a frame or label folder of this layout',
  noLayout:
    'no dataset layout recognised (expected CameraRGB/ + CameraSeg/, images/ + labels/, or x.png + x_label.png)',
} as const;

const LABEL_SUFFIX = /^(.*)[_](label|labels|mask|masks|seg)$/i;
const FRAME_FOLDERS = new Set(['images', 'image', 'imgs']);
const LABEL_FOLDERS = new Set(['labels', 'label', 'masks', 'mask', 'annotations', 'annotation']);
const TRAIN_FOLDERS = new Set(['train', 'training']);
const VAL_FOLDERS = new Set(['val', 'valid', 'validation']);

// ---------------------------------------------------------------------------------------------
// Natural order

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Natural comparison: digit runs compare by value ('2' < '10'), the rest by UTF-16 code unit. */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ie = i;
      while (ie < a.length && isDigit(a.charCodeAt(ie))) ie++;
      let je = j;
      while (je < b.length && isDigit(b.charCodeAt(je))) je++;
      // Skip leading zeros, then compare by length, then digit by digit.
      let is = i;
      while (is < ie - 1 && a.charCodeAt(is) === 48) is++;
      let js = j;
      while (js < je - 1 && b.charCodeAt(js) === 48) js++;
      const la = ie - is;
      const lb = je - js;
      if (la !== lb) return la - lb;
      for (let k = 0; k < la; k++) {
        const d = a.charCodeAt(is + k) - b.charCodeAt(js + k);
        if (d !== 0) return d;
      }
      // Same value: fewer leading zeros first.
      const za = ie - i;
      const zb = je - j;
      if (za !== zb) return za - zb;
      i = ie;
      j = je;
    } else {
      if (ca !== cb) return ca - cb;
      i++;
      j++;
    }
  }
  return a.length - i - (b.length - j);
}

// ---------------------------------------------------------------------------------------------
// Path parsing

interface ParsedPath {
  path: string;
  size: number;
  /** Folder segments (without the file name). */
  dirs: string[];
  /** Lower-case folder segments. */
  dirsLower: string[];
  name: string;
  stem: string;
  /** Lower-case extension without the dot ('' when none). */
  ext: string;
  /** The split its folders name (splitFromPath). */
  split: SplitName | null;
}

function parse(entry: FileEntry): ParsedPath {
  const path = entry.path.includes('\\') ? entry.path.replace(/\\/g, '/') : entry.path;
  let parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.')) parts = parts.filter((p) => p !== '' && p !== '.');
  const name = parts.pop() ?? '';
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const dirsLower = parts.map((p) => p.toLowerCase());
  return { path: entry.path, size: entry.size, dirs: parts, dirsLower, name, stem, ext, split: splitFromPath(dirsLower) };
}

/** The split named by the nearest train/val folder on the path, or null. */
export function splitFromPath(dirs: readonly string[]): SplitName | null {
  for (let k = dirs.length - 1; k >= 0; k--) {
    const d = dirs[k].toLowerCase();
    if (TRAIN_FOLDERS.has(d)) return 'train';
    if (VAL_FOLDERS.has(d)) return 'val';
  }
  return null;
}

function withoutExtension(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(0, dot) : path;
}

/** Frames: the extension preference when two frames share a stem (then the path, naturally). */
function extRank(ext: string): number {
  const r = IMAGE_EXTENSIONS.indexOf(ext);
  return r < 0 ? IMAGE_EXTENSIONS.length : r;
}

// ---------------------------------------------------------------------------------------------
// Generic matching by key

/** A file placed by a layout: a frame or a label with the key it pairs by. */
interface Candidate {
  file: ParsedPath;
  role: 'frame' | 'label';
  key: string;
  /** Lower ranks win duplicates. */
  rank: number;
}

interface LayoutAttempt {
  layout: Exclude<DatasetLayout, 'none'>;
  /** Whether the layout's folders or names are present at all (used when nothing pairs). */
  detected: boolean;
  pairs: FramePair[];
  unpaired: UnpairedFile[];
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return a.rank - b.rank || naturalCompare(a.file.path, b.file.path);
}

/**
 * Pairs frame and label candidates by key. `others` are the image files the layout could not place.
 * Labels that are not PNG are reported (and do not pair); duplicates by key keep the best-ranked file.
 */
function match(
  layout: LayoutAttempt['layout'],
  detected: boolean,
  candidates: Candidate[],
  others: UnpairedFile[],
  notes: Map<string, string>,
): LayoutAttempt {
  const unpaired: UnpairedFile[] = [...others];
  const frames = new Map<string, Candidate[]>();
  const labels = new Map<string, Candidate[]>();
  // Map iteration follows insertion; candidates come in natural path order, so results are stable.
  for (const c of candidates) {
    if (c.role === 'label' && c.file.ext !== 'png') {
      unpaired.push({ path: c.file.path, reason: UNPAIRED_REASONS.labelNotPng });
      const noteKey = `label\u0000${c.key}`;
      if (!notes.has(noteKey)) notes.set(noteKey, `${c.file.path} is not a PNG`);
      continue;
    }
    const map = c.role === 'frame' ? frames : labels;
    const list = map.get(c.key);
    if (list) list.push(c);
    else map.set(c.key, [c]);
  }
  const pick = (list: Candidate[]): Candidate => {
    if (list.length > 1) {
      list.sort(compareCandidates);
      for (let k = 1; k < list.length; k++) {
        unpaired.push({ path: list[k].file.path, reason: `duplicate stem ${list[k].file.stem} (also ${list[0].file.path})` });
      }
    }
    return list[0];
  };
  const pairs: FramePair[] = [];
  for (const [key, list] of frames) {
    const frame = pick(list);
    const labelList = labels.get(key);
    if (!labelList) {
      const note = notes.get(`label\u0000${key}`);
      unpaired.push({ path: frame.file.path, reason: note ? `${UNPAIRED_REASONS.frameWithoutLabel} (${note})` : UNPAIRED_REASONS.frameWithoutLabel });
      continue;
    }
    const label = pick(labelList);
    pairs.push({
      id: withoutExtension(frame.file.path),
      framePath: frame.file.path,
      labelPath: label.file.path,
      split: frame.file.split,
      stem: frame.file.stem,
    });
  }
  for (const [key, list] of labels) {
    if (frames.has(key)) continue;
    const label = pick(list);
    const note = notes.get(`frame\u0000${key}`);
    unpaired.push({ path: label.file.path, reason: note ? `${UNPAIRED_REASONS.labelWithoutFrame} (${note})` : UNPAIRED_REASONS.labelWithoutFrame });
  }
  return { layout, detected, pairs, unpaired };
}

// ---------------------------------------------------------------------------------------------
// The layouts. Each maps an image file to a candidate (role + key), or null when it does not fit.

type Placer = (f: ParsedPath) => Omit<Candidate, 'file'> | null;

/** Key: the folders above the role folder, the sub-folders below it, and the stem. */
function folderKey(f: ParsedPath, at: number): string {
  return `${f.dirs.slice(0, at).join('/')}\u0000${f.dirs.slice(at + 1).join('/')}\u0000${f.stem}`;
}

/** Index of the deepest folder on the path whose lower-case name is in `names`, or -1. */
function lastFolderIn(f: ParsedPath, names: ReadonlySet<string>): number {
  for (let k = f.dirsLower.length - 1; k >= 0; k--) if (names.has(f.dirsLower[k])) return k;
  return -1;
}

const CHALLENGE_FRAME = new Set(['camerargb']);
const CHALLENGE_LABEL = new Set(['cameraseg']);

const placeChallenge: Placer = (f) => {
  const fi = lastFolderIn(f, CHALLENGE_FRAME);
  const li = lastFolderIn(f, CHALLENGE_LABEL);
  if (fi < 0 && li < 0) return null;
  if (fi > li) return { role: 'frame', key: folderKey(f, fi), rank: extRank(f.ext) };
  return { role: 'label', key: folderKey(f, li), rank: 0 };
};

const placeImagesLabels: Placer = (f) => {
  const fi = lastFolderIn(f, FRAME_FOLDERS);
  const li = lastFolderIn(f, LABEL_FOLDERS);
  if (fi < 0 && li < 0) return null;
  if (fi > li) return { role: 'frame', key: folderKey(f, fi), rank: extRank(f.ext) };
  // Prefer 'labels' over 'masks' over 'annotations' when several hold the same stem.
  const name = f.dirsLower[li];
  const rank = name.startsWith('label') ? 0 : name.startsWith('mask') ? 1 : 2;
  return { role: 'label', key: folderKey(f, li), rank };
};

const placeSuffix: Placer = (f) => {
  const m = LABEL_SUFFIX.exec(f.stem);
  const dir = f.dirs.join('/');
  if (m && m[1] !== '') return { role: 'label', key: `${dir}\u0000${m[1]}`, rank: 0 };
  return { role: 'frame', key: `${dir}\u0000${f.stem}`, rank: extRank(f.ext) };
};

function attempt(
  layout: LayoutAttempt['layout'],
  place: Placer,
  images: ParsedPath[],
  empties: ParsedPath[],
  detect: (placed: Candidate[]) => boolean,
): LayoutAttempt {
  const candidates: Candidate[] = [];
  const others: UnpairedFile[] = [];
  for (const f of images) {
    const p = place(f);
    if (p) candidates.push({ file: f, role: p.role, key: p.key, rank: p.rank });
    else others.push({ path: f.path, reason: UNPAIRED_REASONS.outsideFolders });
  }
  // Notes for a partner that is missing because it is empty (or, in match(), not a PNG).
  const notes = new Map<string, string>();
  for (const f of empties) {
    const p = place(f);
    const key = p ? `${p.role}\u0000${p.key}` : '';
    if (p && !notes.has(key)) notes.set(key, `${f.path} is a 0-byte file`);
  }
  const result = match(layout, detect(candidates), candidates, others, notes);
  if (layout === 'images-labels') relinkSuffixedLabels(result, images);
  return result;
}

/**
 * images/ + masks/ datasets sometimes name labels `STEM_mask.png`: after exact matching, such a
 * label without a frame pairs with the frame `STEM` left without a label in the mirrored folder.
 */
function relinkSuffixedLabels(result: LayoutAttempt, images: ParsedPath[]): void {
  const lonelyFrames = new Map<string, UnpairedFile>();
  const byPath = new Map(images.map((f) => [f.path, f]));
  for (const u of result.unpaired) {
    if (u.reason !== UNPAIRED_REASONS.frameWithoutLabel) continue;
    const f = byPath.get(u.path)!;
    const p = placeImagesLabels(f)!;
    if (!lonelyFrames.has(p.key)) lonelyFrames.set(p.key, u);
  }
  if (lonelyFrames.size === 0) return;
  const removed = new Set<UnpairedFile>();
  for (const u of result.unpaired) {
    if (u.reason !== UNPAIRED_REASONS.labelWithoutFrame) continue;
    const f = byPath.get(u.path)!;
    const m = LABEL_SUFFIX.exec(f.stem);
    if (!m || m[1] === '') continue;
    const li = lastFolderIn(f, LABEL_FOLDERS);
    const key = `${f.dirs.slice(0, li).join('/')}\u0000${f.dirs.slice(li + 1).join('/')}\u0000${m[1]}`;
    const frame = lonelyFrames.get(key);
    if (!frame) continue;
    lonelyFrames.delete(key);
    removed.add(frame).add(u);
    const ff = byPath.get(frame.path)!;
    result.pairs.push({ id: withoutExtension(ff.path), framePath: ff.path, labelPath: f.path, split: ff.split, stem: ff.stem });
  }
  if (removed.size > 0) result.unpaired = result.unpaired.filter((u) => !removed.has(u));
}

/** Detects the layout of a list of files and pairs frames with labels. */
export function pairFiles(files: readonly FileEntry[]): PairingResult {
  const images: ParsedPath[] = [];
  const empties: ParsedPath[] = [];
  const skipped: UnpairedFile[] = [];
  for (const entry of files) {
    const f = parse(entry);
    if (!IMAGE_EXTENSIONS.includes(f.ext)) skipped.push({ path: f.path, reason: UNPAIRED_REASONS.notImage });
    else if (!(f.size > 0)) {
      skipped.push({ path: f.path, reason: UNPAIRED_REASONS.empty });
      empties.push(f);
    } else images.push(f);
  }
  // Sorted first, so every later map and tie is independent of the input order.
  const byPath = (a: ParsedPath, b: ParsedPath) => naturalCompare(a.path, b.path);
  images.sort(byPath);
  empties.sort(byPath);

  // Try only the layouts whose folders or names occur at all (one cheap pass).
  let hasChallenge = false;
  let hasFrameFolder = false;
  let hasLabelFolder = false;
  let hasSuffix = false;
  for (const f of images) {
    for (const d of f.dirsLower) {
      if (CHALLENGE_FRAME.has(d) || CHALLENGE_LABEL.has(d)) hasChallenge = true;
      else if (FRAME_FOLDERS.has(d)) hasFrameFolder = true;
      else if (LABEL_FOLDERS.has(d)) hasLabelFolder = true;
    }
    if (!hasSuffix && LABEL_SUFFIX.test(f.stem)) hasSuffix = true;
  }
  const attempts: LayoutAttempt[] = [];
  if (hasChallenge) attempts.push(attempt('challenge', placeChallenge, images, empties, (c) => c.length > 0));
  if (hasFrameFolder && hasLabelFolder) attempts.push(attempt('images-labels', placeImagesLabels, images, empties, () => true));
  if (hasSuffix) attempts.push(attempt('suffix', placeSuffix, images, empties, () => true));
  let best: LayoutAttempt | null = null;
  for (const a of attempts) if (a.pairs.length > 0 && (!best || a.pairs.length > best.pairs.length)) best = a;
  if (!best) best = attempts.find((a) => a.detected) ?? null;

  let layout: DatasetLayout;
  let pairs: FramePair[];
  let unpaired: UnpairedFile[];
  if (best) {
    layout = best.layout;
    pairs = best.pairs;
    unpaired = [...skipped, ...best.unpaired];
  } else {
    layout = 'none';
    pairs = [];
    unpaired = [...skipped, ...images.map((f) => ({ path: f.path, reason: UNPAIRED_REASONS.noLayout }))];
  }
  pairs.sort((a, b) => naturalCompare(a.framePath, b.framePath));
  unpaired.sort((a, b) => naturalCompare(a.path, b.path) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  return { layout, pairs, unpaired };
}

/** Counts for a summary line: pairs per split and unpaired files per reason (reason text up to '('). */
export function pairingSummary(result: PairingResult): { pairs: number; train: number; val: number; unsplit: number; unpaired: Record<string, number> } {
  let train = 0;
  let val = 0;
  let unsplit = 0;
  for (const p of result.pairs) {
    if (p.split === 'train') train++;
    else if (p.split === 'val') val++;
    else unsplit++;
  }
  const unpaired: Record<string, number> = {};
  for (const u of result.unpaired) {
    const key = u.reason.startsWith('duplicate stem') ? 'duplicate stem' : u.reason.replace(/\s*\(.*$/, '');
    unpaired[key] = (unpaired[key] ?? 0) + 1;
  }
  return { pairs: result.pairs.length, train, val, unsplit, unpaired };
}
