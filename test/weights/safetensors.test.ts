import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURES_DIR } from '../paths';
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from '../../src/weights/safetensors';
import { ModelFileError } from '../../src/weights/modelFileError';

// ---------------------------------------------------------------- helpers

function ramp(n: number, scale = 1, offset = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.fround((i - n / 3) * scale + offset);
  return a;
}

const TENSORS: TensorToWrite[] = [
  { name: 'firstconv.weight', shape: [2, 3], data: ramp(6, 0.37) },
  { name: 'firstbn.running_var', shape: [4], data: Float32Array.from([0.5, 1, 2, 1e-3]) },
  { name: 'decoder4.deconv2.weight', shape: [2, 2], data: Float32Array.from([1, -2, 3.25, 1e6]) },
];

function goodFile(): Uint8Array {
  return serializeSafetensors(TENSORS, { metadata: { arch: 'linknet' } });
}

function headerLength(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
}

/** Builds a file from header text and data bytes (no padding). */
function build(headerText: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Re-writes the header of a good file after `mutate` edits its parsed JSON; the data is kept. */
function withHeader(file: Uint8Array, mutate: (h: Record<string, any>) => void): Uint8Array {
  const n = headerLength(file);
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<string, any>;
  mutate(header);
  return build(JSON.stringify(header), file.subarray(8 + n));
}

/** Asserts that `fn` throws a ModelFileError with exactly `message`, naming `tensor`. */
function expectError(fn: () => unknown, message: string | RegExp, tensor?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ModelFileError);
  const err = caught as ModelFileError;
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
  expect(err.tensor).toBe(tensor);
  if (tensor !== undefined) expect(err.message).toContain(`"${tensor}"`);
}

const readFixture = (name: string) => new Uint8Array(readFileSync(resolve(FIXTURES_DIR, name)));

// ---------------------------------------------------------------- round trips

