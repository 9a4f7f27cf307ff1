/**
 * Isomorphic (browser + Node) PNG helpers over fast-png.
 *
 * decodePng normalises every PNG to 8 bits per sample, keeping its channel layout:
 * 1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA. Palette images are expanded to RGB (or RGBA when
 * they carry a tRNS chunk); 1/2/4-bit gray is scaled to 0..255; 16-bit samples are rounded to
 * 8 bits. A tRNS chunk on a gray or RGB image (a single transparent colour) is ignored.
 */
import { decode, encode } from 'fast-png';
import type { DecodedPng } from 'fast-png';
import { errorMessage } from '../util/errorMessage';

export type ImageDecodeErrorReason = 'empty' | 'not-png' | 'truncated' | 'corrupt' | 'unsupported';

export class ImageDecodeError extends Error {
  readonly reason: ImageDecodeErrorReason;
  constructor(reason: ImageDecodeErrorReason, message: string, options?: { cause?: unknown }) {
    super(`cannot decode PNG (${reason}): ${message}`, options);
    this.name = 'ImageDecodeError';
    this.reason = reason;
  }
}

export interface DecodedImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  /** 8-bit samples, row-major, interleaved: length width * height * channels. */
  data: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** Walks the chunk headers (cheap) so truncation and structural damage get a precise message. */
function checkStructure(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let first = true;
  let sawIdat = false;
  for (;;) {
    if (pos + 8 > bytes.length) {
      throw new ImageDecodeError('truncated', `data ends at byte ${bytes.length} before the IEND chunk`);
    }
    const length = view.getUint32(pos);
    const type = chunkType(bytes, pos + 4);
    if (!/^[A-Za-z]{4}$/.test(type)) {
      throw new ImageDecodeError('corrupt', `invalid chunk type at byte ${pos + 4}`);
    }
    if (first && type !== 'IHDR') {
      throw new ImageDecodeError('corrupt', `first chunk is ${type}, expected IHDR`);
    }
    first = false;
    const end = pos + 12 + length;
    if (end > bytes.length) {
      throw new ImageDecodeError(
        'truncated',
        `chunk ${type} at byte ${pos} needs ${length + 12} bytes but only ${bytes.length - pos} remain`,
      );
    }
    if (type === 'IDAT') sawIdat = true;
    if (type === 'IEND') break;
    pos = end;
  }
  if (!sawIdat) throw new ImageDecodeError('corrupt', 'no IDAT (image data) chunk');
}

/** Unpacks 1/2/4-bit rows (each row starts on a byte boundary) to one byte per sample. */
function unpackBits(packed: ArrayLike<number>, width: number, height: number, depth: number, scale: boolean): Uint8Array {
  const out = new Uint8Array(width * height);
  const bytesPerRow = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const factor = scale ? 255 / mask : 1;
  for (let y = 0; y < height; y++) {
    const rowStart = y * bytesPerRow;
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[rowStart + (bit >> 3)];
      const v = (byte >> (8 - depth - (bit & 7))) & mask;
      out[y * width + x] = scale ? Math.round(v * factor) : v;
    }
  }
  return out;
}

function normalise(png: DecodedPng): DecodedImage {
  const { width, height, depth } = png;
  const n = width * height;
  const isIndexed = png.palette !== undefined && png.channels === 1;
  if (isIndexed) {
    const palette = png.palette!;
    if (palette.length === 0) throw new ImageDecodeError('corrupt', 'empty palette');
    const indices = depth === 8 ? (png.data as Uint8Array) : unpackBits(png.data, width, height, depth, false);
    const channels = palette.some((c) => c.length === 4) ? 4 : 3;
    const out = new Uint8Array(n * channels);
    for (let i = 0; i < n; i++) {
      const color = palette[indices[i]];
      if (color === undefined) {
        throw new ImageDecodeError('corrupt', `palette index ${indices[i]} out of range (palette has ${palette.length})`);
      }
      const o = i * channels;
      out[o] = color[0];
      out[o + 1] = color[1];
      out[o + 2] = color[2];
      if (channels === 4) out[o + 3] = color.length === 4 ? color[3] : 255;
    }
    return { width, height, channels, data: out };
  }
  const channels = png.channels;
  if (depth === 8) {
    const d = png.data;
    const data = d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.length);
    return { width, height, channels, data };
  }
  if (depth === 16) {
    const src = png.data;
    const out = new Uint8Array(src.length);
    // round(v / 257): 65535 -> 255, 0 -> 0.
    for (let i = 0; i < src.length; i++) out[i] = ((src[i] + 128) / 257) | 0;
    return { width, height, channels, data: out };
  }
  // 1, 2 or 4 bits: only gray (channels 1) is allowed by the PNG spec.
  if (channels !== 1) {
    throw new ImageDecodeError('unsupported', `${depth}-bit samples with ${channels} channels`);
  }
  return { width, height, channels: 1, data: unpackBits(png.data, width, height, depth, true) };
}

