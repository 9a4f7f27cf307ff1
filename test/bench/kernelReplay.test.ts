import { describe, expect, it } from 'vitest';
import { describeCall, distinctCalls, median, pairedRow, replayMarkdown, replayTotals, type KernelCall } from '../../bench/core/kernelReplay';

const call = (x: number[], filter: number[], strides = 1): KernelCall => ({
  kernel: 'Conv2DBackpropFilter',
  inputShapes: { x, dy: [x[0], x[1] / strides, x[2] / strides, filter[3]] },
  attrs: { strides, pad: 1, dataFormat: 'NHWC', filterShape: filter },
});

describe('kernel replay', () => {
  it('counts each distinct call (kernel, shapes, attributes) in first-seen order', () => {
    const a = call([2, 16, 32, 64], [3, 3, 64, 64]);
    const b = call([2, 16, 32, 64], [3, 3, 64, 128], 2);
    const d = distinctCalls([a, b, { ...a }, a, { ...b, attrs: { ...b.attrs, pad: 0 } }]);
    expect(d.map((x) => x.count)).toEqual([3, 1, 1]);
    expect(d[0].call).toBe(a);
  });

  it('describes a call by its shapes, filter, stride and pad', () => {
    expect(describeCall(call([2, 64, 128, 3], [7, 7, 3, 64], 2))).toBe('x 2x64x128x3, dy 2x32x64x64, filter 7x7x3x64, stride 2, pad 1');
    expect(describeCall({ kernel: 'K', inputShapes: { a: [1] }, attrs: { strides: [2, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] } })).toBe('a 1, stride 2x1, pad [[0,0],[1,1],[1,1],[0,0]]');
  });

  it('pairs timings: medians of each side and the median of the per-pair ratios', () => {
    const row = pairedRow('K', 'c', 2, [10, 20, 12], [30, 20, 36]);
    expect(row.oursMs).toBe(12);
    expect(row.builtinMs).toBe(30);
    expect(row.speedup).toBe(3);
    expect(() => pairedRow('K', 'c', 1, [1, 2], [1])).toThrow(/pair/);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('totals count a call as often as the step makes it, and the table shows the whole step', () => {
    const rows = [pairedRow('K', 'a', 3, [10], [20]), pairedRow('K', 'b', 1, [5], [5])];
    expect(replayTotals(rows)).toEqual({ totalOursMs: 35, totalBuiltinMs: 65 });
    const md = replayMarkdown([{ job: { encoder: 'resnet18', height: 64, width: 128, batch: 2, pairs: 3 }, rows, ...replayTotals(rows), status: 'ok' }]);
    expect(md).toContain('| K | a | 3 | 10.0 | 20.0 | 2.00x |');
    expect(md).toContain('**35.0** | **65.0** | **1.86x**');
    expect(md).not.toContain('all its calls');
    const mixed = [...rows, pairedRow('L', 'c', 2, [4], [12])];
    const mixedMd = replayMarkdown([{ job: { encoder: 'resnet18', height: 64, width: 128, batch: 2, pairs: 3 }, rows: mixed, ...replayTotals(mixed), status: 'ok' }]);
    expect(mixedMd).toContain('| **K, all its calls** | | | **35.0** | **65.0** | **1.86x** |');
    expect(mixedMd).toContain('| **L, all its calls** | | | **8.00** | **24.0** | **3.00x** |');
    expect(mixedMd).toContain('| **all calls of one step** | | | **43.0** | **89.0** | **2.07x** |');
    expect(replayMarkdown([{ job: { encoder: 'resnet18', height: 64, width: 128, batch: 2, pairs: 3 }, rows: [], totalOursMs: 0, totalBuiltinMs: 0, status: 'timeout', reason: 'too slow' }])).toContain('timeout: too slow');
  });
});
