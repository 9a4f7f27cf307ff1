/**
 * The post-processing's morphology in plain JavaScript: the definition the GPU ops must reproduce
 * pixel for pixel (`morphologyPassReference`), and the fast pass the CPU paths run
 * (`morphologyPassCpu`: the viewer on wasm and CPU, the threshold search). Pixels outside the
 * image count as 0 (zero padding), so erosion eats the border.
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

/**
 * For every pixel, whether the run of row pixels a footprint row puts under the window there is
 * hit: any set (dilate) or all set (erode; columns outside the image count as 0). Row prefix sums
 * make it one subtraction a pixel whatever the run's length.
 */
function rowHits(mask: Uint8Array, width: number, height: number, before: number, run: { from: number; to: number }, op: PassOp): Uint8Array {
  const hits = new Uint8Array(width * height);
  const prefix = new Int32Array(width + 1);
  const length = run.to - run.from + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) prefix[x + 1] = prefix[x]! + mask[row + x]!;
    for (let x = 0; x < width; x++) {
      const lo = Math.max(0, x - before + run.from);
      const hi = Math.min(width, x - before + run.to + 1);
      const set = hi > lo ? prefix[hi]! - prefix[lo]! : 0;
      hits[row + x] = op === 'dilate' ? (set > 0 ? 1 : 0) : set === length ? 1 : 0;
    }
  }
  return hits;
}

/**
 * One elementary pass, equal to `morphologyPassReference`: each footprint row's run is tested once
 * per pixel along the rows (rowHits, shared by rows with the same run), then the rows are combined
 * down the columns, so a pass costs about (footprint rows + 2) steps a pixel instead of up to
 * size x size. Footprints whose rows are not single runs take the reference.
 */
export function morphologyPassCpu(mask: Uint8Array, width: number, height: number, size: number, footprint: Uint8Array, op: PassOp): Uint8Array {
  const runs = footprintRuns(size, footprint);
  if (!runs) return morphologyPassReference(mask, width, height, size, footprint, op);
  const [before] = kernelPadding(size);
  const byRun = new Map<string, Uint8Array>();
  const out = new Uint8Array(width * height).fill(op === 'dilate' ? 0 : 1);
  for (let ky = 0; ky < size; ky++) {
    const run = runs[ky];
    if (!run) continue;
    const key = `${run.from}:${run.to}`;
    let hits = byRun.get(key);
    if (!hits) {
      hits = rowHits(mask, width, height, before, run, op);
      byRun.set(key, hits);
    }
    for (let y = 0; y < height; y++) {
      const sy = y - before + ky;
      const row = y * width;
      if (sy < 0 || sy >= height) {
        // A footprint row wholly outside the image: zero padding, never any, never all.
        if (op === 'erode') out.fill(0, row, row + width);
        continue;
      }
      const src = sy * width;
      if (op === 'dilate') for (let x = 0; x < width; x++) out[row + x]! |= hits[src + x]!;
      else for (let x = 0; x < width; x++) out[row + x]! &= hits[src + x]!;
    }
  }
  return out;
}

/** Applies a morphology (all its passes) to a 0/1 mask. */
export function morphologyCpu(mask: Uint8Array, width: number, height: number, m: Morphology): Uint8Array {
  if (mask.length !== width * height) throw new Error(`mask has ${mask.length} pixels, expected ${width}x${height}`);
  const footprint = kernelFootprint(m.size, m.shape);
  let cur = mask;
  for (const pass of morphologyPasses(m)) cur = morphologyPassCpu(cur, width, height, m.size, footprint, pass);
  return cur === mask ? Uint8Array.from(mask) : cur;
}
