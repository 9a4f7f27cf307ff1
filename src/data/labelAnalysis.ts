/**
 * What the dataset panel needs from one label image, computed once while indexing (in the worker):
 * class pixel counts under the label scheme, whether the label holds anything to learn from, the
 * mask of the hood value for the hood estimator, that mask as compact runs (so the hood's overlap
 * with every label can be counted again when the hood changes, without decoding the labels again),
 * and a small class-coloured overlay for thumbnails.
 */
import { classPixelCounts } from './classStats';
import { decodeLabel, valueMask, type LabelScheme } from './labelScheme';

export interface LabelAnalysis {
  /** Pixels per class of the scheme (the whole label; hood pixels count as their labelled class). */
  counts: number[];
  /** Class index per pixel (decodeLabel). */
  classMap: Uint8Array;
  /** Pixels of any class other than the scheme's rest (background) class. */
  foreground: number;
  /** 0/1 mask of the scheme's hood value (CARLA: 10, vehicles), or null when the scheme has none. */
  hoodValueMask: Uint8Array | null;
}

export function analyseLabel(pixels: ArrayLike<number>, channels: number, width: number, height: number, scheme: LabelScheme): LabelAnalysis {
  const n = width * height;
  if (pixels.length !== n * channels) throw new RangeError(`analyseLabel: ${pixels.length} values for ${width}x${height}x${channels}`);
  let classMap: Uint8Array;
  let counts: number[];
  let hoodValueMask: Uint8Array | null = null;
  if (scheme.kind === 'channel-id' && scheme.channel < channels) {
    // One pass with a lookup table over the 256 possible channel values (same result as decodeLabel).
    const lut = new Uint8Array(256).fill(scheme.restClass);
    scheme.classes.forEach((c, i) => c.values.forEach((v) => v >= 0 && v < 256 && (lut[v] = i)));
    const hood = scheme.hoodValue;
    classMap = new Uint8Array(n);
    const tally = new Float64Array(scheme.classes.length);
    if (hood !== null) hoodValueMask = new Uint8Array(n);
    for (let i = 0, o = scheme.channel; i < n; i++, o += channels) {
      const v = pixels[o];
      const c = lut[v];
      classMap[i] = c;
      tally[c]++;
      if (hoodValueMask && v === hood) hoodValueMask[i] = 1;
    }
    counts = Array.from(tally);
  } else {
    classMap = decodeLabel(pixels, channels, width, height, scheme);
    counts = Array.from(classPixelCounts(classMap, scheme.classes.length));
    hoodValueMask = scheme.hoodValue === null ? null : valueMask(pixels, channels, width, height, scheme, scheme.hoodValue);
  }
  let foreground = 0;
  counts.forEach((v, c) => {
    if (c !== scheme.restClass) foreground += v;
  });
  return { counts, classMap, foreground, hoodValueMask };
}

/** The names of the classes that count as content (every class but the rest class). */
export function foregroundClassNames(scheme: LabelScheme): string[] {
  return scheme.classes.filter((_, i) => i !== scheme.restClass).map((c) => c.name);
}

/**
 * The reason a label with no content is refused. "No value of any class" is taken as: no pixel of
 * any non-background class. With a catch-all background (CARLA) every pixel belongs to some class,
 * so an all-zero label (or one of buildings and sky only) is the case this catches.
 */
export function noClassReason(scheme: LabelScheme): string {
  const background = scheme.classes[scheme.restClass]?.name ?? 'background';
  return `label has no pixel of any non-background class (${foregroundClassNames(scheme).join(', ')}): every pixel is ${background}, nothing to learn from`;
}

// ---------------------------------------------------------------------------------------------
// Runs of a 0/1 mask, and their overlap with another mask

/** The mask's 1-pixels as runs [start, end) of linear pixel indices: [s0, e0, s1, e1, ...]. */
export function maskRuns(mask: ArrayLike<number>): Uint32Array {
  const out: number[] = [];
  let start = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(start, i);
      start = -1;
    }
  }
  if (start >= 0) out.push(start, mask.length);
  return Uint32Array.from(out);
}

