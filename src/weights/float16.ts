/**
 * IEEE 754 half precision (float16) and bfloat16 conversions.
 *
 * Encoders take a float32 value (a JS number is first rounded to float32, as
 * storing it in a Float32Array would) and round to nearest, ties to even.
 * Overflow gives infinity, tiny values become subnormals or signed zero, NaN
 * stays NaN (payload truncated, kept where it fits). Decoders are exact. The
 * bulk helpers work on raw bits, so NaN payloads survive a float16 -> float32
 * -> float16 round trip through them.
 */

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** The raw bits of a float32 value. */
function float32Bits(v: number): number {
  f32Scratch[0] = v;
  return u32Scratch[0]!;
}

/** The float32 value of raw bits. */
function float32FromBits(bits: number): number {
  u32Scratch[0] = bits >>> 0;
  return f32Scratch[0]!;
}

/** float32 bit pattern -> float16 bit pattern, round to nearest even. */
function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) {
    if (mant === 0) return sign | 0x7c00; // infinity
    // NaN: keep the top payload bits; if they are all zero, set the quiet bit so it stays NaN.
    const payload = mant >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload);
  }
  const e = exp - 127 + 15; // biased float16 exponent
  if (e >= 31) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // Subnormal float16 (or zero). Values below half the smallest subnormal
    // (2^-25) round to zero; exactly 2^-25 is a tie and rounds to even (zero).
    if (e < -10) return sign;
    const m = mant | 0x800000; // implicit leading one (24 bits)
    const shift = 14 - e; // 14..24
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) !== 0)) half++;
    return sign | half; // a carry into bit 10 yields the smallest normal: correct
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) !== 0)) half++;
  return sign | half; // a carry into the exponent (up to 0x7c00 = inf) is correct
}

/** float16 bit pattern -> float32 bit pattern (exact). */
function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal: normalise.
  let e = -14;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  mant &= 0x3ff;
  return (sign | ((e + 127) << 23) | (mant << 13)) >>> 0;
}

/** Decodes a float16 bit pattern (0..65535) to its value. */
export function float16ToFloat32(bits: number): number {
  return float32FromBits(f16BitsToF32Bits(bits & 0xffff));
}

/** Encodes a value as float16 bits, rounding to nearest even. */
export function float32ToFloat16Bits(v: number): number {
  return f32BitsToF16Bits(float32Bits(v));
}

/** Decodes a bfloat16 bit pattern (the top half of a float32) to its value. */
export function bfloat16ToFloat32(bits: number): number {
  return float32FromBits((bits & 0xffff) << 16);
}

function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
    // NaN: truncate (keeping the payload); if that would leave no mantissa bit, set the quiet bit.
    const top = (x >>> 16) & 0xffff;
    return (top & 0x7f) === 0 ? top | 0x40 : top;
  }
  const lsb = (x >>> 16) & 1;
  // Finite maximum 0xff7fffff + 0x8000 stays below 2^32; overflow rounds to inf.
  return Math.floor(((x >>> 0) + 0x7fff + lsb) / 0x10000) & 0xffff;
}

/** Encodes a value as bfloat16 bits, rounding to nearest even. */
export function float32ToBfloat16Bits(v: number): number {
  return f32BitsToBf16Bits(float32Bits(v));
}

let f16Table: Uint32Array | null = null;

/** float16 bits -> float32 bits, for all 65536 patterns (built on first use). */
function float16Table(): Uint32Array {
  if (f16Table === null) {
    const t = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) t[h] = f16BitsToF32Bits(h);
    f16Table = t;
  }
  return f16Table;
}

function checkOut(out: { length: number } | undefined, n: number): void {
  if (out !== undefined && out.length !== n) {
    throw new RangeError(`output length ${out.length} does not match input length ${n}`);
  }
}

/** Decodes float16 bit patterns to float32 (table lookup; bit exact, NaN payloads kept). */
export function decodeFloat16Array(bits: Uint16Array, out?: Float32Array): Float32Array {
  const n = bits.length;
  checkOut(out, n);
  const result = out ?? new Float32Array(n);
  const dst = new Uint32Array(result.buffer, result.byteOffset, n);
  const table = float16Table();
  for (let i = 0; i < n; i++) dst[i] = table[bits[i]!]!;
  return result;
}

/** Encodes float32 values as float16 bit patterns, rounding to nearest even. */
export function encodeFloat16Array(values: Float32Array, out?: Uint16Array): Uint16Array {
  const n = values.length;
  checkOut(out, n);
  const result = out ?? new Uint16Array(n);
  const src = new Uint32Array(values.buffer, values.byteOffset, n);
  for (let i = 0; i < n; i++) result[i] = f32BitsToF16Bits(src[i]!);
  return result;
}

/** Decodes bfloat16 bit patterns to float32 (exact). */
export function decodeBfloat16Array(bits: Uint16Array, out?: Float32Array): Float32Array {
  const n = bits.length;
  checkOut(out, n);
  const result = out ?? new Float32Array(n);
  const dst = new Uint32Array(result.buffer, result.byteOffset, n);
  for (let i = 0; i < n; i++) dst[i] = bits[i]! << 16;
  return result;
}

/** Encodes float32 values as bfloat16 bit patterns, rounding to nearest even. */
export function encodeBfloat16Array(values: Float32Array, out?: Uint16Array): Uint16Array {
  const n = values.length;
  checkOut(out, n);
  const result = out ?? new Uint16Array(n);
  const src = new Uint32Array(values.buffer, values.byteOffset, n);
  for (let i = 0; i < n; i++) result[i] = f32BitsToBf16Bits(src[i]!);
  return result;
}
