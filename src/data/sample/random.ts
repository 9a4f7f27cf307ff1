/**
 * Randomness for the sample generator: a seeded stream for scene layout (`seededRandom`, the
 * project's PRNG) and stateless integer hashes for textures, so a pixel's texture depends only on
 * where it is in the world, not on drawing order.
 */
import { seededRandom } from '../../util/seededRandom';

/** Mixes integers into one 32-bit seed (a murmur3-style finaliser over each part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of two integers and a seed to [0, 1). */
export function hash2(x: number, y: number, seed: number): number {
  let h = (Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ seed) | 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** Hash of one integer and a seed to [0, 1). */
export function hash1(x: number, seed: number): number {
  return hash2(x, 0x5bd1e995, seed);
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/** Smooth value noise in [0, 1) on a unit lattice (bilinear over hashed corners, smoothstep). */
export function valueNoise2(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = smooth(x - ix);
  const fy = smooth(y - iy);
  const a = hash2(ix, iy, seed);
  const b = hash2(ix + 1, iy, seed);
  const c = hash2(ix, iy + 1, seed);
  const d = hash2(ix + 1, iy + 1, seed);
  const top = a + (b - a) * fx;
  const bottom = c + (d - c) * fx;
  return top + (bottom - top) * fy;
}

/** 1-D smooth value noise in [0, 1). */
export function valueNoise1(x: number, seed: number): number {
  const ix = Math.floor(x);
  const f = smooth(x - ix);
  const a = hash1(ix, seed);
  return a + (hash1(ix + 1, seed) - a) * f;
}

/** A seeded stream with the draws the scene builder needs. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.next();
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A whole number in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by relative weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1][0];
  }
}

/**
 * One row of `valueNoise2`: out[x] = valueNoise2(u0 + x * du, v, seed) for x in [0, count), with
 * each lattice column hashed once (a row costs about one hash per lattice cell, not four per pixel).
 */
export function valueNoiseRow(out: Float32Array, count: number, u0: number, du: number, v: number, seed: number): void {
  const iy = Math.floor(v);
  const fy = smooth(v - iy);
  let cell = Math.floor(u0) - 2;
  const column = (ix: number) => {
    const top = hash2(ix, iy, seed);
    return top + (hash2(ix, iy + 1, seed) - top) * fy;
  };
  let a = column(cell);
  let b = column(cell + 1);
  for (let x = 0; x < count; x++) {
    const u = u0 + x * du;
    const ix = Math.floor(u);
    if (ix !== cell) {
      if (ix === cell + 1) {
        a = b;
        b = column(ix + 1);
      } else {
        a = column(ix);
        b = column(ix + 1);
      }
      cell = ix;
    }
    const t = u - ix;
    out[x] = a + (b - a) * (t * t * (3 - 2 * t));
  }
}