describe('serializeSafetensors / parseSafetensors', () => {
  it('round-trips F32 exactly, in order, with metadata', () => {
    const file = goodFile();
    const parsed = parseSafetensors(file);
    expect([...parsed.entries.keys()]).toEqual(TENSORS.map((t) => t.name));
    expect(parsed.metadata).toEqual({ arch: 'linknet' });
    let offset = 0;
    for (const t of TENSORS) {
      const e = parsed.entries.get(t.name)!;
      expect(e).toEqual({ name: t.name, dtype: 'F32', shape: t.shape, byteOffset: offset, byteLength: t.data.length * 4 });
      offset += e.byteLength;
      expect(parsed.readFloat32(t.name)).toEqual(t.data);
    }
    expect(file.length).toBe(8 + headerLength(file) + offset);
  });

  it('writes the reference layout: space-padded header, multiple of 8, metadata only when given', () => {
    const metadatas: (Record<string, string> | undefined)[] = [undefined, { a: '1' }, { arch: 'linknet', 'x y': 'é ü' }];
    for (const metadata of metadatas) {
      for (let k = 0; k <= TENSORS.length; k++) {
        const file = serializeSafetensors(TENSORS.slice(0, k), metadata ? { metadata } : {});
        const n = headerLength(file);
        expect(n % 8).toBe(0);
        const text = new TextDecoder().decode(file.subarray(8, 8 + n));
        expect(text.trimEnd().endsWith('}')).toBe(true);
        expect(text.slice(text.trimEnd().length)).toMatch(/^ {0,7}$/);
        const header = JSON.parse(text);
        expect('__metadata__' in header).toBe(metadata !== undefined);
        if (metadata) expect(parseSafetensors(file).metadata).toEqual(metadata);
        else expect(parseSafetensors(file).metadata).toEqual({});
      }
    }
    const text = new TextDecoder().decode(goodFile().subarray(8, 8 + headerLength(goodFile())));
    expect(JSON.parse(text)['firstbn.running_var']).toEqual({ dtype: 'F32', shape: [4], data_offsets: [24, 40] });
  });

  it('round-trips F16 and BF16 within their precision', () => {
    const data = ramp(1000, 0.0137, 0.01);
    const t = [{ name: 'w', shape: [10, 100], data }];
    for (const [dtype, relTol, itemSize] of [['F16', 2 ** -11, 2], ['BF16', 2 ** -8, 2]] as const) {
      const file = serializeSafetensors(t, { dtype });
      const parsed = parseSafetensors(file);
      expect(parsed.entries.get('w')).toMatchObject({ dtype, shape: [10, 100], byteLength: 1000 * itemSize });
      const back = parsed.readFloat32('w');
      let worst = 0;
      for (let i = 0; i < data.length; i++) {
        worst = Math.max(worst, Math.abs(back[i]! - data[i]!) / Math.abs(data[i]!));
      }
      expect(worst).toBeGreaterThan(0); // the values really were rounded
      expect(worst).toBeLessThanOrEqual(relTol);
    }
    // F16 overflow and exact values
    const f = parseSafetensors(
      serializeSafetensors([{ name: 'x', shape: [4], data: Float32Array.from([1, -2, 65504, 1e6]) }], { dtype: 'F16' }),
    );
    expect(Array.from(f.readFloat32('x'))).toEqual([1, -2, 65504, Infinity]);
  });

  it('handles zero-element and scalar tensors', () => {
    const file = serializeSafetensors([
      { name: 'empty', shape: [0, 3], data: new Float32Array(0) },
      { name: 'scalar', shape: [], data: Float32Array.from([7.5]) },
      { name: 'empty2', shape: [5, 0], data: new Float32Array(0) },
    ]);
    const p = parseSafetensors(file);
    expect(p.entries.get('empty')).toMatchObject({ shape: [0, 3], byteOffset: 0, byteLength: 0 });
    expect(p.entries.get('empty2')).toMatchObject({ shape: [5, 0], byteOffset: 4, byteLength: 0 });
    expect(p.readFloat32('empty').length).toBe(0);
    expect(Array.from(p.readFloat32('scalar'))).toEqual([7.5]);
  });

  it('reads a file that is an unaligned view into a larger buffer, and returns copies', () => {
    const file = goodFile();
    const big = new Uint8Array(file.length + 7);
    big.fill(0xab);
    big.set(file, 3);
    const view = big.subarray(3, 3 + file.length);
    const p = parseSafetensors(view);
    const a = p.readFloat32('decoder4.deconv2.weight');
    expect(Array.from(a)).toEqual([1, -2, 3.25, 1e6]);
    a[0] = 99;
    expect(p.readFloat32('decoder4.deconv2.weight')[0]).toBe(1);
  });

  it('decodes every dtype to float32, at unaligned data offsets', () => {
    // u8 first (3 bytes) so every following tensor starts at an odd offset.
    const specs: [string, string, number[], number, (v: DataView, o: number, x: number) => void][] = [
      ['u8', 'U8', [0, 7, 255], 1, (v, o, x) => v.setUint8(o, x)],
      ['f64', 'F64', [0.1, -1e300, 2.5], 8, (v, o, x) => v.setFloat64(o, x, true)],
      ['f32', 'F32', [1.5, -0.25, 3e38], 4, (v, o, x) => v.setFloat32(o, x, true)],
      ['f16', 'F16', [0x3c00, 0xc000, 0x7bff], 2, (v, o, x) => v.setUint16(o, x, true)],
      ['bf16', 'BF16', [0x3f80, 0x4049, 0xff80], 2, (v, o, x) => v.setUint16(o, x, true)],
      ['i64', 'I64', [-5, 1234567, 0], 8, (v, o, x) => v.setBigInt64(o, BigInt(x), true)],
      ['i32', 'I32', [-70000, 70000, 1], 4, (v, o, x) => v.setInt32(o, x, true)],
      ['i16', 'I16', [-300, 300, -1], 2, (v, o, x) => v.setInt16(o, x, true)],
      ['i8', 'I8', [-128, 127, 0], 1, (v, o, x) => v.setInt8(o, x)],
      ['bool', 'BOOL', [1, 0, 1], 1, (v, o, x) => v.setUint8(o, x)],
    ];
    const total = specs.reduce((s, [, , vals, size]) => s + vals.length * size, 0);
    const data = new Uint8Array(total);
    const dv = new DataView(data.buffer);
    const header: Record<string, unknown> = {};
    let off = 0;
    for (const [name, dtype, vals, size, write] of specs) {
      header[name] = { dtype, shape: [vals.length], data_offsets: [off, off + vals.length * size] };
      vals.forEach((x, i) => write(dv, off + i * size, x));
      off += vals.length * size;
    }
    const p = parseSafetensors(build(JSON.stringify(header), data));
    const read = (n: string) => Array.from(p.readFloat32(n));
    expect(read('u8')).toEqual([0, 7, 255]);
    expect(read('f64')).toEqual([Math.fround(0.1), -Infinity, 2.5]);
    expect(read('f32')).toEqual([1.5, -0.25, Math.fround(3e38)]);
    expect(read('f16')).toEqual([1, -2, 65504]);
    expect(read('bf16')).toEqual([1, 3.140625, -Infinity]);
    expect(read('i64')).toEqual([-5, 1234567, 0]);
    expect(read('i32')).toEqual([-70000, 70000, 1]);
    expect(read('i16')).toEqual([-300, 300, -1]);
    expect(read('i8')).toEqual([-128, 127, 0]);
    expect(read('bool')).toEqual([1, 0, 1]);
  });

  it('rejects bad input to the writer', () => {
    expectError(
      () => serializeSafetensors([{ name: 'w', shape: [2, 3], data: new Float32Array(5) }]),
      'tensor "w": shape [2, 3] has 6 elements but the data has 5',
      'w',
    );
    expectError(
      () => serializeSafetensors([TENSORS[0]!, TENSORS[0]!]),
      'tensor "firstconv.weight": duplicate tensor name',
      'firstconv.weight',
    );
  });
});

