/**
 * Training batches from a PairSource: each pair is decoded once, cropped to the spec's rows and
 * reduced to what a step needs (the cropped frame's pixels and the class of every input pixel,
 * hood removed from the vehicle class), kept in an LRU cache within a byte budget, and the next
 * batch can be prefetched while the current step runs. Batches come back as plain arrays; the run
 * loop turns them into tensors.
 */
import { decodeLabel, type LabelScheme } from '../data/labelScheme';
import type { FramePixels } from '../inference/frameInput';
import type { InputSpec } from '../model/config';
import { PairDataError, type PairSource } from './pairSource';
import { nearestSourceIndices } from './trainingTargets';

/** One prepared pair. */
export interface PreparedPair {
  index: number;
  name: string;
  /** The crop rows of the frame, RGB (frameWidth x crop rows). */
  frame: FramePixels;
  /** Class index per input pixel (inputHeight x inputWidth), hood pixels moved to the rest class. */
  classes: Uint8Array;
  bytes: number;
}

export interface PreparedBatch {
  indices: number[];
  names: string[];
  /** Cropped frames: use with croppedSpec(spec). */
  frames: FramePixels[];
  /** Class index of every input pixel, [N, inputHeight, inputWidth] (oneHotTargets makes the targets). */
  classes: Uint8Array;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  budgetBytes: number;
  hits: number;
  misses: number;
}

/** The spec of a frame that is already cropped to `spec`'s rows (framesToInput on cached frames). */
export function croppedSpec(spec: InputSpec): InputSpec {
  const rows = spec.cropBottom - spec.cropTop;
  return { ...spec, frameHeight: rows, cropTop: 0, cropBottom: rows };
}

/** Index of the vehicle class that the hood is taken from, or -1. */
function hoodClass(scheme: LabelScheme): number {
  if (scheme.hoodValue === null) return -1;
  return scheme.classes.findIndex((c) => c.values.includes(scheme.hoodValue!));
}

/** Frame and label -> a PreparedPair (checks sizes; throws PairDataError naming the pair). */
export function preparePair(
  index: number,
  name: string,
  frame: FramePixels,
  label: { data: ArrayLike<number>; width: number; height: number; channels: number },
  spec: InputSpec,
  scheme: LabelScheme,
  hood: Uint8Array | null,
): PreparedPair {
  for (const [what, img] of [['frame', frame], ['label', label]] as const) {
    if (img.width !== spec.frameWidth || img.height !== spec.frameHeight) {
      throw new PairDataError(name, `the ${what} is ${img.width}x${img.height}, expected ${spec.frameWidth}x${spec.frameHeight}`);
    }
  }
  if (frame.channels < 3) throw new PairDataError(name, `the frame has ${frame.channels} channel(s); a colour image is needed`);
  const { frameWidth: width, cropTop, cropBottom, inputHeight: h, inputWidth: w } = spec;
  const rows = cropBottom - cropTop;
  const rgb = new Uint8Array(rows * width * 3);
  const ch = frame.channels;
  for (let y = 0; y < rows; y++) {
    let src = (cropTop + y) * width * ch;
    let dst = y * width * 3;
    for (let x = 0; x < width; x++, src += ch, dst += 3) {
      rgb[dst] = frame.data[src];
      rgb[dst + 1] = frame.data[src + 1];
      rgb[dst + 2] = frame.data[src + 2];
    }
  }
  const all = decodeLabel(label.data, label.channels, label.width, label.height, scheme);
  const vehicle = hoodClass(scheme);
  const rowIdx = nearestSourceIndices(rows, h);
  const colIdx = nearestSourceIndices(width, w);
  const classes = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    const base = (cropTop + rowIdx[y]) * width;
    for (let x = 0; x < w; x++) {
      const src = base + colIdx[x];
      let cls = all[src];
      if (hood && hood[src] && cls === vehicle) cls = scheme.restClass;
      classes[y * w + x] = cls;
    }
  }
  return { index, name, frame: { data: rgb, width, height: rows, channels: 3 }, classes, bytes: rgb.byteLength + classes.byteLength };
}

export class BatchPipeline {
  private readonly cache = new Map<number, PreparedPair>();
  private readonly inFlight = new Map<number, Promise<PreparedPair>>();
  private cachedBytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly source: PairSource,
    private readonly spec: InputSpec,
    private readonly scheme: LabelScheme,
    private readonly hood: Uint8Array | null,
    private budgetBytes: number,
  ) {
    if (hood && hood.length !== spec.frameWidth * spec.frameHeight) {
      throw new Error(`the hood mask has ${hood.length} pixels, the frames ${spec.frameWidth}x${spec.frameHeight}`);
    }
  }

  name(index: number): string {
    return this.source.name(index);
  }

  stats(): CacheStats {
    return { entries: this.cache.size, bytes: this.cachedBytes, budgetBytes: this.budgetBytes, hits: this.hits, misses: this.misses };
  }

  setBudget(bytes: number): void {
    this.budgetBytes = bytes;
    this.evict();
  }

  /** One prepared pair (from the cache, an in-flight load, or decoded now). */
  pair(index: number): Promise<PreparedPair> {
    const cached = this.cache.get(index);
    if (cached) {
      this.hits++;
      this.cache.delete(index);
      this.cache.set(index, cached); // most recently used last
      return Promise.resolve(cached);
    }
    const pending = this.inFlight.get(index);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.misses++;
    const load = this.load(index).finally(() => this.inFlight.delete(index));
    this.inFlight.set(index, load);
    // A failed prefetch is reported when the batch is asked for, not as an unhandled rejection.
    load.catch(() => undefined);
    return load;
  }

  private async load(index: number): Promise<PreparedPair> {
    const name = this.source.name(index);
    const { frame, label } = await this.source.load(index);
    const prepared = preparePair(index, name, frame, label, this.spec, this.scheme, this.hood);
    if (prepared.bytes <= this.budgetBytes) {
      this.cache.set(index, prepared);
      this.cachedBytes += prepared.bytes;
      this.evict();
    }
    return prepared;
  }

  private evict(): void {
    for (const [index, entry] of this.cache) {
      if (this.cachedBytes <= this.budgetBytes) break;
      this.cache.delete(index);
      this.cachedBytes -= entry.bytes;
    }
  }

  /** Starts loading the pairs of a coming batch (errors surface when the batch is asked for). */
  prefetch(indices: readonly number[]): void {
    for (const i of indices) if (!this.cache.has(i) && !this.inFlight.has(i)) void this.pair(i).catch(() => undefined);
  }

  async batch(indices: readonly number[]): Promise<PreparedBatch> {
    const pairs = await Promise.all(indices.map((i) => this.pair(i)));
    const n = this.spec.inputHeight * this.spec.inputWidth;
    const classes = new Uint8Array(pairs.length * n);
    pairs.forEach((p, b) => classes.set(p.classes, b * n));
    return { indices: [...indices], names: pairs.map((p) => p.name), frames: pairs.map((p) => p.frame), classes };
  }

  clear(): void {
    this.cache.clear();
    this.cachedBytes = 0;
  }
}
