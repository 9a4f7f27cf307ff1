/** A small protobuf reader for tests: splits a message into its top-level fields. */
export interface ProtoField { field: number; wireType: number; value: number | Uint8Array; }

function readVarint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let factor = 1;
  let pos = offset;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated varint');
    const b = bytes[pos++];
    value += (b & 0x7f) * factor;
    factor *= 128;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, pos);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === 0) {
      const [value, next] = readVarint(bytes, afterTag);
      fields.push({ field, wireType, value });
      pos = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(bytes, afterTag);
      if (start + length > bytes.length) throw new Error(`field ${field} runs past the end`);
      fields.push({ field, wireType, value: bytes.subarray(start, start + length) });
      pos = start + length;
    } else if (wireType === 5) {
      fields.push({ field, wireType, value: new DataView(bytes.buffer, bytes.byteOffset + afterTag, 4).getFloat32(0, true) });
      pos = afterTag + 4;
    } else {
      throw new Error(`unexpected wire type ${wireType}`);
    }
  }
  return fields;
}

export const text = (v: number | Uint8Array): string => new TextDecoder().decode(v as Uint8Array);
export const sub = (fields: ProtoField[], field: number): Uint8Array[] => fields.filter((f) => f.field === field).map((f) => f.value as Uint8Array);
