/**
 * The ego car's hood in the sample frames: the same shape in every frame, modelled on the hood of
 * the real CARLA labels (800x600: rows 498-599, a rounded top edge 34 px wide at row 498, the
 * frame's bottom corners rising to meet it at rows 518-520, whole rows from 521 down; 73,231 px).
 * Other sizes scale the shape.
 */

/** Reference frame the outline is given in. */
export const HOOD_REFERENCE = { width: 800, height: 600, firstRow: 498, fullRow: 521 } as const;

/** Covered columns [first, last] of the middle part, rows 498..520 of an 800x600 frame. */
const MIDDLE: readonly (readonly [number, number])[] = [
  [383, 416], [349, 440], [334, 465], [310, 489], [285, 514], [261, 538], [236, 563], [211, 588],
  [187, 612], [170, 629], [160, 639], [145, 654], [135, 664], [133, 666], [130, 669], [127, 672],
  [125, 674], [123, 676], [121, 678], [119, 680], [117, 682], [115, 684], [113, 686],
];

/** The bottom corners: from row 518 the frame's sides are hood out to these columns (left side; mirrored). */
const CORNER_FIRST_ROW = 518;
const CORNER_REACH = [46, 70, 94] as const;

/** True when the reference pixel (column, row) of an 800x600 frame is hood. */
function inReferenceHood(column: number, row: number): boolean {
  if (row < HOOD_REFERENCE.firstRow) return false;
  if (row >= HOOD_REFERENCE.fullRow) return true;
  const [a, b] = MIDDLE[row - HOOD_REFERENCE.firstRow];
  if (column >= a && column <= b) return true;
  if (row >= CORNER_FIRST_ROW) {
    const reach = CORNER_REACH[row - CORNER_FIRST_ROW];
    return column <= reach || column >= HOOD_REFERENCE.width - 1 - reach;
  }
  return false;
}

const cache = new Map<string, Uint8Array>();

/**
 * The hood as a 0/1 mask (width * height), the same for every frame of that size. At 800x600 it is
 * the reference outline; other sizes sample it at pixel centres.
 */
export function sampleHoodMask(width = 800, height = 600): Uint8Array {
  const key = `${width}x${height}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const mask = new Uint8Array(width * height);
  const sx = HOOD_REFERENCE.width / width;
  const sy = HOOD_REFERENCE.height / height;
  for (let y = 0; y < height; y++) {
    const row = Math.min(HOOD_REFERENCE.height - 1, Math.floor((y + 0.5) * sy));
    if (row < HOOD_REFERENCE.firstRow) continue;
    for (let x = 0; x < width; x++) {
      const column = Math.min(HOOD_REFERENCE.width - 1, Math.floor((x + 0.5) * sx));
      if (inReferenceHood(column, row)) mask[y * width + x] = 1;
    }
  }
  if (cache.size > 16) cache.clear();
  cache.set(key, mask);
  return mask;
}

export interface HoodShading {
  /** Pixel indices of the hood. */
  pixels: Int32Array;
  /** Per hood pixel: how dark the paint is (1 mid-hood) and how much sky it reflects. */
  body: Float32Array;
  reflection: Float32Array;
}

const shadingCache = new Map<string, HoodShading>();

/** The hood's fixed shading pattern at this size: a bright rim under its edge and a soft sheen. */
export function hoodShading(width: number, height: number): HoodShading {
  const key = `${width}x${height}`;
  const hit = shadingCache.get(key);
  if (hit) return hit;
  const mask = sampleHoodMask(width, height);
  const topRow = new Int32Array(width).fill(height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      if (mask[y * width + x]) {
        topRow[x] = y;
        break;
      }
    }
  }
  const sy = HOOD_REFERENCE.height / height;
  const sx = HOOD_REFERENCE.width / width;
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  const pixels = new Int32Array(count);
  const body = new Float32Array(count);
  const reflection = new Float32Array(count);
  let k = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const d = (y - topRow[x]) * sy; // reference rows below the hood's edge in this column
      const X = (x + 0.5) * sx - HOOD_REFERENCE.width / 2;
      const across = 1 - Math.min(1, Math.abs(X) / 520);
      const rim = Math.exp(-d / 5) * 0.9;
      const sheen = Math.exp(-(((d - 26 - Math.abs(X) * 0.02) / 12) ** 2)) * 0.35 * across;
      pixels[k] = i;
      body[k] = 0.75 + 0.25 * across;
      reflection[k] = rim + sheen;
      k++;
    }
  }
  const shading = { pixels, body, reflection };
  if (shadingCache.size > 16) shadingCache.clear();
  shadingCache.set(key, shading);
  return shading;
}
