/** Zoom about the pointer, panning within the frame, the wheel's factor and the transform. */
import { describe, expect, it } from 'vitest';
import { MAX_ZOOM, panBy, resizedBox, UNZOOMED, wheelFactor, zoomAt, zoomTransform, type ZoomView } from '../../src/viewer/canvasZoom';

const box = { width: 800, height: 600 };
/** The canvas point (box pixels at scale 1) shown at box point (px, py). */
const under = (v: ZoomView, px: number, py: number) => ({ x: (px - v.x) / v.scale, y: (py - v.y) / v.scale });

describe('canvas zoom', () => {
  it('keeps the point under the pointer where it is', () => {
    const a = zoomAt(UNZOOMED, 4, 200, 150, box);
    expect(a.scale).toBe(4);
    expect(under(a, 200, 150)).toEqual({ x: 200, y: 150 });
    const b = zoomAt(a, 2, 500, 300, box);
    expect(under(b, 500, 300)).toEqual(under(a, 500, 300));
    const c = zoomAt(b, 0.5, 100, 100, box);
    expect(under(c, 100, 100).x).toBeCloseTo(under(b, 100, 100).x, 9);
  });

  it('stays between 1x and the most, and the frame covers the box', () => {
    expect(zoomAt(UNZOOMED, 0.5, 10, 10, box)).toEqual(UNZOOMED);
    expect(zoomAt(UNZOOMED, 1000, 400, 300, box).scale).toBe(MAX_ZOOM);
    // Zooming in at a corner, then out at the other: no margin is left showing.
    const corner = zoomAt(UNZOOMED, 3, 0, 0, box);
    expect(corner).toEqual({ scale: 3, x: 0, y: 0 });
    const out = zoomAt(corner, 0.5, 800, 600, box);
    expect(out.x + box.width * out.scale).toBeGreaterThanOrEqual(box.width);
    expect(out.x).toBeLessThanOrEqual(0);
    expect(zoomAt(out, 0.01, 400, 300, box)).toEqual(UNZOOMED);
  });

  it('pans within the frame', () => {
    const v = zoomAt(UNZOOMED, 2, 400, 300, box);
    expect(v).toEqual({ scale: 2, x: -400, y: -300 });
    expect(panBy(v, 100, -50, box)).toEqual({ scale: 2, x: -300, y: -350 });
    expect(panBy(v, 1000, 1000, box)).toEqual({ scale: 2, x: 0, y: 0 });
    expect(panBy(v, -1000, -1000, box)).toEqual({ scale: 2, x: -800, y: -600 });
    expect(panBy(UNZOOMED, 50, 50, box)).toEqual(UNZOOMED);
  });

  it('keeps the same part of the frame in view when the box changes size, within the frame', () => {
    const v = zoomAt(UNZOOMED, 4, 600, 450, box);
    // The box at half its size (a narrower window): the same canvas point at the box's matching point.
    const half = { width: 400, height: 300 };
    const r = resizedBox(v, box, half);
    expect(r.scale).toBe(4);
    expect(under(r, 300, 225).x).toBeCloseTo(under(v, 600, 450).x / 2, 9);
    expect(under(r, 300, 225).y).toBeCloseTo(under(v, 600, 450).y / 2, 9);
    // A translation that would leave an empty margin in the new box is clamped.
    const edge = { scale: 2, x: -800, y: 0 };
    const wider = resizedBox(edge, box, { width: 800, height: 300 });
    expect(wider).toEqual({ scale: 2, x: -800, y: 0 });
    const shorter = resizedBox({ scale: 2, x: 0, y: -600 }, box, { width: 800, height: 200 });
    expect(shorter.y).toBe(-200);
    expect(resizedBox(UNZOOMED, box, half)).toEqual(UNZOOMED);
    expect(resizedBox(v, { width: 0, height: 0 }, box)).toEqual(v);
  });

  it('zooms 2x per 500 wheel pixels (up: in) and writes the transform', () => {
    expect(wheelFactor(-500)).toBe(2);
    expect(wheelFactor(500)).toBe(0.5);
    expect(wheelFactor(0)).toBe(1);
    expect(zoomTransform(UNZOOMED)).toBe('none');
    expect(zoomTransform({ scale: 2, x: -10, y: -5.5 })).toBe('translate(-10px, -5.5px) scale(2)');
  });
});
