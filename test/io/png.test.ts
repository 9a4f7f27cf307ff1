import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import {
  decodePng,
  encodeGrayPng,
  encodeMaskPng,
  encodeRgbaPng,
  encodeRgbPng,
  ImageDecodeError,
  isPng,
  toRgba,
} from '../../src/io/png';

function ramp(n: number, mul = 37): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = (i * mul) & 255;
  return a;
}

function expectDecodeError(bytes: Uint8Array, reason: string): ImageDecodeError {
  try {
    decodePng(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ImageDecodeError);
    expect((e as ImageDecodeError).reason).toBe(reason);
    expect((e as Error).message).toMatch(/cannot decode PNG/);
    return e as ImageDecodeError;
  }
  throw new Error('expected decodePng to throw');
}

describe('png encode/decode round trips', () => {
  it('mask PNG is single-channel 8-bit 0/1', () => {
    const w = 7;
    const h = 5;
    const mask = new Uint8Array(w * h).map((_, i) => (i % 3 === 0 ? 255 : i % 3 === 1 ? 1 : 0));
    const png = encodeMaskPng(mask, w, h);
    expect(isPng(png)).toBe(true);
    // IHDR: bit depth 8, colour type 0 (grayscale)
    expect(png[24]).toBe(8);
    expect(png[25]).toBe(0);
    const img = decodePng(png);
    expect(img).toMatchObject({ width: w, height: h, channels: 1 });
    expect(Array.from(img.data)).toEqual(Array.from(mask, (v) => (v ? 1 : 0)));
  });

  it('gray, RGB and RGBA round trip exactly', () => {
    const w = 9;
    const h = 4;
    const g = ramp(w * h);
    const rgb = ramp(w * h * 3, 11);
    const rgba = ramp(w * h * 4, 13);
    expect(decodePng(encodeGrayPng(g, w, h))).toEqual({ width: w, height: h, channels: 1, data: g });
    expect(decodePng(encodeRgbPng(rgb, w, h))).toEqual({ width: w, height: h, channels: 3, data: rgb });
    const dec = decodePng(encodeRgbaPng(new Uint8ClampedArray(rgba), w, h));
    expect(dec.channels).toBe(4);
    expect(Array.from(dec.data)).toEqual(Array.from(rgba));
  });

  it('rejects wrong data sizes when encoding', () => {
    expect(() => encodeMaskPng(new Uint8Array(5), 2, 2)).toThrow(RangeError);
    expect(() => encodeRgbaPng(new Uint8Array(12), 2, 2)).toThrow(/16|2x2x4/);
    expect(() => encodeGrayPng(new Uint8Array(0), 0, 0)).toThrow(/bad size/);
  });
});

describe('png normalisation to 8 bits', () => {
  it('16-bit RGB is rounded to 8 bits', () => {
    const data = new Uint16Array([0, 65535, 257, 128, 129, 32896]);
    const img = decodePng(encode({ width: 2, height: 1, data, depth: 16, channels: 3 }));
    expect(img.channels).toBe(3);
    expect(img.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(img.data)).toEqual([0, 255, 1, 0, 1, 128]);
  });

  it('gray + alpha keeps two channels', () => {
    const data = new Uint8Array([10, 255, 20, 0, 30, 128, 40, 7]);
    const img = decodePng(encode({ width: 2, height: 2, data, depth: 8, channels: 2 }));
    expect(img).toMatchObject({ width: 2, height: 2, channels: 2 });
    expect(Array.from(img.data)).toEqual(Array.from(data));
    expect(Array.from(toRgba(img).subarray(0, 8))).toEqual([10, 10, 10, 255, 20, 20, 20, 0]);
  });

  it('16-bit gray + alpha', () => {
    const data = new Uint16Array([65535, 0, 0, 65535]);
    const img = decodePng(encode({ width: 2, height: 1, data, depth: 16, channels: 2 }));
    expect(Array.from(img.data)).toEqual([255, 0, 0, 255]);
  });

  it('palette (8-bit and 2-bit indices) expands to RGB, with tRNS to RGBA', () => {
    const palette = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [9, 8, 7],
    ];
    const idx8 = new Uint8Array([0, 1, 2, 3, 3, 2]);
    const img = decodePng(encode({ width: 3, height: 2, data: idx8, depth: 8, channels: 1, palette }));
    expect(img.channels).toBe(3);
    expect(Array.from(img.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7, 9, 8, 7, 0, 0, 255]);

    // 2-bit indices, width 3: each row is one byte, 3 samples then padding.
    const packed = new Uint8Array([0b00011000, 0b11100100]);
    const img2 = decodePng(encode({ width: 3, height: 2, data: packed, depth: 2, channels: 1, palette }));
    expect(Array.from(img2.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7, 0, 0, 255, 0, 255, 0]);

    // (fast-png's encoder writes only the non-opaque alphas into tRNS, which is positional,
    // so only a leading run of transparent entries survives: make entry 0 the transparent one.)
    const withAlpha = palette.map((c, i) => [...c, i === 0 ? 100 : 255]);
    const img3 = decodePng(encode({ width: 3, height: 2, data: idx8, depth: 8, channels: 1, palette: withAlpha }));
    expect(img3.channels).toBe(4);
    expect(Array.from(img3.data.subarray(0, 8))).toEqual([255, 0, 0, 100, 0, 255, 0, 255]);
  });

  it('1-bit and 4-bit gray are scaled to 0..255', () => {
    const one = decodePng(encode({ width: 10, height: 1, data: new Uint8Array([0b10100000, 0b01000000]), depth: 1, channels: 1 }));
    expect(Array.from(one.data)).toEqual([255, 0, 255, 0, 0, 0, 0, 0, 0, 255]);
    const four = decodePng(encode({ width: 3, height: 1, data: new Uint8Array([0x0f, 0x50]), depth: 4, channels: 1 }));
    expect(Array.from(four.data)).toEqual([0, 255, 85]);
  });
});

describe('png decode errors', () => {
  const good = encodeRgbPng(ramp(16 * 8 * 3), 16, 8);

  it('empty input', () => {
    expect(expectDecodeError(new Uint8Array(0), 'empty').message).toMatch(/0 bytes/);
  });

  it('garbage / not a PNG', () => {
    expectDecodeError(new TextEncoder().encode('this is not a png file at all'), 'not-png');
    expectDecodeError(new Uint8Array([0x89, 0x50]), 'not-png');
    // a JPEG signature
    expectDecodeError(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]), 'not-png');
  });

  it('truncated at several points', () => {
    for (const cut of [8, 12, 20, 33, 40, good.length - 20, good.length - 1]) {
      expectDecodeError(good.subarray(0, cut), 'truncated');
    }
  });

  it('corrupt data (CRC or deflate damage)', () => {
    const bad = good.slice();
    bad[45] ^= 0xff; // inside the IDAT payload
    expectDecodeError(bad, 'corrupt');
    const badType = good.slice();
    badType[12] = 0x21; // IHDR type -> '!HDR'
    expectDecodeError(badType, 'corrupt');
  });
});