/** Decodes a PNG to 8-bit samples; throws ImageDecodeError with a reason on bad input. */
export function decodePng(bytes: Uint8Array): DecodedImage {
  if (bytes.length === 0) throw new ImageDecodeError('empty', 'input is empty (0 bytes)');
  if (!isPng(bytes)) {
    throw new ImageDecodeError('not-png', bytes.length < 8 ? `only ${bytes.length} bytes` : 'missing PNG signature');
  }
  checkStructure(bytes);
  let png: DecodedPng;
  try {
    png = decode(bytes, { checkCrc: true });
  } catch (e) {
    const msg = errorMessage(e);
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
    throw new ImageDecodeError('corrupt', `${msg}${cause}`, { cause: e });
  }
  if (!(png.width > 0 && png.height > 0)) {
    throw new ImageDecodeError('corrupt', `bad size ${png.width}x${png.height}`);
  }
  return normalise(png);
}

/** Expands any decoded image to RGBA (gray -> R=G=B, missing alpha -> 255). */
export function toRgba(img: DecodedImage): Uint8ClampedArray {
  const { width, height, channels, data } = img;
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, o = 0, s = 0; i < n; i++, o += 4, s += channels) {
    if (channels >= 3) {
      out[o] = data[s];
      out[o + 1] = data[s + 1];
      out[o + 2] = data[s + 2];
      out[o + 3] = channels === 4 ? data[s + 3] : 255;
    } else {
      const g = data[s];
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
      out[o + 3] = channels === 2 ? data[s + 1] : 255;
    }
  }
  return out;
}

function checkSize(what: string, length: number, width: number, height: number, channels: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what}: bad size ${width}x${height}`);
  }
  if (length !== width * height * channels) {
    throw new RangeError(`${what}: ${length} values for ${width}x${height}x${channels}`);
  }
}

/** Fast deflate level: masks and previews compress well at level 1..3. */
const ZLIB = { level: 3 } as const;

/**
 * Single-channel 8-bit grayscale PNG with values 0/1, as the challenge expects
 * (any non-zero mask value is written as 1).
 */
export function encodeMaskPng(mask: ArrayLike<number>, width: number, height: number): Uint8Array {
  checkSize('encodeMaskPng', mask.length, width, height, 1);
  const n = width * height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = mask[i] !== 0 ? 1 : 0;
  return encode({ width, height, data, depth: 8, channels: 1 }, { zlib: ZLIB });
}

/** 8-bit grayscale PNG. */
export function encodeGrayPng(gray: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  checkSize('encodeGrayPng', gray.length, width, height, 1);
  return encode({ width, height, data: gray, depth: 8, channels: 1 }, { zlib: ZLIB });
}

/** 8-bit RGB PNG. */
export function encodeRgbPng(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  checkSize('encodeRgbPng', rgb.length, width, height, 3);
  return encode({ width, height, data: rgb, depth: 8, channels: 3 }, { zlib: ZLIB });
}

/** 8-bit RGBA PNG (e.g. from ImageData.data). */
export function encodeRgbaPng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  checkSize('encodeRgbaPng', rgba.length, width, height, 4);
  return encode({ width, height, data: rgba, depth: 8, channels: 4 }, { zlib: ZLIB });
}
