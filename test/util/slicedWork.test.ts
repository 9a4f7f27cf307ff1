import { describe, expect, it } from 'vitest';
import { runsWithin } from '../../src/util/slicedWork';

describe('runsWithin', () => {
  it('cuts items into consecutive runs of at most the limit, a larger item alone', () => {
    expect(runsWithin([3, 1, 2, 4, 9, 1, 1], 4)).toEqual([[0, 1], [2], [3], [4], [5, 6]]);
    expect(runsWithin([2, 2, 2, 2], 4)).toEqual([[0, 1], [2, 3]]);
    expect(runsWithin([5], 4)).toEqual([[0]]);
    expect(runsWithin([], 4)).toEqual([]);
    expect(runsWithin([1, 2, 3], Infinity)).toEqual([[0, 1, 2]]);
  });
});
