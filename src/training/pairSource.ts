/**
 * Where training pairs come from: a decoded frame and label per pair index. The sample source
 * generates pairs (any thread, Node included); the file source (fileDecode.ts) decodes the user's
 * files in a worker.
 */
import { generateSampleFrame } from '../data/sample/generateFrame';
import type { FramePixels } from '../inference/frameInput';
import type { LabelPixels } from './trainingTargets';

export interface DecodedPair {
  frame: FramePixels;
  label: LabelPixels;
}

export interface PairSource {
  readonly count: number;
  /** A name the user recognises (file name), for messages. */
  name(index: number): string;
  load(index: number): Promise<DecodedPair>;
}

/** A bad frame or label: the run stops with a 'data' failure naming the file. */
export class PairDataError extends Error {
  constructor(readonly pairName: string, reason: string) {
    super(`${pairName}: ${reason}`);
    this.name = 'PairDataError';
  }
}

/** A source over a list of named pairs (files): count and names come from the list; subclasses decode. */
export abstract class ListedPairSource<P extends { name: string }> implements PairSource {
  constructor(protected readonly pairs: readonly P[]) {}

  get count(): number {
    return this.pairs.length;
  }

  name(index: number): string {
    return this.pairs[index]?.name ?? `pair ${index}`;
  }

  abstract load(index: number): Promise<DecodedPair>;
}

/** The built-in sample dataset: pair i is sample frame i (seed, size) generated on demand. */
export class SamplePairSource implements PairSource {
  constructor(
    readonly count: number,
    private readonly seed: number,
    private readonly width: number,
    private readonly height: number,
  ) {}

  name(index: number): string {
    return `sample ${index}.png`;
  }

  async load(index: number): Promise<DecodedPair> {
    if (!(index >= 0 && index < this.count)) throw new PairDataError(this.name(index), `no such sample pair (the dataset has ${this.count})`);
    const f = generateSampleFrame(index, { seed: this.seed, width: this.width, height: this.height });
    return {
      frame: { data: f.rgb, width: f.width, height: f.height, channels: 3 },
      label: { data: f.label, width: f.width, height: f.height, channels: 3 },
    };
  }
}
