/**
 * safetensors reader and writer.
 *
 * Layout: an 8-byte little-endian unsigned header length N, N bytes of UTF-8
 * JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {string: string}}` (offsets relative to the first byte after the header),
 * then the raw little-endian tensor data.
 */
import {
  decodeBfloat16Array,
  decodeFloat16Array,
  encodeBfloat16Array,
  encodeFloat16Array,
} from './float16';
import { ModelFileError } from './modelFileError';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Offset of the tensor's data from the start of the data section (the byte after the header). */
  byteOffset: number;
  byteLength: number;
}

export interface ParsedSafetensors {
  metadata: Record<string, string>;
  entries: Map<string, SafetensorsEntry>; // in header order
  /** Decodes one tensor to float32 (F64/F32/F16/BF16/ints all convert); throws ModelFileError for unknown names. */
  readFloat32(name: string): Float32Array;
}

export type WritableDtype = 'F32' | 'F16' | 'BF16';

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
}

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

const METADATA_KEY = '__metadata__';
/** Headers larger than this are treated as corrupt rather than allocated. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(s: string): s is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(ITEM_SIZE, s);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array ${truncate(JSON.stringify(v))}`;
  if (typeof v === 'string') return `string ${truncate(JSON.stringify(v))}`;
  if (typeof v === 'object') return 'object';
  return `${typeof v} ${String(v)}`;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(tensor: string, problem: string): never {
  throw new ModelFileError(`tensor ${JSON.stringify(tensor)}: ${problem}`, tensor);
}

function parseEntry(name: string, raw: unknown, dataLength: number, fileLength: number, headerEnd: number): SafetensorsEntry {
  if (!isPlainObject(raw)) fail(name, `header entry must be an object, got ${describe(raw)}`);

  if (!('dtype' in raw)) fail(name, 'header entry has no "dtype"');
  const dtype = raw['dtype'];
  if (typeof dtype !== 'string') fail(name, `"dtype" must be a string, got ${describe(dtype)}`);
  if (!isDtype(dtype)) {
    fail(name, `unknown dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ITEM_SIZE).join(', ')})`);
  }

  if (!('shape' in raw)) fail(name, 'header entry has no "shape"');
  const shapeRaw = raw['shape'];
  if (!Array.isArray(shapeRaw)) fail(name, `"shape" must be an array, got ${describe(shapeRaw)}`);
  const shape: number[] = [];
  let elements = 1;
  for (let i = 0; i < shapeRaw.length; i++) {
    const d: unknown = shapeRaw[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(name, `shape dimension ${i} is ${describe(d)}; dimensions must be non-negative integers`);
    }
    shape.push(d);
    elements *= d;
  }
  const expectedBytes = elements * ITEM_SIZE[dtype];
  if (!Number.isSafeInteger(expectedBytes)) fail(name, `shape [${shape.join(', ')}] is impossibly large`);

  if (!('data_offsets' in raw)) fail(name, 'header entry has no "data_offsets"');
  const offsets = raw['data_offsets'];
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o: unknown) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    fail(name, `"data_offsets" must be [begin, end] with non-negative integers, got ${describe(offsets)}`);
  }
  const begin = offsets[0] as number;
  const end = offsets[1] as number;
  if (end < begin) fail(name, `"data_offsets" [${begin}, ${end}] end before they begin`);

  const actualBytes = end - begin;
  if (actualBytes !== expectedBytes) {
    fail(
      name,
      `data_offsets [${begin}, ${end}] give ${actualBytes} bytes but shape [${shape.join(', ')}] of ${dtype} ` +
        `needs ${expectedBytes} bytes (${elements} elements x ${ITEM_SIZE[dtype]} bytes)`,
    );
  }
  if (end > dataLength) {
    fail(name, `data ends at byte ${headerEnd + end} but the file has only ${fileLength} bytes (truncated file?)`);
  }
  return { name, dtype, shape, byteOffset: begin, byteLength: actualBytes };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (!isPlainObject(raw)) {
    throw new ModelFileError(`"${METADATA_KEY}" must be an object of strings, got ${describe(raw)}`);
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') {
      throw new ModelFileError(`"${METADATA_KEY}" value for key ${JSON.stringify(k)} must be a string, got ${describe(v)}`);
    }
    metadata[k] = v;
  }
  return metadata;
}

function checkOverlaps(entries: Iterable<SafetensorsEntry>): void {
  const sorted = [...entries].filter((e) => e.byteLength > 0).sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.byteOffset < prev.byteOffset + prev.byteLength) {
      fail(
        cur.name,
        `data [${cur.byteOffset}, ${cur.byteOffset + cur.byteLength}) overlaps tensor ${JSON.stringify(prev.name)} ` +
          `[${prev.byteOffset}, ${prev.byteOffset + prev.byteLength})`,
      );
    }
  }
}

/** Decodes `count` little-endian elements of `dtype` from an aligned copy of the tensor's bytes. */
function decodeToFloat32(dtype: SafetensorsDtype, buf: ArrayBuffer, count: number): Float32Array {
  if (HOST_IS_LITTLE_ENDIAN) {
    switch (dtype) {
      case 'F32':
        return new Float32Array(buf, 0, count);
      case 'F16':
        return decodeFloat16Array(new Uint16Array(buf, 0, count));
      case 'BF16':
        return decodeBfloat16Array(new Uint16Array(buf, 0, count));
      case 'F64':
        return Float32Array.from(new Float64Array(buf, 0, count));
      case 'I32':
        return Float32Array.from(new Int32Array(buf, 0, count));
      case 'I16':
        return Float32Array.from(new Int16Array(buf, 0, count));
      default:
        break; // I64 and single-byte types below
    }
  }
  const view = new DataView(buf);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F16': {
      const bits = new Uint16Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true);
      return decodeFloat16Array(bits, out);
    }
    case 'BF16': {
      const bits = new Uint16Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true);
      return decodeBfloat16Array(bits, out);
    }
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return out;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return out;
    case 'U8':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      return out;
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) !== 0 ? 1 : 0;
      return out;
  }
}

