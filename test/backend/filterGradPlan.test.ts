import { describe, expect, it } from 'vitest';
import { COLUMNS_MAX_N, FILTER_GRAD_TILE_K, PER_OUTPUT_MAX_K, planFilterGrad, TILED_TILE, type FilterGradShape } from '../../src/backend/webgpuKernels/filterGradPlan';

function shape(over: Partial<FilterGradShape>): FilterGradShape {
  return {
    batch: 8,
    inHeight: 80,
    inWidth: 200,
    inChannels: 64,
    outHeight: 80,
    outWidth: 200,
    outChannels: 64,
    filterHeight: 3,
    filterWidth: 3,
    ...over,
  };
}

describe('planFilterGrad', () => {
  it('treats the filter gradient as an m x n product over k = batch * output pixels', () => {
    const p = planFilterGrad(shape({ outChannels: 128 }));
    expect(p.m).toBe(3 * 3 * 64);
    expect(p.n).toBe(128);
    expect(p.k).toBe(8 * 80 * 200);
    expect(p.kind).toBe('tiled');
    expect(p.tilesM).toBe(Math.ceil(576 / TILED_TILE));
    expect(p.tilesN).toBe(4);
  });

  it('splits the inner dimension so that every split is non-empty and together they cover k exactly once', () => {
    for (const s of [
      shape({}),
      shape({ batch: 1, inHeight: 17, inWidth: 23, outHeight: 9, outWidth: 12 }),
      shape({ filterHeight: 7, filterWidth: 7, inChannels: 3, batch: 8, outHeight: 160, outWidth: 400 }),
      shape({ outChannels: 3, inChannels: 32, filterHeight: 2, filterWidth: 2, outHeight: 321, outWidth: 801 }),
    ]) {
      const p = planFilterGrad(s);
      expect(p.kPerSplit % FILTER_GRAD_TILE_K).toBe(0);
      expect(p.stepsPerSplit * FILTER_GRAD_TILE_K).toBe(p.kPerSplit);
      expect(p.splits * p.kPerSplit).toBeGreaterThanOrEqual(p.k);
      expect((p.splits - 1) * p.kPerSplit).toBeLessThan(p.k);
    }
  });

  it('splits a long inner dimension across workgroups when the output alone has few tiles', () => {
    // The stem at 320x800, batch 8: a 7x7x3x64 filter (147 rows: 3 workgroups) over 512,000 pixels.
    const p = planFilterGrad(shape({ filterHeight: 7, filterWidth: 7, inChannels: 3, outHeight: 160, outWidth: 400 }));
    expect(p.kind).toBe('columns');
    expect(p.tilesM * p.tilesN).toBe(3);
    expect(p.splits).toBeGreaterThanOrEqual(100);
    expect(p.tilesM * p.tilesN * p.splits).toBeGreaterThanOrEqual(512);
  });

  it('does not split a small inner dimension below minKPerSplit, nor one whose output already fills the GPU', () => {
    expect(planFilterGrad(shape({ batch: 1, outHeight: 16, outWidth: 16 })).splits).toBe(1);
    const big = planFilterGrad(shape({ inChannels: 512, outChannels: 512, outHeight: 10, outWidth: 25 }));
    expect(big.tilesM * big.tilesN).toBeGreaterThanOrEqual(512);
    expect(big.splits).toBe(1);
  });

  it('caps the partial-product buffer', () => {
    const p = planFilterGrad(shape({ inChannels: 256, outChannels: 256 }), { targetWorkgroups: 1e9, minKPerSplit: 1, maxPartialFloats: 3e6 });
    expect(p.splits * p.m * p.n).toBeLessThanOrEqual(3e6);
    expect(p.splits).toBeGreaterThan(1);
  });

  it(`uses the columns program for at most ${COLUMNS_MAX_N} output channels (a classifier's 32 -> 3)`, () => {
    const p = planFilterGrad(shape({ inChannels: 32, outChannels: 3, filterHeight: 2, filterWidth: 2, outHeight: 321, outWidth: 801 }));
    expect(p.kind).toBe('columns');
    expect(p.tilesN).toBe(1);
    expect(p.tilesM).toBe(2);
    expect(planFilterGrad(shape({ outChannels: COLUMNS_MAX_N + 1 })).kind).toBe('tiled');
  });

  it(`leaves an inner dimension of at most ${PER_OUTPUT_MAX_K} to the per-output kernel (512x512 filters over 2x4 pixels, batch 2)`, () => {
    expect(planFilterGrad(shape({ batch: 2, inChannels: 512, outChannels: 512, outHeight: 2, outWidth: 4 })).kind).toBe('perOutput');
    expect(planFilterGrad(shape({ batch: 2, inChannels: 256, outChannels: 256, outHeight: 4, outWidth: 8 })).kind).toBe('tiled');
  });

  it('rejects an empty product', () => {
    expect(() => planFilterGrad(shape({ batch: 0 }))).toThrow(/empty/);
  });
});
