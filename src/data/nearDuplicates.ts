/**
 * Near-duplicate runs among consecutive frames (a car waiting at a light records the same view for
 * many frames; the original removed such runs by hand because they cause overfitting).
 *
 * Cheap by design: each frame becomes a small grayscale thumbnail (box averages), consecutive
 * thumbnails are compared by mean absolute difference on the 0-255 scale, and frames within a
 * threshold of their predecessor chain into runs.
 *
 * Default threshold, measured on the real frames in shared/data/lyft-real (32x24 thumbnails;
 * test/data/nearDuplicates.test.ts prints the numbers for a window of them):
 * - train/: 119 consecutive pairs of one drive sampled every 4th frame: min 0.13, median 8.6,
 *   max 19.0. Bimodal: while the car waits (at a red light, 000_0149-000_0193; at the start and
 *   end of the drive) 0.13-1.2; while it moves or the scene changes 1.9-19 (only 1.9 and 2.0 below
 *   2.5, where another car drives up beside the waiting one).
 * - val/ (frames of other drives): 31.9-50.4 between each other, 16.4-54.1 against train frames.
 * - the same frame with +-10 pixel noise: 0.43; shifted 2 pixels sideways: 0.69.
 * A threshold of 1.5 sits in the gap between waiting (<= 1.2) and moving (>= 1.9): it catches the
 * runs the original removed by hand (a car waiting at a light) and thins nothing of a moving drive.
 * Frames recorded at a higher rate than every 4th differ less while moving, so a dataset of every
 * frame may need a lower threshold: look at its consecutiveDifferences before changing it.
 */

export const DEFAULT_THUMBNAIL_WIDTH = 32;
export const DEFAULT_THUMBNAIL_HEIGHT = 24;
/** Mean absolute thumbnail difference (0-255) at or below which a frame repeats its predecessor. */
export const DEFAULT_DUPLICATE_THRESHOLD = 1.5;

export interface ThumbnailOptions {
  /** Thumbnail size (default 32x24). */
  width?: number;
  height?: number;
}

/**
 * A grayscale thumbnail of an interleaved 8-bit image (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; alpha
 * ignored), each cell the mean luma (Rec. 601 weights) of its box of pixels. Values in 0..255.
 * An image smaller than the thumbnail repeats pixels instead of leaving cells empty.
 */
export function thumbnailSignature(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  options: ThumbnailOptions = {},
): Float32Array {
  const tw = options.width ?? DEFAULT_THUMBNAIL_WIDTH;
  const th = options.height ?? DEFAULT_THUMBNAIL_HEIGHT;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`thumbnailSignature: bad image size ${width}x${height}`);
  }
  if (!(Number.isInteger(tw) && Number.isInteger(th) && tw > 0 && th > 0)) {
    throw new RangeError(`thumbnailSignature: bad thumbnail size ${tw}x${th}`);
  }
  if (!(channels >= 1 && channels <= 4) || pixels.length !== width * height * channels) {
    throw new RangeError(`thumbnailSignature: ${pixels.length} values for ${width}x${height}x${channels}`);
  }
  // Luma of every pixel of a row is needed once per row, so sum per row into column cells first.
  const colStart = new Int32Array(tw + 1);
  const colEnd = new Int32Array(tw);
  for (let c = 0; c < tw; c++) {
    colStart[c] = Math.floor((c * width) / tw);
    colEnd[c] = Math.max(colStart[c] + 1, Math.floor(((c + 1) * width) / tw));
  }
  const out = new Float32Array(tw * th);
  const rowSums = new Float64Array(tw);
  const gray = channels >= 3;
  for (let r = 0; r < th; r++) {
    const y0 = Math.floor((r * height) / th);
    const y1 = Math.max(y0 + 1, Math.floor(((r + 1) * height) / th));
    rowSums.fill(0);
    for (let y = y0; y < y1; y++) {
      const rowBase = y * width * channels;
      for (let c = 0; c < tw; c++) {
        let s = 0;
        for (let x = colStart[c], o = rowBase + x * channels; x < colEnd[c]; x++, o += channels) {
          s += gray ? 0.299 * pixels[o] + 0.587 * pixels[o + 1] + 0.114 * pixels[o + 2] : pixels[o];
        }
        rowSums[c] += s;
      }
    }
    for (let c = 0; c < tw; c++) out[r * tw + c] = rowSums[c] / ((y1 - y0) * (colEnd[c] - colStart[c]));
  }
  return out;
}

/** Mean absolute difference of two signatures (0..255 for thumbnails of 8-bit images). */
export function frameDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`frameDifference: signatures of ${a.length} and ${b.length} values`);
  if (a.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Differences between each signature and the previous one: length n - 1 (entry i compares i and i + 1). */
export function consecutiveDifferences(signatures: readonly ArrayLike<number>[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < signatures.length; i++) out.push(frameDifference(signatures[i - 1], signatures[i]));
  return out;
}

/** A run of near-identical consecutive frames: indices start..end inclusive, at least 2 frames. */
export interface DuplicateRun {
  start: number;
  end: number;
}

/** Runs from consecutive differences (entry i compares frames i and i + 1): maximal chains within `threshold`. */
export function runsFromDifferences(differences: readonly number[], threshold: number): DuplicateRun[] {
  const runs: DuplicateRun[] = [];
  let start = -1;
  for (let i = 0; i < differences.length; i++) {
    if (differences[i] <= threshold) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push({ start, end: i });
      start = -1;
    }
  }
  if (start >= 0) runs.push({ start, end: differences.length });
  return runs;
}

/**
 * Runs of >= 2 consecutive frames, each within `threshold` of the previous one (signatures in
 * frame order, e.g. by natural file name within one folder).
 */
export function findRuns(signatures: readonly ArrayLike<number>[], threshold: number = DEFAULT_DUPLICATE_THRESHOLD): DuplicateRun[] {
  return runsFromDifferences(consecutiveDifferences(signatures), threshold);
}

export type ThinMode = { keep: 'first' } | { keep: 'every'; k: number };

/**
 * Thins each run: 'first' keeps its first frame; 'every' keeps frames start, start + k, ...
 * Frames outside runs are always kept. Both lists stay in the input order.
 */
export function thinRuns<T>(ids: readonly T[], runs: readonly DuplicateRun[], mode: ThinMode): { kept: T[]; dropped: T[] } {
  const k = mode.keep === 'first' ? Infinity : mode.k;
  if (!(k >= 1) || (k !== Infinity && !Number.isInteger(k))) throw new RangeError(`thinRuns: k must be a whole number >= 1, got ${k}`);
  const drop = new Uint8Array(ids.length);
  for (const r of runs) {
    if (!(r.start >= 0 && r.end < ids.length && r.start <= r.end)) {
      throw new RangeError(`thinRuns: run ${r.start}-${r.end} is outside the ${ids.length} ids`);
    }
    for (let i = r.start + 1; i <= r.end; i++) if ((i - r.start) % k !== 0) drop[i] = 1;
  }
  const kept: T[] = [];
  const dropped: T[] = [];
  ids.forEach((id, i) => (drop[i] ? dropped : kept).push(id));
  return { kept, dropped };
}
