import { describe, expect, it } from 'vitest';
import { INPUT_GRAD_THREADS, inputGradGrid, MAX_WORKGROUPS_PER_DIMENSION, phaseAxis, planInputGrad, QUAD_PIXELS, type InputGradShape } from '../../src/backend/webgpuKernels/inputGradPlan';
import { seededRandom } from '../../src/util/seededRandom';

/** dx straight from the definition: every (dy position, tap) scattered into dx. */
function inputGradByDefinition(s: InputGradShape, dy: Float32Array, w: Float32Array): Float32Array {
  const dx = new Float32Array(s.batch * s.inHeight * s.inWidth * s.inChannels);
  for (let b = 0; b < s.batch; b++)
    for (let oh = 0; oh < s.outHeight; oh++)
      for (let ow = 0; ow < s.outWidth; ow++)
        for (let kh = 0; kh < s.filterHeight; kh++)
          for (let kw = 0; kw < s.filterWidth; kw++) {
            const ih = oh * s.strideHeight - s.padTop + kh;
            const iw = ow * s.strideWidth - s.padLeft + kw;
            if (ih < 0 || ih >= s.inHeight || iw < 0 || iw >= s.inWidth) continue;
            for (let ci = 0; ci < s.inChannels; ci++)
              for (let co = 0; co < s.outChannels; co++) {
                dx[((b * s.inHeight + ih) * s.inWidth + iw) * s.inChannels + ci] +=
                  dy[((b * s.outHeight + oh) * s.outWidth + ow) * s.outChannels + co] *
                  w[((kh * s.filterWidth + kw) * s.inChannels + ci) * s.outChannels + co];
              }
          }
  return dx;
}

/** dx the way the WGSL program computes it: phase by phase, each dx pixel of a phase gathering its taps. */
function inputGradByPhases(s: InputGradShape, dy: Float32Array, w: Float32Array): { dx: Float32Array; writes: Uint8Array } {
  const dx = new Float32Array(s.batch * s.inHeight * s.inWidth * s.inChannels);
  const writes = new Uint8Array(s.batch * s.inHeight * s.inWidth);
  for (const { h, w: wa } of planInputGrad(s).phases)
    for (let b = 0; b < s.batch; b++)
      for (let jh = 0; jh < h.rows; jh++)
        for (let jw = 0; jw < wa.rows; jw++) {
          const pixel = (b * s.inHeight + h.q + jh * s.strideHeight) * s.inWidth + wa.q + jw * s.strideWidth;
          writes[pixel]++;
          for (let th = 0; th < h.taps; th++)
            for (let tw = 0; tw < wa.taps; tw++) {
              const oh = jh + h.offset - th;
              const ow = jw + wa.offset - tw;
              if (oh < 0 || oh >= s.outHeight || ow < 0 || ow >= s.outWidth) continue;
              const kh = h.firstTap + th * s.strideHeight;
              const kw = wa.firstTap + tw * s.strideWidth;
              for (let ci = 0; ci < s.inChannels; ci++)
                for (let co = 0; co < s.outChannels; co++)
                  dx[pixel * s.inChannels + ci] +=
                    dy[((b * s.outHeight + oh) * s.outWidth + ow) * s.outChannels + co] *
                    w[((kh * s.filterWidth + kw) * s.inChannels + ci) * s.outChannels + co];
            }
        }
  return { dx, writes };
}

/** The convolution's geometry for an input size, as TensorFlow.js computes the output size with explicit padding. */
function geometry(g: { batch?: number; inH: number; inW: number; ci: number; co: number; k: number; kw?: number; stride: number; strideW?: number; pad: number; padLeft?: number; padBottom?: number }): InputGradShape {
  const kw = g.kw ?? g.k;
  const strideW = g.strideW ?? g.stride;
  const padLeft = g.padLeft ?? g.pad;
  const padBottom = g.padBottom ?? g.pad;
  return {
    batch: g.batch ?? 1,
    inHeight: g.inH,
    inWidth: g.inW,
    inChannels: g.ci,
    outHeight: Math.floor((g.inH + g.pad + padBottom - g.k) / g.stride) + 1,
    outWidth: Math.floor((g.inW + padLeft * 2 - kw) / strideW) + 1,
    outChannels: g.co,
    filterHeight: g.k,
    filterWidth: kw,
    strideHeight: g.stride,
    strideWidth: strideW,
    padTop: g.pad,
    padLeft,
  };
}

