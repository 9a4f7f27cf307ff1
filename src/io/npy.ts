/**
 * NumPy .npy files: a float32 writer (format 1.0, byte-identical to what
 * `numpy.save` writes for a C-ordered '<f4' array) and a reader for numeric
 * arrays that converts to float32.
 */
import { float16ToFloat32 } from '../weights/float16';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;
/** numpy leaves room in the header so the first axis can grow in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

function shapeRepr(shape: number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** Encodes a C-ordered float32 array as a .npy (v1.0, '<f4') file. */
export function encodeNpyFloat32(data: Float32Array, shape: number[]): Uint8Array {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`npy: shape [${shape.join(', ')}] has an invalid dimension ${d}`);
    }
    n *= d;
  }
  if (n !== data.length) {
    throw new RangeError(`npy: shape [${shape.join(', ')}] has ${n} elements but the data has ${data.length}`);
  }
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // Pad with spaces and end with '\n' so the data starts at a multiple of 64.
  const prefixLength = MAGIC.length + 2 + 2;
  const unpadded = prefixLength + dict.length + 1;
  const pad = ALIGN - (unpadded % ALIGN);
  const headerText = dict + ' '.repeat(pad) + '\n';
  if (headerText.length > 0xffff) throw new RangeError('npy: header too long for format 1.0');

  const dataStart = prefixLength + headerText.length;
  const out = new Uint8Array(dataStart + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  const view = new DataView(out.buffer);
  view.setUint16(8, headerText.length, true);
  for (let i = 0; i < headerText.length; i++) out[prefixLength + i] = headerText.charCodeAt(i);
  for (let i = 0; i < data.length; i++) view.setFloat32(dataStart + i * 4, data[i]!, true);
  return out;
}

type Reader = (view: DataView, offset: number, littleEndian: boolean) => number;

const READERS: Record<string, { size: number; read: Reader }> = {
  f8: { size: 8, read: (v, o, le) => v.getFloat64(o, le) },
  f4: { size: 4, read: (v, o, le) => v.getFloat32(o, le) },
  f2: { size: 2, read: (v, o, le) => float16ToFloat32(v.getUint16(o, le)) },
  i8: { size: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) },
  u8: { size: 8, read: (v, o, le) => Number(v.getBigUint64(o, le)) },
  i4: { size: 4, read: (v, o, le) => v.getInt32(o, le) },
  u4: { size: 4, read: (v, o, le) => v.getUint32(o, le) },
  i2: { size: 2, read: (v, o, le) => v.getInt16(o, le) },
  u2: { size: 2, read: (v, o, le) => v.getUint16(o, le) },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
  b1: { size: 1, read: (v, o) => (v.getUint8(o) !== 0 ? 1 : 0) },
};

/**
 * Decodes a .npy file (format 1.x, 2.x or 3.x) holding a C-ordered numeric array
 * (float64/32/16, signed/unsigned ints, bool; either byte order) to float32.
 */
export function decodeNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error('npy: not a .npy file (missing the "\\x93NUMPY" magic)');
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error('npy: file ends inside the header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`npy: unsupported format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw new Error(`npy: header of ${headerLength} bytes runs past the end of the file (${bytes.length} bytes)`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descrMatch = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header);
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrMatch || !fortranMatch || !shapeMatch) {
    throw new Error(`npy: cannot parse header ${JSON.stringify(header.trim())}`);
  }
  const descr = descrMatch[1]!;
  if (fortranMatch[1] === 'True') {
    throw new Error('npy: Fortran-ordered arrays are not supported (save with C order)');
  }
  const shape = shapeMatch[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const d = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(d) || d < 0) throw new Error(`npy: bad shape (${shapeMatch[1]})`);
      return d;
    });

  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const reader = m ? READERS[`${m[2]}${m[3]}`] : undefined;
  if (!m || !reader) {
    throw new Error(`npy: unsupported dtype ${JSON.stringify(descr)} (supported: float64/32/16, ints, bool)`);
  }
  const littleEndian = m[1] !== '>'; // '=' is native: little-endian on every platform this runs on

  let count = 1;
  for (const d of shape) count *= d;
  const needed = count * reader.size;
  if (dataStart + needed > bytes.length) {
    throw new Error(
      `npy: shape (${shape.join(', ')}) of ${descr} needs ${needed} data bytes but the file has only ` +
        `${bytes.length - dataStart} (truncated file?)`,
    );
  }

  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = reader.read(view, dataStart + i * reader.size, littleEndian);
  return { shape, data };
}
