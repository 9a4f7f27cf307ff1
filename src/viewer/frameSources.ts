/**
 * What the viewer can show, from the files a person dropped or picked: images (with their label
 * when the files form a dataset layout: CameraRGB/ + CameraSeg/, images/ + labels/, x.png +
 * x_label.png), and videos. Anything else is reported by name. Plain data: `F` is a File in the
 * browser and anything in tests.
 */
import { IMAGE_EXTENSIONS, naturalCompare, pairFiles, UNPAIRED_REASONS } from '../data/pairing';

export const VIDEO_EXTENSIONS: readonly string[] = ['mp4', 'webm', 'm4v', 'mov', 'ogv', 'mkv'];

export interface ListedFile<F> {
  /** '/'-separated path (or just the name). */
  path: string;
  size: number;
  /** MIME type when known ('' otherwise). */
  type: string;
  file: F;
}

export interface ViewerItem<F> {
  kind: 'image' | 'video';
  /** Path shown and named in messages. */
  path: string;
  file: F;
  /** The ground-truth label image, when the files paired it with this frame. */
  label: F | null;
  labelPath: string | null;
}

export interface SourceProblem {
  path: string;
  reason: string;
}

function extension(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function isVideoFile(path: string, type: string): boolean {
  return type.startsWith('video/') || VIDEO_EXTENSIONS.includes(extension(path));
}

export function isImageFile(path: string, type: string): boolean {
  return (type.startsWith('image/') && type !== 'image/svg+xml') || IMAGE_EXTENSIONS.includes(extension(path));
}

/** Sorts listed files into viewer items (frames in natural path order, then videos) and problems. */
export function viewerItemsFromFiles<F>(files: readonly ListedFile<F>[]): { items: ViewerItem<F>[]; problems: SourceProblem[] } {
  const problems: SourceProblem[] = [];
  const images: ListedFile<F>[] = [];
  const videos: ListedFile<F>[] = [];
  for (const f of files) {
    if (f.size === 0) problems.push({ path: f.path, reason: 'the file is empty (0 bytes)' });
    else if (isVideoFile(f.path, f.type)) videos.push(f);
    else if (isImageFile(f.path, f.type)) images.push(f);
    else problems.push({ path: f.path, reason: 'not an image (PNG, JPEG, WebP) or a video (MP4, WebM)' });
  }
  const byPath = new Map(images.map((f) => [f.path, f]));
  const items: ViewerItem<F>[] = [];
  const used = new Set<string>();
  const pairing = images.length > 1 ? pairFiles(images.map((f) => ({ path: f.path, size: f.size }))) : null;
  for (const p of pairing?.pairs ?? []) {
    const frame = byPath.get(p.framePath);
    const label = byPath.get(p.labelPath);
    if (!frame || !label) continue;
    items.push({ kind: 'image', path: frame.path, file: frame.file, label: label.file, labelPath: label.path });
    used.add(frame.path).add(label.path);
  }
  const labelsAlone = new Set((pairing?.unpaired ?? []).filter((u) => u.reason === UNPAIRED_REASONS.labelWithoutFrame).map((u) => u.path));
  for (const f of images) {
    if (used.has(f.path) || labelsAlone.has(f.path)) continue;
    items.push({ kind: 'image', path: f.path, file: f.file, label: null, labelPath: null });
  }
  for (const path of labelsAlone) problems.push({ path, reason: 'a label without its frame (not shown)' });
  items.sort((a, b) => naturalCompare(a.path, b.path));
  for (const v of [...videos].sort((a, b) => naturalCompare(a.path, b.path))) items.push({ kind: 'video', path: v.path, file: v.file, label: null, labelPath: null });
  return { items, problems };
}
