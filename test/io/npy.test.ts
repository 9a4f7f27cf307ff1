import { describe, it, expect } from 'vitest';
import { decodeNpy, encodeNpyFloat32 } from '../../src/io/npy';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/** Bytes of `np.save(f, np.arange(12, dtype='<f4').reshape(3, 4))` (NumPy 2.4). */
const NUMPY_F4_3x4 = hex(
  '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c2027' +
    '7368617065273a2028332c2034292c207d' +
    '20'.repeat(58) +
    '0a000000000000803f0000004000004040000080400000a0400000c0400000e04000000041000010410000204100003041',
);

/** Bytes of `np.save(f, np.arange(6, dtype='<f8').reshape(2, 3) * 0.1)`. */
const NUMPY_F8_2x3 = hex(
  '934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c2027' +
    '7368617065273a2028322c2033292c207d' +
    '20'.repeat(58) +
    '0a00000000000000009a9999999999b93f9a9999999999c93f343333333333d33f9a9999999999d93f000000000000e03f',
);

function headerText(bytes: Uint8Array): string {
  const len = bytes[8]! | (bytes[9]! << 8);
  return new TextDecoder('latin1').decode(bytes.subarray(10, 10 + len));
}

/** A .npy file with the given header dict text (padded like numpy) and raw data. */
function npyWith(dict: string, data: Uint8Array, version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const pad = 64 - ((prefix + dict.length + 1) % 64);
  const header = new TextEncoder().encode(dict + ' '.repeat(pad) + '\n');
  const out = new Uint8Array(prefix + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(data, prefix + header.length);
  return out;
}

describe('encodeNpyFloat32', () => {
  it('writes exactly what numpy.save writes', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i);
    const bytes = encodeNpyFloat32(data, [3, 4]);
    expect(headerText(bytes)).toBe(`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }${' '.repeat(58)}\n`);
    expect(bytes).toEqual(NUMPY_F4_3x4);
  });

  it('aligns the data to 64 bytes and writes numpy shape tuples', () => {
    const cases: [number[], string][] = [
      [[], '()'],
      [[5], '(5,)'],
      [[0], '(0,)'],
      [[2, 3, 4], '(2, 3, 4)'],
      [[1, 3, 320, 800], '(1, 3, 320, 800)'],
      [[123456789, 0], '(123456789, 0)'],
    ];
    for (const [shape, repr] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = encodeNpyFloat32(new Float32Array(n), shape);
      const text = headerText(bytes);
      expect((10 + text.length) % 64).toBe(0);
      expect(text.startsWith(`{'descr': '<f4', 'fortran_order': False, 'shape': ${repr}, }`)).toBe(true);
      expect(text.endsWith('\n')).toBe(true);
      expect(bytes.length).toBe(10 + text.length + 4 * n);
    }
    // numpy's scalar header: no room reserved for growth, 118 header bytes.
    expect(headerText(encodeNpyFloat32(Float32Array.from([1]), [])).length).toBe(118);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => encodeNpyFloat32(new Float32Array(5), [2, 3])).toThrow('npy: shape [2, 3] has 6 elements but the data has 5');
    expect(() => encodeNpyFloat32(new Float32Array(0), [-1])).toThrow('invalid dimension -1');
  });
});

describe('decodeNpy', () => {
  it('round-trips float32 exactly', () => {
    const data = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.fround(Math.sin(i) * 1e3));
    data[3] = -0;
    data[4] = Infinity;
    const back = decodeNpy(encodeNpyFloat32(data, [2, 3, 5]));
    expect(back.shape).toEqual([2, 3, 5]);
    expect(back.data).toEqual(data);
    expect(Object.is(back.data[3], -0)).toBe(true);
    expect(decodeNpy(encodeNpyFloat32(Float32Array.from([2.5]), []))).toEqual({ shape: [], data: Float32Array.from([2.5]) });
    expect(decodeNpy(encodeNpyFloat32(new Float32Array(0), [0, 4]))).toEqual({ shape: [0, 4], data: new Float32Array(0) });
  });

  it('reads numpy-written <f4 and <f8 files, also from an unaligned view', () => {
    expect(decodeNpy(NUMPY_F4_3x4)).toEqual({ shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i) });
    const f8 = decodeNpy(NUMPY_F8_2x3);
    expect(f8.shape).toEqual([2, 3]);
    expect(Array.from(f8.data)).toEqual([0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5].map(Math.fround));
    const big = new Uint8Array(NUMPY_F8_2x3.length + 5);
    big.set(NUMPY_F8_2x3, 3);
    expect(decodeNpy(big.subarray(3, 3 + NUMPY_F8_2x3.length))).toEqual(f8);
  });

  it('reads other numeric dtypes, big-endian data and format 2.0', () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -3, false);
    expect(decodeNpy(npyWith("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be)).data).toEqual(
      Float32Array.from([1.5, -3]),
    );
    expect(decodeNpy(npyWith("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.from([0, 7, 255])))).toEqual({
      shape: [3],
      data: Float32Array.from([0, 7, 255]),
    });
    const i4 = new Uint8Array(Int32Array.from([-5, 70000]).buffer);
    expect(decodeNpy(npyWith("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }", i4, 2)).data).toEqual(
      Float32Array.from([-5, 70000]),
    );
    const f2 = new Uint8Array(Uint16Array.from([0x3c00, 0xc000]).buffer);
    expect(decodeNpy(npyWith("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", f2)).data).toEqual(
      Float32Array.from([1, -2]),
    );
  });

  it('gives clear errors for what it cannot read', () => {
    expect(() => decodeNpy(new TextEncoder().encode('PK\x03\x04 this is a zip file'))).toThrow(
      'npy: not a .npy file (missing the "\\x93NUMPY" magic)',
    );
    expect(() => decodeNpy(npyWith("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)))).toThrow(
      'npy: unsupported dtype "<c8" (supported: float64/32/16, ints, bool)',
    );
    expect(() => decodeNpy(npyWith("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(20)))).toThrow(
      'npy: unsupported dtype "<U5"',
    );
    expect(() => decodeNpy(npyWith("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(16)))).toThrow(
      'npy: Fortran-ordered arrays are not supported (save with C order)',
    );
    expect(() => decodeNpy(NUMPY_F4_3x4.subarray(0, NUMPY_F4_3x4.length - 1))).toThrow(
      'npy: shape (3, 4) of <f4 needs 48 data bytes but the file has only 47 (truncated file?)',
    );
    expect(() => decodeNpy(NUMPY_F4_3x4.subarray(0, 100))).toThrow(
      'npy: header of 118 bytes runs past the end of the file (100 bytes)',
    );
    expect(() => decodeNpy(npyWith("{'descr': '<f4', 'shape': (2, 2), }", new Uint8Array(16)))).toThrow('npy: cannot parse header');
  });
});
