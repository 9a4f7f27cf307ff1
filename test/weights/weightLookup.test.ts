import { describe, expect, it } from 'vitest';
import { weightLookup } from '../../src/weights/weightLookup';

describe('weightLookup', () => {
  it('gives the tensor stored under a name, the same array', () => {
    const conv = new Float32Array([1, 2, 3]);
    const weight = weightLookup(new Map([['encoder.conv1.weight', conv]]));
    expect(weight('encoder.conv1.weight')).toBe(conv);
  });

  it('names the missing tensor', () => {
    const weight = weightLookup(new Map([['encoder.conv1.weight', new Float32Array(1)]]));
    expect(() => weight('encoder.bn1.weight')).toThrow('missing tensor "encoder.bn1.weight"');
  });
});