// ---------------------------------------------------------------- real fixtures

describe('fixtures', () => {
  it('reads linknet34_weights.safetensors (F16)', () => {
    const p = parseSafetensors(readFixture('linknet34_weights.safetensors'));
    expect(p.metadata).toMatchObject({ arch: 'linknet', encoder: 'resnet34', classes: '3', final: 'softmax' });
    expect(p.entries.size).toBe(258); // 259 header keys less __metadata__
    const conv = p.entries.get('firstconv.weight')!;
    expect(conv).toEqual({ name: 'firstconv.weight', dtype: 'F16', shape: [64, 3, 7, 7], byteOffset: 0, byteLength: 18816 });
    const w = p.readFloat32('firstconv.weight');
    expect(w.length).toBe(64 * 3 * 7 * 7);
    // First values as numpy reads them (float16 bits 41228, 10203, 42045, 43095).
    expect(Array.from(w.subarray(0, 4))).toEqual([-0.009857177734375, 0.0306854248046875, -0.0165557861328125, -0.033905029296875]);

    const rv = p.entries.get('encoder2.0.downsample.1.running_var')!;
    expect(rv.shape).toEqual([128]);
    const v = p.readFloat32('encoder2.0.downsample.1.running_var');
    expect(v.length).toBe(128);
    expect(v.every((x) => x > 0 && Number.isFinite(x))).toBe(true);

    let params = 0;
    for (const e of p.entries.values()) {
      expect(e.dtype).toBe('F16');
      params += e.byteLength / 2;
    }
    expect(params).toBe(21_661_667);
    expect(p.entries.get('finalconv3.weight')?.shape).toEqual([3, 32, 2, 2]);
    expect(p.entries.get('decoder4.deconv2.weight')?.shape).toEqual([128, 128, 3, 3]);
    expect([...p.entries.keys()].some((k) => k.includes('num_batches_tracked'))).toBe(false);
  });

  it('reads loss.safetensors (F32) and its numbers are consistent', () => {
    const p = parseSafetensors(readFixture('loss.safetensors'));
    for (const name of ['probs', 'target']) {
      expect(p.entries.get(name)).toMatchObject({ dtype: 'F32', shape: [4, 3, 32, 48] });
    }
    for (const name of ['fb.bg', 'fb.road', 'fb.car', 'loss', 'grader.f_road', 'grader.f_car', 'grader.score']) {
      expect(p.entries.get(name)).toMatchObject({ dtype: 'F32', shape: [1] });
    }
    const probs = p.readFloat32('probs');
    const target = p.readFloat32('target');
    const plane = 32 * 48;
    for (let n = 0; n < 4; n++) {
      for (let i = 0; i < plane; i++) {
        let sp = 0;
        let st = 0;
        for (let c = 0; c < 3; c++) {
          sp += probs[(n * 3 + c) * plane + i]!;
          st += target[(n * 3 + c) * plane + i]!;
        }
        if (Math.abs(sp - 1) > 1e-5 || st !== 1) throw new Error(`pixel ${n}/${i}: probs sum ${sp}, target sum ${st}`);
      }
    }
    const one = (k: string) => p.readFloat32(k)[0]!;
    expect(one('loss')).toBeCloseTo(3 - one('fb.bg') - one('fb.road') - one('fb.car'), 5);
    expect(one('grader.score')).toBeCloseTo((one('grader.f_road') + one('grader.f_car')) / 2, 6);
    // Image 2 has no car pixel.
    let car2 = 0;
    for (let i = 0; i < plane; i++) car2 += target[(2 * 3 + 2) * plane + i]!;
    expect(car2).toBe(0);
  });
});

