import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAD_BYTES, MAX_IMAGE_SIDE, sniffImage, sniffImageEnds, TAIL_BYTES } from '../../src/data/imageHeader';
import { encodeGrayPng, encodeRgbaPng, encodeRgbPng } from '../../src/io/png';
import { LYFT_REAL_DIR } from '../paths';

/** A minimal JPEG byte layout: SOI, APP1 of `appBytes`, SOF0 (size), SOS, scan data, EOI. */
function jpegBytes(width: number, height: number, options: { appBytes?: number; eoi?: boolean; scan?: number } = {}): Uint8Array {
  const out: number[] = [0xff, 0xd8];
  const app = options.appBytes ?? 16;
  out.push(0xff, 0xe1, ((app + 2) >> 8) & 255, (app + 2) & 255, ...new Array<number>(app).fill(0x41));
  out.push(0xff, 0xc0, 0, 17, 8, (height >> 8) & 255, height & 255, (width >> 8) & 255, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
  out.push(0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0);
  for (let i = 0; i < (options.scan ?? 200); i++) out.push(i % 255 === 0xff ? 0 : i % 255);
  if (options.eoi !== false) out.push(0xff, 0xd9);
  return Uint8Array.from(out);
}

function ends(bytes: Uint8Array) {
  return sniffImageEnds(bytes.subarray(0, HEAD_BYTES), bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)), bytes.length);
}

describe('image headers', () => {
  it('reads format and size of PNGs, with bit depth and colour type', () => {
    expect(sniffImage(encodeRgbPng(new Uint8Array(5 * 3 * 3), 5, 3))).toEqual({ ok: true, format: 'png', width: 5, height: 3, bitDepth: 8, colorType: 2 });
    expect(sniffImage(encodeGrayPng(new Uint8Array(4), 2, 2))).toMatchObject({ ok: true, colorType: 0 });
    expect(sniffImage(encodeRgbaPng(new Uint8Array(16), 2, 2))).toMatchObject({ ok: true, colorType: 6 });
  });

  it('real frames and labels: 800x600 PNG, the ends alone give the same answer', () => {
    for (const dir of ['train/CameraRGB', 'train/CameraSeg', 'val/CameraRGB']) {
      const name = readdirSync(join(LYFT_REAL_DIR, dir)).sort()[0];
      const bytes = new Uint8Array(readFileSync(join(LYFT_REAL_DIR, dir, name)));
      const full = sniffImage(bytes);
      expect(full).toMatchObject({ ok: true, format: 'png', width: 800, height: 600 });
      expect(ends(bytes)).toEqual(full);
    }
  });

  it('a truncated PNG is reported as truncated, from its ends too', () => {
    const bytes = new Uint8Array(readFileSync(join(LYFT_REAL_DIR, 'train/CameraRGB', readdirSync(join(LYFT_REAL_DIR, 'train/CameraRGB')).sort()[0])));
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.4));
    const r = sniffImage(cut);
    expect(r).toMatchObject({ ok: false, kind: 'truncated' });
    expect(!r.ok && r.reason).toMatch(/^truncated PNG: the file ends after [\d,]+ bytes without its IEND chunk$/);
    expect(ends(cut)).toEqual(r);
    expect(sniffImage(bytes.subarray(0, 20))).toMatchObject({ ok: false, kind: 'truncated' });
  });

  it('refuses text, other formats and empty files with a readable reason', () => {
    const text = new TextEncoder().encode('this is a text file, not a picture\n');
    const r = sniffImage(text);
    expect(r).toEqual({ ok: false, kind: 'not-image', reason: 'not an image: the file holds text ("this is a text file, not a picture"), not PNG, JPEG or WebP data' });
    expect(sniffImage(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]))).toMatchObject({ kind: 'not-image', reason: expect.stringContaining('unknown data (starts 00 01 02 03') });
    expect(sniffImage(new TextEncoder().encode('GIF89a....'))).toMatchObject({ kind: 'unsupported', reason: 'GIF image: not supported (use PNG, JPEG or WebP)' });
    expect(sniffImage(new Uint8Array(0))).toEqual({ ok: false, kind: 'empty', reason: '0-byte file' });
  });

  it(`refuses images over ${MAX_IMAGE_SIDE} px a side`, () => {
    expect(sniffImage(encodeGrayPng(new Uint8Array(9000), 9000, 1))).toEqual({ ok: false, kind: 'too-large', reason: 'image is 9000x1 px: over the 8192 px limit per side' });
    expect(sniffImage(encodeGrayPng(new Uint8Array(8192), 8192, 1))).toMatchObject({ ok: true });
    expect(sniffImage(jpegBytes(100, 9001))).toMatchObject({ kind: 'too-large' });
  });

  it('JPEG: size from the frame header, truncation from the missing end marker', () => {
    expect(sniffImage(jpegBytes(640, 480))).toEqual({ ok: true, format: 'jpeg', width: 640, height: 480 });
    expect(sniffImage(jpegBytes(640, 480, { eoi: false }))).toMatchObject({ ok: false, kind: 'truncated', reason: expect.stringContaining('without its end-of-image marker') });
    const head = jpegBytes(640, 480).subarray(0, 30);
    expect(sniffImage(head)).toMatchObject({ ok: false, kind: 'truncated', reason: expect.stringContaining('before its image data') });
  });

  it('JPEG with metadata larger than the head: the ends ask for the whole file', () => {
    const big = jpegBytes(320, 240, { appBytes: 20_000, scan: 5000 });
    expect(ends(big)).toBeNull();
    expect(sniffImage(big)).toMatchObject({ ok: true, width: 320, height: 240 });
  });

  it('WebP: size from VP8X, truncation from the RIFF size', () => {
    const b = new Uint8Array(40);
    b.set(new TextEncoder().encode('RIFF'), 0);
    new DataView(b.buffer).setUint32(4, 32, true);
    b.set(new TextEncoder().encode('WEBPVP8X'), 8);
    // canvas width - 1 and height - 1 (24-bit little-endian) at 24 and 27
    b.set([0x1f, 0x03, 0x00, 0x57, 0x02, 0x00], 24);
    expect(sniffImage(b)).toEqual({ ok: true, format: 'webp', width: 800, height: 600 });
    expect(sniffImage(b.subarray(0, 36))).toMatchObject({ ok: false, kind: 'truncated' });
  });
});
