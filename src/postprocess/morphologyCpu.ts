/**
 * The post-processing's morphology in plain JavaScript: the definition the GPU ops must reproduce
 * pixel for pixel (`morphologyPassReference`), and the fast pass the CPU paths run
 * (`morphologyPassCpu`, on rows packed 32 pixels to a word: the viewer on wasm and CPU, the
 * threshold search). Pixels outside the image count as 0 (zero padding), so erosion eats the
 * border.
 */
import { kernelFootprint, kernelPadding, morphologyPasses, type Morphology } from './settings';

type PassOp = 'dilate' | 'erode';

/** The definition of one elementary pass: dilate = any footprint pixel set; erode = every footprint pixel set. */
export function morphologyPassReference(mask: Uint8Array, width: number, height: number, size: number, footprint: Uint8Array, op: PassOp): Uint8Array {
  const out = new Uint8Array(width * height);
  const [before] = kernelPadding(size);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let any = false;
      let all = true;
      for (let ky = 0; ky < size && (op === 'dilate' ? !any : all); ky++) {
        const sy = y - before + ky;
        for (let kx = 0; kx < size; kx++) {
          if (!footprint[ky * size + kx]) continue;
          const sx = x - before + kx;
          const v = sy >= 0 && sy < height && sx >= 0 && sx < width ? mask[sy * width + sx] : 0;
          if (v) any = true;
          else all = false;
        }
      }
      out[y * width + x] = (op === 'dilate' ? any : all) ? 1 : 0;
    }
  }
  return out;
}

/** A footprint row's set columns as one run [from, to] (offsets in the window); null for an empty row. */
type Run = { from: number; to: number } | null;

/** Each footprint row as a run of columns, or undefined when some row's set columns are not contiguous. */
function footprintRuns(size: number, footprint: Uint8Array): Run[] | undefined {
  // The packed pass shifts words by at most 31 pixels (the studio's kernels are 15 at the most).
  if (size > 63) return undefined;
  const runs: Run[] = [];
  for (let ky = 0; ky < size; ky++) {
    let from = -1;
    let to = -1;
    for (let kx = 0; kx < size; kx++) {
      if (!footprint[ky * size + kx]) continue;
      if (from < 0) from = kx;
      else if (to !== kx - 1) return undefined;
      to = kx;
    }
    runs.push(from < 0 ? null : { from, to });
  }
  return runs;
}

/** A mask as bits: each row in `words` 32-bit words, pixel x at bit x % 32 of word x / 32; bits past the width are 0. */
interface BitMask {
  bits: Uint32Array;
  width: number;
  height: number;
  words: number;
}

function packMask(mask: Uint8Array, width: number, height: number): BitMask {
  const words = Math.ceil(width / 32);
  const bits = new Uint32Array(words * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let j = 0; j < words; j++) {
      // A word is built in a register: one store per 32 pixels.
      const x0 = row + 32 * j;
      const n = Math.min(32, width - 32 * j);
      let word = 0;
      for (let b = 0; b < n; b++) if (mask[x0 + b]) word |= 1 << b;
      bits[y * words + j] = word;
    }
  }
  return { bits, width, height, words };
}

function unpackMask({ bits, width, height, words }: BitMask): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let j = 0; j < words; j++) {
      const word = bits[y * words + j]!;
      if (word === 0) continue;
      const x0 = row + 32 * j;
      const n = Math.min(32, width - 32 * j);
      for (let b = 0; b < n; b++) mask[x0 + b] = (word >>> b) & 1;
    }
  }
  return mask;
}

/**
 * Word j of a row whose bit b is the row's pixel 32j + b + offset (0 outside the row), for
 * |offset| < 32.
 */
function shiftedWord(bits: Uint32Array, start: number, words: number, j: number, offset: number): number {
  if (offset >= 0) {
    const next = j + 1 < words ? bits[start + j + 1]! : 0;
    return offset === 0 ? bits[start + j]! : (bits[start + j]! >>> offset) | (next << (32 - offset));
  }
  const t = -offset;
  const previous = j > 0 ? bits[start + j - 1]! : 0;
  return (bits[start + j]! << t) | (previous >>> (32 - t));
}