// ---------------------------------------------------------------- bad files

describe('parseSafetensors rejects bad files', () => {
  const good = goodFile();
  const n = headerLength(good);

  it('file shorter than 8 bytes', () => {
    expectError(
      () => parseSafetensors(good.subarray(0, 5)),
      'file has only 5 bytes; a safetensors file starts with an 8-byte header length (empty or truncated file?)',
    );
    expectError(() => parseSafetensors(new Uint8Array(0)), /^file has only 0 bytes/);
  });

  it('header length past the end of the file, or absurd', () => {
    const cut = good.slice(0, 8 + n - 1);
    expectError(
      () => parseSafetensors(cut),
      `header length ${n} bytes runs past the end of the file (${8 + n - 1} bytes; truncated file or not a safetensors file?)`,
    );
    const absurd = good.slice();
    new DataView(absurd.buffer).setBigUint64(0, 1n << 40n, true);
    expectError(
      () => parseSafetensors(absurd),
      'header length 1099511627776 bytes is absurd (more than 104857600 bytes); not a safetensors file?',
    );
    // A PNG is not a safetensors file: its first 8 bytes read as a huge length.
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expectError(() => parseSafetensors(png), /^header length \d+ bytes is absurd/);
  });

  it('header not UTF-8, not JSON, or not an object', () => {
    const badUtf8 = good.slice();
    badUtf8[9] = 0xff;
    expectError(() => parseSafetensors(badUtf8), 'header is not valid UTF-8 (not a safetensors file?)');

    const badJson = good.slice();
    badJson[8] = 'x'.charCodeAt(0);
    expectError(() => parseSafetensors(badJson), /^header is not valid JSON \(.+\); not a safetensors file\?$/);

    expectError(() => parseSafetensors(build('[1, 2]', new Uint8Array(0))), 'header JSON must be an object, got array [1,2]');
    expectError(() => parseSafetensors(build('null', new Uint8Array(0))), 'header JSON must be an object, got null');
    expectError(() => parseSafetensors(build('"hi"', new Uint8Array(0))), 'header JSON must be an object, got string "hi"');
  });

  it('entry not an object, or missing dtype/shape/data_offsets', () => {
    const t = 'firstbn.running_var';
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t] = 5))),
      `tensor "${t}": header entry must be an object, got number 5`,
      t,
    );
    for (const key of ['dtype', 'shape', 'data_offsets']) {
      expectError(
        () => parseSafetensors(withHeader(good, (h) => delete h[t][key])),
        `tensor "${t}": header entry has no "${key}"`,
        t,
      );
    }
  });

  it('wrong types in an entry', () => {
    const t = 'decoder4.deconv2.weight';
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].dtype = 32))),
      `tensor "${t}": "dtype" must be a string, got number 32`,
      t,
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].shape = '2x2'))),
      `tensor "${t}": "shape" must be an array, got string "2x2"`,
      t,
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].data_offsets = [40]))),
      `tensor "${t}": "data_offsets" must be [begin, end] with non-negative integers, got array [40]`,
      t,
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].data_offsets = [40, '56']))),
      `tensor "${t}": "data_offsets" must be [begin, end] with non-negative integers, got array [40,"56"]`,
      t,
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].data_offsets = [56, 40]))),
      `tensor "${t}": "data_offsets" [56, 40] end before they begin`,
      t,
    );
  });

  it('unknown dtype names the dtype and the tensor', () => {
    const t = 'firstconv.weight';
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].dtype = 'Q7'))),
      `tensor "${t}": unknown dtype "Q7" (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)`,
      t,
    );
  });

  it('negative or non-integer shape dimensions', () => {
    const t = 'firstconv.weight';
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].shape = [2, -3]))),
      `tensor "${t}": shape dimension 1 is number -3; dimensions must be non-negative integers`,
      t,
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].shape = [1.5, 4]))),
      `tensor "${t}": shape dimension 0 is number 1.5; dimensions must be non-negative integers`,
      t,
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].shape = [2, '3']))),
      `tensor "${t}": shape dimension 1 is string "3"; dimensions must be non-negative integers`,
      t,
    );
  });

  it('byte length that does not match the shape and dtype', () => {
    const t = 'firstconv.weight';
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].shape = [2, 4]))),
      `tensor "${t}": data_offsets [0, 24] give 24 bytes but shape [2, 4] of F32 needs 32 bytes (8 elements x 4 bytes)`,
      t,
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h[t].dtype = 'F16'))),
      `tensor "${t}": data_offsets [0, 24] give 24 bytes but shape [2, 3] of F16 needs 12 bytes (6 elements x 2 bytes)`,
      t,
    );
  });

  it('truncated file: data past the end', () => {
    const t = 'decoder4.deconv2.weight';
    const cut = good.subarray(0, good.length - 4);
    expectError(
      () => parseSafetensors(cut),
      `tensor "${t}": data ends at byte ${good.length} but the file has only ${good.length - 4} bytes (truncated file?)`,
      t,
    );
  });

  it('overlapping tensors', () => {
    expectError(
      () =>
        parseSafetensors(
          withHeader(good, (h) => {
            h['decoder4.deconv2.weight'].data_offsets = [8, 24]; // inside firstconv.weight [0, 24)
          }),
        ),
      'tensor "decoder4.deconv2.weight": data [8, 24) overlaps tensor "firstconv.weight" [0, 24)',
      'decoder4.deconv2.weight',
    );
    // Gaps between tensors are allowed, and a zero-length tensor overlaps nothing.
    const gap = withHeader(good, (h) => {
      h['decoder4.deconv2.weight'].data_offsets = [40, 56];
      h['zero'] = { dtype: 'F32', shape: [0], data_offsets: [8, 8] };
    });
    expect(parseSafetensors(gap).entries.size).toBe(4);
  });

  it('__metadata__ that is not an object of strings', () => {
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h['__metadata__'] = { arch: 'linknet', classes: 3 }))),
      '"__metadata__" value for key "classes" must be a string, got number 3',
    );
    expectError(
      () => parseSafetensors(withHeader(good, (h) => void (h['__metadata__'] = ['a']))),
      '"__metadata__" must be an object of strings, got array ["a"]',
    );
  });

  it('readFloat32 of an unknown name', () => {
    const p = parseSafetensors(good);
    expectError(() => p.readFloat32('nope.weight'), 'tensor "nope.weight": not in the file (it has 3 tensors)', 'nope.weight');
  });
});

describe('safetensors from a Node Buffer', () => {
  it('reads the same values from a Buffer (whose slice() does not copy) as from a Uint8Array', async () => {
    const { serializeSafetensors, parseSafetensors } = await import('../../src/weights/safetensors');
    const bytes = serializeSafetensors([{ name: 'a', shape: [3], data: Float32Array.from([1.5, -2, 3.25]) }, { name: 'b', shape: [2], data: Float32Array.from([7, 8]) }]);
    const buffer = Buffer.from(bytes);
    expect(Array.from(parseSafetensors(buffer).readFloat32('b'))).toEqual([7, 8]);
    expect(Array.from(parseSafetensors(buffer).readFloat32('a'))).toEqual([1.5, -2, 3.25]);
  });
});
