/**
 * What an image file holds, from its bytes alone and without decoding the pixels: the format
 * (PNG, JPEG or WebP, whatever the file's name says), the size from the header, and whether the
 * file is complete. Cheap enough to run on every file before decoding, so the dataset panel can
 * refuse a text file named x.png, a truncated download or a 20000-px panorama with a precise reason
 * (a browser decoder only says "could not be decoded", and may draw a truncated JPEG half grey).
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** The largest frame side the studio accepts (a 8192x8192 RGBA frame is already 256 MiB decoded). */
export const MAX_IMAGE_SIDE = 8192;

export type ImageProblemKind = 'empty' | 'not-image' | 'unsupported' | 'truncated' | 'corrupt' | 'too-large';

export interface ImageInfo {
  ok: true;
  format: ImageFormat;
  width: number;
  height: number;
  /** PNG only: bits per sample and colour type (0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA). */
  bitDepth?: number;
  colorType?: number;
}

export type ImageSniff = ImageInfo | { ok: false; kind: ImageProblemKind; reason: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  let s = '';
  for (let i = at; i < at + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function u16be(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function u16le(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function u24le(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function bytesText(n: number): string {
  return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}

/** A short description of bytes that are no image: quoted text when printable, else the first bytes in hex. */
export function describeContent(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 48);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0x80) printable++;
  if (head.length > 0 && printable === head.length) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 40)).replace(/\s+/g, ' ').trim();
    return `text ("${text}${bytes.length > 40 ? '…' : ''}")`;
  }
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unknown data (starts ${hex})`;
}

/** Other image formats, named so the message can say what the file is. */
function otherFormat(bytes: Uint8Array): string | null {
  const a4 = ascii(bytes, 0, 4);
  if (a4 === 'GIF8') return 'GIF';
  if (ascii(bytes, 0, 2) === 'BM') return 'BMP';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (ascii(bytes, 4, 4) === 'ftyp') return 'HEIF/AVIF';
  return null;
}

function sizeCheck(format: ImageFormat, width: number, height: number, extra: Partial<ImageInfo> = {}): ImageSniff {
  if (!(width > 0 && height > 0)) return { ok: false, kind: 'corrupt', reason: `corrupt ${formatName(format)}: the header gives a size of ${width}x${height}` };
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    return { ok: false, kind: 'too-large', reason: `image is ${width}x${height} px: over the ${MAX_IMAGE_SIDE} px limit per side` };
  }
  return { ok: true, format, width, height, ...extra };
}

export function formatName(format: ImageFormat): string {
  return format === 'png' ? 'PNG' : format === 'jpeg' ? 'JPEG' : 'WebP';
}

/**
 * The start and the end of a file: `head` is bytes [0, head.length), `tail` bytes
 * [size - tail.length, size) (the same array as head when the whole file was read).
 */
interface Parts {
  head: Uint8Array;
  tail: Uint8Array;
  size: number;
}

/** Whether `pattern` occurs in the tail at a file offset >= `from`. */
function tailHas(p: Parts, pattern: readonly number[], from: number): boolean {
  const base = p.size - p.tail.length;
  for (let i = p.tail.length - pattern.length; i >= 0 && base + i >= from; i--) {
    let hit = true;
    for (let k = 0; k < pattern.length; k++) {
      if (p.tail[i + k] !== pattern[k]) {
        hit = false;
        break;
      }
    }
    if (hit) return true;
  }
  return false;
}

/** How many bytes of a file's end the checks look at (a complete file's end marker lies within them). */
export const TAIL_BYTES = 1024;

function sniffPng(p: Parts): ImageSniff {
  const { head } = p;
  // Signature, then IHDR: length 13, 'IHDR', width, height (big-endian), bit depth, colour type.
  if (p.size < 8 + 8 + 13 + 4) return { ok: false, kind: 'truncated', reason: `truncated PNG: the file ends after ${bytesText(p.size)}, inside its header` };
  if (ascii(head, 12, 4) !== 'IHDR') return { ok: false, kind: 'corrupt', reason: 'corrupt PNG: the first chunk is not IHDR' };
  const width = u32be(head, 16);
  const height = u32be(head, 20);
  // A complete PNG ends with the IEND chunk (some trailing junk is tolerated).
  if (!tailHas(p, [0x49, 0x45, 0x4e, 0x44], 8)) {
    return { ok: false, kind: 'truncated', reason: `truncated PNG: the file ends after ${bytesText(p.size)} without its IEND chunk` };
  }
  return sizeCheck('png', width, height, { bitDepth: head[24], colorType: head[25] });
}

const JPEG_STANDALONE = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]);

/** null: the head ends before the first scan (read more of the file). */
function sniffJpeg(p: Parts): ImageSniff | null {
  const bytes = p.head;
  const partial = bytes.length < p.size;
  let pos = 2;
  let width = -1;
  let height = -1;
  let scanAt = -1;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0xff) return { ok: false, kind: 'corrupt', reason: `corrupt JPEG: no marker at byte ${pos}` };
    while (pos < bytes.length && bytes[pos] === 0xff) pos++; // fill bytes
    if (pos >= bytes.length) break;
    const marker = bytes[pos++];
    if (JPEG_STANDALONE.has(marker)) continue;
    if (marker === 0xd9) return { ok: false, kind: 'corrupt', reason: 'corrupt JPEG: the image ends before its first scan' };
    if (pos + 2 > bytes.length) break;
    const length = u16be(bytes, pos);
    if (length < 2) return { ok: false, kind: 'corrupt', reason: `corrupt JPEG: segment of length ${length}` };
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (pos + 7 > bytes.length) break;
      height = u16be(bytes, pos + 3);
      width = u16be(bytes, pos + 5);
    }
    if (marker === 0xda) {
      scanAt = pos + length;
      break;
    }
    pos += length;
  }
  if (scanAt < 0 || scanAt > p.size) {
    if (partial) return null;
    return { ok: false, kind: 'truncated', reason: `truncated JPEG: the file ends after ${bytesText(p.size)}, before its image data` };
  }
  if (width < 0) return { ok: false, kind: 'corrupt', reason: 'corrupt JPEG: no frame header (SOF) before the image data' };
  // A complete JPEG has an end-of-image marker after the scan data (some trailing junk is tolerated).
  if (!tailHas(p, [0xff, 0xd9], scanAt)) {
    return { ok: false, kind: 'truncated', reason: `truncated JPEG: the file ends after ${bytesText(p.size)} without its end-of-image marker` };
  }
  return sizeCheck('jpeg', width, height);
}

function sniffWebp(p: Parts): ImageSniff {
  const bytes = p.head;
  const riffSize = u32le(bytes, 4);
  if (riffSize + 8 > p.size) {
    return { ok: false, kind: 'truncated', reason: `truncated WebP: the file ends after ${bytesText(p.size)} of ${bytesText(riffSize + 8)}` };
  }
  if (bytes.length < 30) return { ok: false, kind: 'corrupt', reason: 'corrupt WebP: header too short' };
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ') return sizeCheck('webp', u16le(bytes, 26) & 0x3fff, u16le(bytes, 28) & 0x3fff);
  if (chunk === 'VP8L') {
    const b = u32le(bytes, 21);
    return sizeCheck('webp', (b & 0x3fff) + 1, ((b >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') return sizeCheck('webp', u24le(bytes, 24) + 1, u24le(bytes, 27) + 1);
  return { ok: false, kind: 'corrupt', reason: `corrupt WebP: unknown first chunk "${chunk}"` };
}

function sniffParts(p: Parts): ImageSniff | null {
  const bytes = p.head;
  if (p.size === 0) return { ok: false, kind: 'empty', reason: '0-byte file' };
  if (startsWith(bytes, PNG_SIGNATURE)) return sniffPng(p);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return sniffJpeg(p);
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return sniffWebp(p);
  const other = otherFormat(bytes);
  if (other) return { ok: false, kind: 'unsupported', reason: `${other} image: not supported (use PNG, JPEG or WebP)` };
  return { ok: false, kind: 'not-image', reason: `not an image: the file holds ${describeContent(bytes)}, not PNG, JPEG or WebP data` };
}

/** How many bytes of a file's start the header checks read first (HEAD_BYTES; JPEG metadata may need more). */
export const HEAD_BYTES = 4096;

/**
 * The checks of sniffImage from the start and the end of a file only (HEAD_BYTES and TAIL_BYTES
 * are enough for PNG and WebP): null when the head ends before the information is complete (a
 * JPEG with large metadata), then check the whole file with sniffImage.
 */
export function sniffImageEnds(head: Uint8Array, tail: Uint8Array, size: number): ImageSniff | null {
  return sniffParts({ head, tail, size });
}

/** The format, size and completeness of an image file's bytes; a reason a person can read when it is no usable image. */
export function sniffImage(bytes: Uint8Array): ImageSniff {
  return sniffParts({ head: bytes, tail: bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)), size: bytes.length })!;
}
