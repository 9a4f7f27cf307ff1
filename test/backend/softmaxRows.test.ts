import { describe, expect, it } from 'vitest';
import { SOFTMAX_ROW_MAX, softmaxRowsApply } from '../../src/backend/webgpuKernels/softmax';

describe('softmaxRowsApply', () => {
  it('takes float32 softmax over the last axis with short rows (the network classes)', () => {
    expect(softmaxRowsApply([1, 320, 800, 3], -1, 'float32')).toBe(true);
    expect(softmaxRowsApply([1, 320, 800, 3], 3, 'float32')).toBe(true);
    expect(softmaxRowsApply([5], 0, 'float32')).toBe(true);
    expect(softmaxRowsApply([2, SOFTMAX_ROW_MAX], -1, 'float32')).toBe(true);
  });

  it('leaves long rows, other axes, other types and empty rows to the built-in kernel', () => {
    expect(softmaxRowsApply([2, SOFTMAX_ROW_MAX + 1], -1, 'float32')).toBe(false);
    expect(softmaxRowsApply([1, 320, 800, 3], 2, 'float32')).toBe(false);
    expect(softmaxRowsApply([4, 3], -1, 'int32')).toBe(false);
    expect(softmaxRowsApply([4, 0], -1, 'float32')).toBe(false);
  });
});
