import { describe, expect, it } from 'vitest';
import { layoutChart, makeScale, type ChartFrame } from '../../src/ui/training/chartGeometry';

const FRAME: ChartFrame = { width: 300, height: 120, margin: { left: 40, right: 10, top: 10, bottom: 20 }, yScale: 'linear' };

function parse(points: string): [number, number][] {
  return points === '' ? [] : points.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

describe('makeScale', () => {
  it('maps linear and log domains onto the pixel range', () => {
    const lin = makeScale([0, 10], [0, 100], 'linear');
    expect(lin(5)).toBe(50);
    const log = makeScale([1e-6, 1e-4], [100, 0], 'log');
    expect(log(1e-5)).toBeCloseTo(50, 9);
    expect(log(1e-6)).toBeCloseTo(100, 9);
  });
});

describe('layoutChart', () => {
  it('says empty without data', () => {
    const l = layoutChart([{ id: 'a', label: 'a', color: '#fff', xs: [], ys: [] }], FRAME);
    expect(l.empty).toBe(true);
    expect(l.series).toEqual([]);
  });

  it('places points inside the plot, higher values higher up, x increasing', () => {
    const l = layoutChart([{ id: 'loss', label: 'loss', color: '#fff', xs: [1, 2, 3, 4], ys: [2, 1.5, 1, 0.5] }], FRAME);
    const pts = parse(l.series[0]!.points);
    expect(pts).toHaveLength(4);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(l.plot.x);
      expect(x).toBeLessThanOrEqual(l.plot.x + l.plot.width);
      expect(y).toBeGreaterThanOrEqual(l.plot.y);
      expect(y).toBeLessThanOrEqual(l.plot.y + l.plot.height);
    }
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]![0]).toBeGreaterThan(pts[i - 1]![0]);
      expect(pts[i]![1]).toBeGreaterThan(pts[i - 1]![1]); // loss falls: the line goes down the screen
    }
    expect(l.series[0]!.last).toBe(0.5);
    expect(l.yTicks.length).toBeGreaterThan(1);
    expect(l.xTicks.length).toBeGreaterThan(1);
  });

  it('draws a 200,000-step series with about as many points as pixels, keeping the spike', () => {
    const n = 200_000;
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    const ys = xs.map((x) => 1 / Math.sqrt(x) + (x === 123_456 ? 5 : 0));
    const l = layoutChart([{ id: 'loss', label: 'loss', color: '#fff', xs, ys }], FRAME);
    const s = l.series[0]!;
    expect(s.count).toBeLessThanOrEqual(4 * l.plot.width);
    const top = Math.min(...parse(s.points).map((p) => p[1]));
    expect(top).toBeCloseTo(l.plot.y + l.plot.height * 0.05 / 1.1, 0); // the spike reaches the padded top
  });

  it('uses a fixed domain and a log scale, skipping values a log axis cannot show', () => {
    const l = layoutChart([{ id: 'lr', label: 'lr', color: '#fff', xs: [1, 2, 3], ys: [1e-4, 0, 1e-6] }], { ...FRAME, yScale: 'log' });
    expect(l.series[0]!.count).toBe(2);
    expect(l.yTicks.map((t) => t.label)).toEqual(['1e-6', '2e-6', '5e-6', '1e-5', '2e-5', '5e-5', '1e-4']);
    const fixed = layoutChart([{ id: 's', label: 's', color: '#fff', xs: [1, 2], ys: [0.5, 0.5], dots: true }], { ...FRAME, yDomain: [0, 1] });
    const [p] = parse(fixed.series[0]!.points);
    expect(p![1]).toBeCloseTo(fixed.plot.y + fixed.plot.height / 2, 0);
    expect(fixed.series[0]!.dots).toHaveLength(2);
  });

  it('shares one scale across series (a compared run is drawn against the same axes)', () => {
    const l = layoutChart(
      [
        { id: 'a', label: 'a', color: '#fff', xs: [0, 10], ys: [1, 1] },
        { id: 'b', label: 'b', color: '#000', xs: [0, 100], ys: [3, 3] },
      ],
      FRAME,
    );
    const a = parse(l.series[0]!.points);
    const b = parse(l.series[1]!.points);
    expect(a[1]![0]).toBeLessThan(b[1]![0]);
    expect(a[0]![1]).toBeGreaterThan(b[0]![1]);
  });
});

describe('x ticks', () => {
  it('labels whole steps only when at least two fit', () => {
    const l = layoutChart([{ id: 'a', label: 'a', color: '#fff', xs: [1, 2, 3], ys: [1, 2, 3] }], FRAME);
    expect(l.xTicks.map((t) => t.label)).toEqual(['1', '2', '3']);
  });
});