/**
 * Parses and validates a safetensors file. `bytes` may be a view into a larger
 * buffer; it is referenced, not copied, so do not modify it while the result is
 * in use. Throws ModelFileError for any malformed file.
 */
export function parseSafetensors(bytes: Uint8Array): ParsedSafetensors {
  const fileLength = bytes.byteLength;
  if (fileLength < 8) {
    throw new ModelFileError(
      `file has only ${fileLength} bytes; a safetensors file starts with an 8-byte header length (empty or truncated file?)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLengthBig = view.getBigUint64(0, true);
  if (headerLengthBig > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelFileError(
      `header length ${headerLengthBig} bytes is absurd (more than ${MAX_HEADER_BYTES} bytes); not a safetensors file?`,
    );
  }
  const headerLength = Number(headerLengthBig);
  const headerEnd = 8 + headerLength;
  if (headerEnd > fileLength) {
    throw new ModelFileError(
      `header length ${headerLength} bytes runs past the end of the file (${fileLength} bytes; truncated file or not a safetensors file?)`,
    );
  }

  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd));
  } catch {
    throw new ModelFileError('header is not valid UTF-8 (not a safetensors file?)');
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    throw new ModelFileError(`header is not valid JSON (${(e as Error).message}); not a safetensors file?`);
  }
  if (!isPlainObject(header)) {
    throw new ModelFileError(`header JSON must be an object, got ${describe(header)}`);
  }

  const dataLength = fileLength - headerEnd;
  let metadata: Record<string, string> = {};
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(raw);
      continue;
    }
    entries.set(name, parseEntry(name, raw, dataLength, fileLength, headerEnd));
  }
  checkOverlaps(entries.values());

  const dataStart = headerEnd;
  return {
    metadata,
    entries,
    readFloat32(name: string): Float32Array {
      const entry = entries.get(name);
      if (entry === undefined) {
        throw new ModelFileError(`tensor ${JSON.stringify(name)}: not in the file (it has ${entries.size} tensors)`, name);
      }
      const count = entry.byteLength / ITEM_SIZE[entry.dtype];
      const start = dataStart + entry.byteOffset;
      // Copy into a fresh, aligned buffer: the source offset may be unaligned, and the caller gets
      // an array that does not alias the file. (Uint8Array.prototype.slice copies; a Node Buffer's
      // own slice would not, so call it explicitly.)
      const copy = Uint8Array.prototype.slice.call(bytes, start, start + entry.byteLength);
      return decodeToFloat32(entry.dtype, copy.buffer, count);
    },
  };
}

function elementCount(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The little-endian bytes of a typed array (a view on little-endian hosts). */
function littleEndianBytes(arr: Float32Array | Uint16Array): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  const out = new Uint8Array(arr.byteLength);
  const view = new DataView(out.buffer);
  if (arr instanceof Float32Array) {
    for (let i = 0; i < arr.length; i++) view.setFloat32(i * 4, arr[i]!, true);
  } else {
    for (let i = 0; i < arr.length; i++) view.setUint16(i * 2, arr[i]!, true);
  }
  return out;
}

/**
 * Serializes float32 tensors as safetensors, converted to `dtype` (default F32),
 * laid out contiguously in the given order. The header is padded with spaces to
 * a multiple of 8 bytes; `__metadata__` is written only when given.
 */
export function serializeSafetensors(
  tensors: TensorToWrite[],
  options?: { dtype?: WritableDtype; metadata?: Record<string, string> },
): Uint8Array {
  const dtype: WritableDtype = options?.dtype ?? 'F32';
  if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
    throw new ModelFileError(`cannot write dtype ${JSON.stringify(dtype as string)} (writable: F32, F16, BF16)`);
  }
  const itemSize = ITEM_SIZE[dtype];

  const header: Record<string, unknown> = {};
  if (options?.metadata !== undefined) {
    for (const [k, v] of Object.entries(options.metadata)) {
      if (typeof v !== 'string') {
        throw new ModelFileError(`"${METADATA_KEY}" value for key ${JSON.stringify(k)} must be a string, got ${describe(v)}`);
      }
    }
    header[METADATA_KEY] = { ...options.metadata };
  }

  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const { name, shape, data } = t;
    if (name === '' || name === METADATA_KEY) fail(name, 'invalid tensor name');
    if (Object.prototype.hasOwnProperty.call(header, name)) fail(name, 'duplicate tensor name');
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i]!;
      if (!Number.isSafeInteger(d) || d < 0) {
        fail(name, `shape dimension ${i} is ${d}; dimensions must be non-negative integers`);
      }
    }
    const n = elementCount(shape);
    if (n !== data.length) {
      fail(name, `shape [${shape.join(', ')}] has ${n} elements but the data has ${data.length}`);
    }
    let bytes: Uint8Array;
    if (dtype === 'F32') bytes = littleEndianBytes(data);
    else if (dtype === 'F16') bytes = littleEndianBytes(encodeFloat16Array(data));
    else bytes = littleEndianBytes(encodeBfloat16Array(data));
    const byteLength = n * itemSize;
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + byteLength] };
    payloads.push(bytes);
    offset += byteLength;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const p of payloads) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