/**
 * For every pixel, whether the run of row pixels a footprint row puts under the window there is
 * hit: any set (dilate) or all set (erode; columns outside the image count as 0), 32 pixels at a time.
 */
function rowHits(m: BitMask, before: number, run: { from: number; to: number }, op: PassOp): Uint32Array {
  const { bits, height, words } = m;
  const hits = new Uint32Array(bits.length);
  for (let y = 0; y < height; y++) {
    const start = y * words;
    for (let j = 0; j < words; j++) {
      let v = op === 'dilate' ? 0 : 0xffffffff;
      for (let k = run.from; k <= run.to; k++) {
        const w = shiftedWord(bits, start, words, j, k - before);
        v = op === 'dilate' ? v | w : v & w;
      }
      hits[start + j] = v;
    }
  }
  return hits;
}

/** One elementary pass over a bit mask (footprint rows given as runs). */
function morphologyPassBits(m: BitMask, size: number, runs: Run[], op: PassOp): BitMask {
  const { width, height, words } = m;
  const [before] = kernelPadding(size);
  const byRun = new Map<string, Uint32Array>();
  const out = new Uint32Array(m.bits.length).fill(op === 'dilate' ? 0 : 0xffffffff);
  for (let ky = 0; ky < size; ky++) {
    const run = runs[ky];
    if (!run) continue;
    const key = `${run.from}:${run.to}`;
    let hits = byRun.get(key);
    if (!hits) {
      hits = rowHits(m, before, run, op);
      byRun.set(key, hits);
    }
    for (let y = 0; y < height; y++) {
      const sy = y - before + ky;
      const row = y * words;
      if (sy < 0 || sy >= height) {
        // A footprint row wholly outside the image: zero padding, never any, never all.
        if (op === 'erode') out.fill(0, row, row + words);
        continue;
      }
      const src = sy * words;
      if (op === 'dilate') for (let j = 0; j < words; j++) out[row + j]! |= hits[src + j]!;
      else for (let j = 0; j < words; j++) out[row + j]! &= hits[src + j]!;
    }
  }
  // Bits past the width stay 0 (a later pass shifts them in as pixels outside the image).
  const tail = width % 32;
  if (tail) for (let y = 0; y < height; y++) out[y * words + words - 1]! &= (1 << tail) - 1;
  return { bits: out, width, height, words };
}

/**
 * One elementary pass, equal to `morphologyPassReference`: rows are packed 32 pixels to a word;
 * each footprint row's run is tested with shifted words (shared by rows with the same run), then
 * the rows are combined down the columns. Footprints whose rows are not single runs take the
 * reference.
 */
export function morphologyPassCpu(mask: Uint8Array, width: number, height: number, size: number, footprint: Uint8Array, op: PassOp): Uint8Array {
  const runs = footprintRuns(size, footprint);
  if (!runs) return morphologyPassReference(mask, width, height, size, footprint, op);
  return unpackMask(morphologyPassBits(packMask(mask, width, height), size, runs, op));
}

/** Applies a morphology (all its passes) to a 0/1 mask (packed once for all of them). */
export function morphologyCpu(mask: Uint8Array, width: number, height: number, m: Morphology): Uint8Array {
  if (mask.length !== width * height) throw new Error(`mask has ${mask.length} pixels, expected ${width}x${height}`);
  const passes = morphologyPasses(m);
  if (passes.length === 0) return Uint8Array.from(mask);
  const footprint = kernelFootprint(m.size, m.shape);
  const runs = footprintRuns(m.size, footprint);
  if (!runs) {
    let cur = mask;
    for (const pass of passes) cur = morphologyPassReference(cur, width, height, m.size, footprint, pass);
    return cur;
  }
  let bits = packMask(mask, width, height);
  for (const pass of passes) bits = morphologyPassBits(bits, m.size, runs, pass);
  return unpackMask(bits);
}
