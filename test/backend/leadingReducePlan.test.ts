import { describe, expect, it } from 'vitest';
import { leadingReducePlan } from '../../src/backend/webgpuKernels/leadingAxesReduce';

describe('leadingReducePlan', () => {
  it('reads a batch-norm reduction (NHWC over [0, 1, 2]) as rows x channels', () => {
    const plan = leadingReducePlan([8, 80, 200, 64], [0, 1, 2], false, 'float32')!;
    expect(plan).toMatchObject({ rows: 8 * 80 * 200, cols: 64, outShape: [64] });
    expect(leadingReducePlan([8, 80, 200, 64], [0, 1, 2], true, 'float32')!.outShape).toEqual([1, 1, 1, 64]);
  });

  it('accepts axes in any order, negative or repeated, and a single leading axis as a number', () => {
    const shape = [2, 3, 4, 5];
    expect(leadingReducePlan(shape, [2, -4, 1, 1], false, 'float32')).toMatchObject({ rows: 24, cols: 5, outShape: [5] });
    expect(leadingReducePlan(shape, 0, false, 'float32')).toMatchObject({ rows: 2, cols: 60, outShape: [3, 4, 5] });
    expect(leadingReducePlan(shape, -4, true, 'float32')!.outShape).toEqual([1, 3, 4, 5]);
  });

  it('splits the rows so that every row is in exactly one slice, and more when there are few columns', () => {
    for (const [shape, axes] of [
      [[8, 80, 200, 64], [0, 1, 2]],
      [[2, 64, 128, 3], [0, 1, 2]],
      [[1, 5, 7, 512], [0, 1, 2]],
      [[1000003, 1], [0]],
      [[31, 2], [0]],
    ] as const) {
      const plan = leadingReducePlan(shape, [...axes], false, 'float32')!;
      expect(plan.slices).toBeGreaterThanOrEqual(1);
      expect(plan.slices).toBeLessThanOrEqual(65535);
      expect((plan.slices - 1) * plan.rowsPerSlice).toBeLessThan(plan.rows);
      expect(plan.slices * plan.rowsPerSlice).toBeGreaterThanOrEqual(plan.rows);
    }
    const fewColumns = leadingReducePlan([2, 64, 128, 3], [0, 1, 2], false, 'float32')!;
    const manyColumns = leadingReducePlan([2, 64, 128, 512], [0, 1, 2], false, 'float32')!;
    expect(fewColumns.slices).toBeGreaterThan(manyColumns.slices);
    expect(leadingReducePlan([31, 2], [0], false, 'float32')!.slices).toBe(1);
  });

  it('leaves inner axes, all axes, other types and empty tensors to the built-in kernel', () => {
    expect(leadingReducePlan([2, 3, 4], [1, 2], false, 'float32')).toBeNull();
    expect(leadingReducePlan([2, 3, 4], [0, 2], false, 'float32')).toBeNull();
    expect(leadingReducePlan([2, 3, 4], [0, 1, 2], false, 'float32')).toBeNull();
    expect(leadingReducePlan([6], [0], false, 'float32')).toBeNull();
    expect(leadingReducePlan([2, 3], [0], false, 'int32')).toBeNull();
    expect(leadingReducePlan([0, 3], [0], false, 'float32')).toBeNull();
    expect(leadingReducePlan([2, 3], [], false, 'float32')).toBeNull();
  });
});
