import { describe, it, expect } from 'vitest';
import {
  bfloat16ToFloat32,
  decodeBfloat16Array,
  decodeFloat16Array,
  encodeBfloat16Array,
  encodeFloat16Array,
  float16ToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from '../../src/weights/float16';

const isF16NaN = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const isBf16NaN = (h: number) => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;

/** float32 value from raw bits (independent of the module under test). */
function f32(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

/**
 * Independent reference rounding: the nearest float16 by binary search over
 * the (monotonic) positive finite patterns 0..0x7bff, ties to the even pattern,
 * values at or beyond 65520 (halfway to 2^16) to infinity.
 */
function referenceF16(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = 0x7bff;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (float16ToFloat32(mid) <= a) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0x7bff) return sign | lo;
  const below = float16ToFloat32(lo);
  const above = float16ToFloat32(lo + 1);
  const dBelow = a - below;
  const dAbove = above - a;
  if (dBelow < dAbove) return sign | lo;
  if (dAbove < dBelow) return sign | (lo + 1);
  return sign | ((lo & 1) === 0 ? lo : lo + 1);
}

describe('float16', () => {
  it('encodes known values', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.5)).toBe(0x3800);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(0)).toBe(0x0000);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal, 6.1035e-5
    expect(float32ToFloat16Bits(6.1e-5)).toBe(0x03ff); // largest subnormal 6.0976e-5 is nearest
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(-3 * 2 ** -24)).toBe(0x8003);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(isF16NaN(float32ToFloat16Bits(NaN))).toBe(true);
    expect(float32ToFloat16Bits(1 / 3)).toBe(0x3555);
  });

  it('rounds to nearest, ties to even, and overflows to infinity', () => {
    // 1 + 2^-11 is halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01).
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3*2^-11 is halfway between 0x3c01 and 0x3c02 (even).
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(float32ToFloat16Bits(2049)).toBe(0x6800); // -> 2048
    expect(float32ToFloat16Bits(2051)).toBe(0x6802); // -> 2052
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // tie between 65504 and 2^16: to even (inf)
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e6)).toBe(0xfc00);
    // Subnormal ties: 2^-25 is halfway between 0 and 2^-24 -> 0; 3*2^-25 -> 2*2^-24.
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000);
    expect(float32ToFloat16Bits(-(2 ** -25))).toBe(0x8000);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(float32ToFloat16Bits(2 ** -25 + 2 ** -40)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -26)).toBe(0x0000);
    // Largest subnormal + half a step rounds up into the smallest normal.
    expect(float32ToFloat16Bits(1023.5 * 2 ** -24)).toBe(0x0400);
  });

  it('decodes known values', () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x7bff)).toBe(65504);
    expect(float16ToFloat32(0x3555)).toBe(0.333251953125);
    expect(float16ToFloat32(0x0400)).toBe(2 ** -14);
    expect(float16ToFloat32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16ToFloat32(0x7c00)).toBe(Infinity);
    expect(float16ToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
    expect(Object.is(float16ToFloat32(0x8000), -0)).toBe(true);
  });

  it('round-trips all 65536 bit patterns (NaNs stay NaN)', () => {
    let nans = 0;
    for (let h = 0; h < 65536; h++) {
      const v = float16ToFloat32(h);
      const back = float32ToFloat16Bits(v);
      if (isF16NaN(h)) {
        nans++;
        if (!Number.isNaN(v) || !isF16NaN(back)) throw new Error(`NaN pattern ${h.toString(16)} lost`);
      } else if (back !== h) {
        throw new Error(`pattern 0x${h.toString(16)} -> ${v} -> 0x${back.toString(16)}`);
      }
    }
    expect(nans).toBe(2 * 1023);
  });

  it('bulk decode equals scalar decode for every pattern, bit for bit', () => {
    const all = new Uint16Array(65536);
    for (let h = 0; h < 65536; h++) all[h] = h;
    const decoded = decodeFloat16Array(all);
    const bits = new Uint32Array(decoded.buffer);
    const scalar = new Float32Array(1);
    const scalarBits = new Uint32Array(scalar.buffer);
    for (let h = 0; h < 65536; h++) {
      scalar[0] = float16ToFloat32(h);
      if (!isF16NaN(h) && bits[h] !== scalarBits[0]) throw new Error(`bulk/scalar differ at 0x${h.toString(16)}`);
    }
    expect(decoded[0x3c00]).toBe(1);
    // Bulk encode of the decoded patterns restores them all, NaN payloads included.
    expect(encodeFloat16Array(decoded)).toEqual(all);
  });

  it('matches an independent nearest-even reference on random and near-tie float32 values', () => {
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed;
    };
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) {
      // Random float32 with exponent in the float16 range and a bit beyond.
      const exp = 127 - 27 + (rand() % 45);
      const bits = ((rand() & 1) << 31) | (exp << 23) | (rand() & 0x7fffff);
      values.push(f32(bits >>> 0));
      // Exact ties and neighbours of ties at the float16 rounding position.
      const h = rand() % 0x7bff;
      const mid = (float16ToFloat32(h) + float16ToFloat32(h + 1)) / 2;
      values.push(mid, Math.fround(mid * (1 + 2 ** -23)), Math.fround(mid * (1 - 2 ** -23)));
    }
    const arr = Float32Array.from(values);
    const bulk = encodeFloat16Array(arr);
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      const expected = referenceF16(v);
      const got = float32ToFloat16Bits(v);
      if (got !== expected || bulk[i] !== expected) {
        throw new Error(`${v}: expected 0x${expected.toString(16)}, got 0x${got.toString(16)} / 0x${bulk[i]!.toString(16)}`);
      }
    }
    expect(arr.length).toBe(12000);
  });
});