function random(n: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

describe('phaseAxis', () => {
  it('gives a 3-tap filter at stride 2 two taps on even positions and one on odd ones (no padding)', () => {
    expect(phaseAxis(0, 2, 0, 3, 9)).toEqual({ q: 0, rows: 5, firstTap: 0, taps: 2, offset: 0 });
    expect(phaseAxis(1, 2, 0, 3, 9)).toEqual({ q: 1, rows: 4, firstTap: 1, taps: 1, offset: 0 });
  });

  it('shifts the taps and the dy offset with the padding', () => {
    // pad 1: position 0 is tap 1 of dy row 0; position 1 gets taps 0 and 2 (dy rows 1 and 0).
    expect(phaseAxis(0, 2, 1, 3, 8)).toEqual({ q: 0, rows: 4, firstTap: 1, taps: 1, offset: 0 });
    expect(phaseAxis(1, 2, 1, 3, 8)).toEqual({ q: 1, rows: 4, firstTap: 0, taps: 2, offset: 1 });
  });

  it('leaves phases beyond the filter without taps, and phases beyond the image without rows', () => {
    expect(phaseAxis(1, 2, 0, 1, 8).taps).toBe(0);
    expect(phaseAxis(2, 3, 0, 2, 8).taps).toBe(0);
    expect(phaseAxis(1, 2, 0, 3, 1).rows).toBe(0);
  });

  it('gives every stride-1 position every tap', () => {
    expect(phaseAxis(0, 1, 1, 3, 5)).toEqual({ q: 0, rows: 5, firstTap: 0, taps: 3, offset: 1 });
  });

  it('rejects a phase outside the stride', () => {
    expect(() => phaseAxis(2, 2, 0, 3, 5)).toThrow(/phase 2 of stride 2/);
  });
});

describe('planInputGrad', () => {
  const shapes: [string, InputGradShape][] = [
    ['3x3 stride 1 pad 1', geometry({ batch: 2, inH: 5, inW: 6, ci: 3, co: 4, k: 3, stride: 1, pad: 1 })],
    ['3x3 stride 2 pad 1, odd sizes', geometry({ inH: 7, inW: 9, ci: 2, co: 3, k: 3, stride: 2, pad: 1 })],
    ['decoder deconvolution: 3x3 stride 2 valid', geometry({ batch: 2, inH: 9, inW: 11, ci: 3, co: 2, k: 3, stride: 2, pad: 0 })],
    ['1x1 stride 2 downsample', geometry({ inH: 6, inW: 8, ci: 3, co: 5, k: 1, stride: 2, pad: 0 })],
    ['7x7 stride 2 pad 3 (stem)', geometry({ inH: 12, inW: 10, ci: 2, co: 3, k: 7, stride: 2, pad: 3 })],
    ['2x2 pad 1 (classifier)', geometry({ inH: 5, inW: 4, ci: 3, co: 2, k: 2, stride: 1, pad: 1 })],
    ['stride 3, 2x2 filter: a phase without taps', geometry({ inH: 8, inW: 7, ci: 2, co: 2, k: 2, stride: 3, pad: 0 })],
    ['uneven strides and filter, pad 2', geometry({ inH: 9, inW: 8, ci: 2, co: 3, k: 5, kw: 3, stride: 3, strideW: 2, pad: 2, padLeft: 1 })],
    ["'same' with more padding below", geometry({ inH: 8, inW: 8, ci: 2, co: 2, k: 4, stride: 2, pad: 1, padBottom: 2 })],
  ];

  it.each(shapes)('%s: the phase products equal the definition, each dx pixel written once', (_label, s) => {
    const dy = random(s.batch * s.outHeight * s.outWidth * s.outChannels, 1);
    const w = random(s.filterHeight * s.filterWidth * s.inChannels * s.outChannels, 2);
    const expected = inputGradByDefinition(s, dy, w);
    const { dx, writes } = inputGradByPhases(s, dy, w);
    expect(writes.every((n) => n === 1)).toBe(true);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.1);
    for (let i = 0; i < expected.length; i++) expect(dx[i]).toBeCloseTo(expected[i], 5);
  });

  it('does the forward convolution\'s work at stride 2: 9 taps over 4 phases, not 4 x 9', () => {
    // finaldeconv1 of LinkNet at 320x800: dy 160x400x64 -> dx 321x801x32, 3x3 stride 2.
    const s = geometry({ inH: 321, inW: 801, ci: 32, co: 64, k: 3, stride: 2, pad: 0 });
    const plan = planInputGrad(s);
    expect(plan.phases.map((p) => p.h.taps * p.w.taps)).toEqual([4, 2, 2, 1]);
    expect(plan.phases.map((p) => p.m)).toEqual([161 * 401, 161 * 400, 160 * 401, 160 * 400]);
    expect(plan.multiplyAdds).toBe((161 * 401 * 4 + 161 * 400 * 2 + 160 * 401 * 2 + 160 * 400) * 32 * 64);
    const grid = inputGradGrid(plan, 1);
    expect(grid.rowsHMax).toBe(161);
    expect(grid.quadsWMax).toBe(Math.ceil(401 / QUAD_PIXELS));
    expect(grid.threadsPerPhase).toBe(161 * 101 * (32 / 4));
    expect(grid.dispatch).toEqual([Math.ceil(grid.threadsPerPhase / INPUT_GRAD_THREADS), 1, 4]);
  });

  it('lays more workgroups than one dispatch dimension holds over x and y', () => {
    // finalconv2's input gradient at 320x800, batch 16: 16 x 321 x 801 pixels of 32 channels.
    const plan = planInputGrad(geometry({ batch: 16, inH: 321, inW: 801, ci: 32, co: 32, k: 3, stride: 1, pad: 0 }));
    const grid = inputGradGrid(plan, 16);
    const [x, y, z] = grid.dispatch;
    expect(grid.threadsPerPhase).toBe(16 * 321 * 201 * 8);
    expect(x).toBeLessThanOrEqual(MAX_WORKGROUPS_PER_DIMENSION);
    expect(y).toBeGreaterThan(1);
    expect(x * y * INPUT_GRAD_THREADS).toBeGreaterThanOrEqual(grid.threadsPerPhase);
    expect((x * (y - 1)) * INPUT_GRAD_THREADS).toBeLessThan(grid.threadsPerPhase);
    expect(z).toBe(1);
  });

  it('takes input channels in fours only', () => {
    expect(() => inputGradGrid(planInputGrad(geometry({ inH: 8, inW: 8, ci: 3, co: 4, k: 3, stride: 2, pad: 1 })), 1)).toThrow(/multiple of 4/);
  });

  it('rejects an empty gradient', () => {
    expect(() => planInputGrad(geometry({ inH: 4, inW: 4, ci: 0, co: 2, k: 3, stride: 1, pad: 1 }))).toThrow(/empty input gradient/);
  });
});
