/** Labels fitted to the model's frame size by nearest neighbour: class colours kept, none blended. */
import { describe, expect, it } from 'vitest';
import { labelAtSize } from '../../src/viewer/labelFit';

/** A w x h RGB label whose pixel (x, y) is [x, y, 7]. */
function coordinates(w: number, h: number) {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 7], (y * w + x) * 3);
  return { width: w, height: h, channels: 3, data };
}

const at = (img: { width: number; channels: number; data: Uint8Array }, x: number, y: number) => Array.from(img.data.slice((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));

describe('labelAtSize', () => {
  it('halves by taking the pixel under each centre, and doubles by repeating pixels', () => {
    const half = labelAtSize(coordinates(8, 6), { width: 4, height: 3 });
    expect({ width: half.width, height: half.height, channels: half.channels }).toEqual({ width: 4, height: 3, channels: 3 });
    expect([at(half, 0, 0), at(half, 3, 2), at(half, 1, 1)]).toEqual([[1, 1, 7], [7, 5, 7], [3, 3, 7]]);
    const double = labelAtSize(coordinates(4, 3), { width: 8, height: 6 });
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((x) => at(double, x, 5)[0])).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect([0, 1, 2, 3, 4, 5].map((y) => at(double, 0, y)[1])).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('keeps only values of the label (a 1280x720 two-class label into 800x600), and is the label itself at its size', () => {
    const w = 1280;
    const h = 720;
    const label = { width: w, height: h, channels: 1, data: new Uint8Array(w * h) };
    for (let i = 0; i < w * h; i++) label.data[i] = (i % w) * 7 > w * 3 ? 10 : 7;
    const fitted = labelAtSize(label, { width: 800, height: 600 });
    expect(new Set(fitted.data)).toEqual(new Set([7, 10]));
    // The class boundary stays where it was, in proportion (x = 3/7 of the width).
    expect(fitted.data.indexOf(10)).toBe(Math.ceil((800 * 3) / 7 - 0.5));
    expect(labelAtSize(label, { width: w, height: h })).toBe(label);
  });
});