describe('bfloat16', () => {
  it('encodes and decodes known values', () => {
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(-2)).toBe(0xc000);
    expect(float32ToBfloat16Bits(Math.PI)).toBe(0x4049);
    expect(bfloat16ToFloat32(0x4049)).toBe(3.140625);
    expect(float32ToBfloat16Bits(Infinity)).toBe(0x7f80);
    expect(float32ToBfloat16Bits(-Infinity)).toBe(0xff80);
    expect(float32ToBfloat16Bits(-0)).toBe(0x8000);
    expect(isBf16NaN(float32ToBfloat16Bits(NaN))).toBe(true);
    expect(bfloat16ToFloat32(0x7fc0)).toBeNaN();
    expect(bfloat16ToFloat32(0x0001)).toBe(f32(0x00010000)); // subnormal
    expect(bfloat16ToFloat32(0x7f7f)).toBe(f32(0x7f7f0000)); // largest finite
  });

  it('rounds to nearest, ties to even, and overflows to infinity', () => {
    expect(float32ToBfloat16Bits(f32(0x3f808000))).toBe(0x3f80); // tie -> even (down)
    expect(float32ToBfloat16Bits(f32(0x3f818000))).toBe(0x3f82); // tie -> even (up)
    expect(float32ToBfloat16Bits(f32(0x3f808001))).toBe(0x3f81); // above the tie
    expect(float32ToBfloat16Bits(f32(0x3f807fff))).toBe(0x3f80); // below the tie
    expect(float32ToBfloat16Bits(f32(0x7f7fffff))).toBe(0x7f80); // float32 max -> inf
    expect(float32ToBfloat16Bits(f32(0xff7fffff))).toBe(0xff80);
    expect(float32ToBfloat16Bits(f32(0x007fffff))).toBe(0x0080); // subnormal rounds up to normal
  });

  it('round-trips all 65536 bit patterns (NaNs stay NaN) and bulk matches scalar', () => {
    const all = new Uint16Array(65536);
    for (let h = 0; h < 65536; h++) all[h] = h;
    const decoded = decodeBfloat16Array(all);
    for (let h = 0; h < 65536; h++) {
      const v = bfloat16ToFloat32(h);
      const back = float32ToBfloat16Bits(v);
      if (isBf16NaN(h)) {
        if (!Number.isNaN(v) || !isBf16NaN(back)) throw new Error(`NaN pattern 0x${h.toString(16)} lost`);
      } else if (back !== h || !Object.is(decoded[h], v)) {
        throw new Error(`pattern 0x${h.toString(16)} -> ${v} -> 0x${back.toString(16)}`);
      }
    }
    expect(encodeBfloat16Array(decoded)).toEqual(all);
  });
});
