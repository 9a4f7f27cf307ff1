import { describe, expect, it } from 'vitest';
import { encodeVarint, MessageWriter } from '../../src/onnx/protobuf';
import { readFields, text } from './protoReader';

describe('protobuf writer', () => {
  it('encodes varints as base-128 groups, low group first', () => {
    expect([...encodeVarint(0)]).toEqual([0]);
    expect([...encodeVarint(1)]).toEqual([1]);
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02]);
    expect([...encodeVarint(2 ** 35)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(() => encodeVarint(-1)).toThrow(/non-negative/);
    expect(() => encodeVarint(1.5)).toThrow(/non-negative/);
  });

  it('writes tags, strings, floats and nested messages that read back', () => {
    const inner = new MessageWriter().varint(1, 150).string(2, 'héllo');
    const bytes = new MessageWriter().varint(1, 8).float(2, 0.5).message(7, inner).finish();
    // Field 1 varint 8: tag 0x08, value 0x08.
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 0x08]);
    const fields = readFields(bytes);
    expect(fields.map((f) => [f.field, f.wireType])).toEqual([[1, 0], [2, 5], [7, 2]]);
    expect(fields[1].value).toBe(0.5);
    const nested = readFields(fields[2].value as Uint8Array);
    expect(nested[0].value).toBe(150);
    expect(text(nested[1].value)).toBe('héllo');
  });

  it('refuses invalid field numbers', () => {
    expect(() => new MessageWriter().varint(0, 1)).toThrow(/field number/);
  });
});
