/**
 * Minimal WebM (Matroska) files for tests: written from VP8 frames (from WebCodecs in a page, or
 * any bytes where only the container matters), and their frames counted; and, for Node, a stand-in
 * WebCodecs VideoDecoder that only says which codecs it supports.
 */
import { Buffer } from 'node:buffer';

/** EBML element: id bytes, size as an 8-byte vint, body. */
function ebml(id: number[], body: Buffer | Buffer[]): Buffer {
  const data = Buffer.isBuffer(body) ? body : Buffer.concat(body);
  const size = Buffer.alloc(8);
  size.writeUInt32BE(Math.floor(data.length / 2 ** 32), 0);
  size.writeUInt32BE(data.length >>> 0, 4);
  size[0] = (size[0]! & 0x00) | 0x01;
  return Buffer.concat([Buffer.from(id), size, data]);
}

function uint(id: number[], v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return ebml(id, b);
}

/**
 * A minimal WebM file of VP8 key frames, `frameMs` apart, or at the given times (ms, in file order;
 * the file's duration then gives the last frame 100 ms).
 */
export function webmFromVp8(frames: Buffer[], width: number, height: number, frameMs: number | readonly number[]): Buffer {
  const times = frames.map((_, i) => (typeof frameMs === 'number' ? i * frameMs : frameMs[i]!));
  const span = Math.max(...times) + (typeof frameMs === 'number' ? frameMs : 100);
  const header = ebml([0x1a, 0x45, 0xdf, 0xa3], [
    uint([0x42, 0x86], 1), uint([0x42, 0xf7], 1), uint([0x42, 0xf2], 4), uint([0x42, 0xf3], 8),
    ebml([0x42, 0x82], Buffer.from('webm')), uint([0x42, 0x87], 2), uint([0x42, 0x85], 2),
  ]);
  const duration = Buffer.alloc(8);
  duration.writeDoubleBE(span);
  const info = ebml([0x15, 0x49, 0xa9, 0x66], [uint([0x2a, 0xd7, 0xb1], 1_000_000), ebml([0x44, 0x89], duration), ebml([0x4d, 0x80], Buffer.from('e2e')), ebml([0x57, 0x41], Buffer.from('e2e'))]);
  const video = ebml([0xe0], [uint([0xb0], width), uint([0xba], height)]);
  const track = ebml([0xae], [uint([0xd7], 1), uint([0x73, 0xc5], 1), uint([0x83], 1), ebml([0x86], Buffer.from('V_VP8')), video]);
  const tracks = ebml([0x16, 0x54, 0xae, 0x6b], [track]);
  const blocks = frames.map((f, i) => {
    const head = Buffer.from([0x81, 0, 0, 0x80]);
    head.writeInt16BE(times[i]!, 1);
    return ebml([0xa3], Buffer.concat([head, f]));
  });
  const cluster = ebml([0x1f, 0x43, 0xb6, 0x75], [uint([0xe7], 0), ...blocks]);
  return Buffer.concat([header, ebml([0x18, 0x53, 0x80, 0x67], [info, tracks, cluster])]);
}

/** Reads an EBML variable-length integer at `at`: its length and value (null for "unknown size"). */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { length: number; value: number | null } {
  const first = bytes[at]!;
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    if (bytes[at + i] !== 0xff) allOnes = false;
  }
  return { length, value: !keepMarker && allOnes ? null : value };
}

/** Video frames in a WebM file: SimpleBlocks and BlockGroups inside the Segment's Clusters. */
export function webmFrameCount(bytes: Uint8Array): number {
  const SEGMENT = 0x18538067;
  const CLUSTER = 0x1f43b675;
  let count = 0;
  let at = 0;
  while (at < bytes.length) {
    const id = vint(bytes, at, true);
    const size = vint(bytes, at + id.length, false);
    const body = at + id.length + size.length;
    if (id.value === SEGMENT || id.value === CLUSTER) {
      at = body; // descend (sizes may be unknown in a recording)
      continue;
    }
    if (id.value === 0xa3 || id.value === 0xa0) count++;
    if (size.value === null) break;
    at = body + size.value;
  }
  return count;
}

/** Installs a WebCodecs VideoDecoder stand-in (on globalThis) that supports the codecs named. */
export function standInVideoDecoder(supported: string[]): void {
  (globalThis as { VideoDecoder?: unknown }).VideoDecoder = class {
    static isConfigSupported(config: VideoDecoderConfig): Promise<VideoDecoderSupport> {
      return Promise.resolve({ supported: supported.includes(config.codec), config });
    }
  };
}

export function removeVideoDecoder(): void {
  delete (globalThis as { VideoDecoder?: unknown }).VideoDecoder;
}