/** Prefix sums of a 0/1 mask: entry i is the number of 1-pixels before pixel i (length n + 1). */
export function maskPrefixSums(mask: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(mask.length + 1);
  for (let i = 0; i < mask.length; i++) out[i + 1] = out[i] + (mask[i] ? 1 : 0);
  return out;
}

/** Pixels that lie both in the runs (maskRuns) and in the mask the prefix sums describe. */
export function runsOverlap(runs: Uint32Array, prefix: Uint32Array): number {
  let n = 0;
  const last = prefix.length - 1;
  for (let k = 0; k + 1 < runs.length; k += 2) {
    const s = Math.min(runs[k], last);
    const e = Math.min(runs[k + 1], last);
    n += prefix[e] - prefix[s];
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Colours

/** A display colour for a class colour: dark scheme colours (CARLA's vehicle blue) are brightened so they show on a frame. */
export function displayColor(rgb: readonly [number, number, number]): [number, number, number] {
  const max = Math.max(rgb[0], rgb[1], rgb[2]);
  if (max === 0) return [0, 0, 0];
  if (max >= 200) return [rgb[0], rgb[1], rgb[2]];
  const k = 255 / max;
  return rgb.map((v) => Math.round(0.8 * Math.min(255, v * k) + 0.2 * 255)) as [number, number, number];
}

export function cssColor(rgb: readonly [number, number, number]): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

/**
 * An RGBA overlay of a class map at any size (nearest pixel, so class colours never blend):
 * each non-background class in its display colour at `alpha` (0..255), background transparent.
 */
export function classOverlayRgba(
  classMap: Uint8Array,
  width: number,
  height: number,
  scheme: LabelScheme,
  outWidth = width,
  outHeight = height,
  alpha = 255,
): Uint8ClampedArray {
  const palette = scheme.classes.map((c, i) => (i === scheme.restClass ? null : displayColor(c.color)));
  const out = new Uint8ClampedArray(outWidth * outHeight * 4);
  const xs = new Int32Array(outWidth);
  for (let x = 0; x < outWidth; x++) xs[x] = Math.min(width - 1, Math.floor(((x + 0.5) * width) / outWidth));
  for (let y = 0, o = 0; y < outHeight; y++) {
    const row = Math.min(height - 1, Math.floor(((y + 0.5) * height) / outHeight)) * width;
    for (let x = 0; x < outWidth; x++, o += 4) {
      const col = palette[classMap[row + xs[x]]];
      if (!col) continue;
      out[o] = col[0];
      out[o + 1] = col[1];
      out[o + 2] = col[2];
      out[o + 3] = alpha;
    }
  }
  return out;
}

/** An RGBA overlay of a 0/1 mask in one colour (hood previews). */
export function maskOverlayRgba(mask: ArrayLike<number>, color: readonly [number, number, number], alpha = 255): Uint8ClampedArray {
  const out = new Uint8ClampedArray(mask.length * 4);
  for (let i = 0, o = 0; i < mask.length; i++, o += 4) {
    if (!mask[i]) continue;
    out[o] = color[0];
    out[o + 1] = color[1];
    out[o + 2] = color[2];
    out[o + 3] = alpha;
  }
  return out;
}

/** A label's hood-value runs and its size, as the worker keeps them. */
export interface HoodValueRuns {
  runs: Uint32Array;
  width: number;
  height: number;
}

/**
 * For every label: its hood-value pixels inside `hood` (those count as background in training
 * targets). NaN where the hood does not apply (no runs kept, or another frame size).
 */
export function hoodOverlaps(labels: readonly (HoodValueRuns | null | undefined)[], hood: { mask: Uint8Array; width: number; height: number }): Float64Array {
  const out = new Float64Array(labels.length).fill(NaN);
  const prefix = maskPrefixSums(hood.mask);
  labels.forEach((l, i) => {
    if (l && l.width === hood.width && l.height === hood.height) out[i] = runsOverlap(l.runs, prefix);
  });
  return out;
}
