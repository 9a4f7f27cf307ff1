/**
 * A seeded uniform generator whose state can be read and restored, so a run that is saved and
 * resumed draws the same numbers as one that never stopped. The sequence for a seed is exactly
 * util/seededRandom's (mulberry32).
 */
export class SeededStream {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  /** A stream that continues from a saved `state`. */
  static fromState(state: number): SeededStream {
    const s = new SeededStream(0);
    s.a = state >>> 0;
    return s;
  }

  /** The 32-bit state: saving it and calling fromState later resumes the sequence. */
  get state(): number {
    return this.a;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `next` as a plain function (for APIs that take `() => number`). */
  readonly draw = (): number => this.next();
}
