/** The pixel under the pointer: canvas scaling, side by side, off the canvas; one reading at a time, the newest waiting. */
import { describe, expect, it } from 'vitest';
import { framePixelAt, LatestOnly } from '../../src/viewer/pixelProbe';

describe('framePixelAt', () => {
  const box = { boxWidth: 400, boxHeight: 300, canvasWidth: 800, canvasHeight: 600 };

  it('maps a point of the scaled canvas to its frame pixel', () => {
    expect(framePixelAt({ ...box, x: 0, y: 0 }, 800)).toEqual({ x: 0, y: 0 });
    expect(framePixelAt({ ...box, x: 200.2, y: 150.9 }, 800)).toEqual({ x: 400, y: 301 });
    expect(framePixelAt({ ...box, x: 399.9, y: 299.9 }, 800)).toEqual({ x: 799, y: 599 });
  });

  it('side by side, both halves show the same frame pixels', () => {
    const wide = { boxWidth: 800, boxHeight: 300, canvasWidth: 1600, canvasHeight: 600 };
    expect(framePixelAt({ ...wide, x: 100, y: 50 }, 800)).toEqual({ x: 200, y: 100 });
    expect(framePixelAt({ ...wide, x: 500, y: 50 }, 800)).toEqual({ x: 200, y: 100 });
  });

  it('is null off the canvas or for an empty box', () => {
    expect(framePixelAt({ ...box, x: -1, y: 10 }, 800)).toBeNull();
    expect(framePixelAt({ ...box, x: 400, y: 10 }, 800)).toBeNull();
    expect(framePixelAt({ ...box, x: 10, y: 300 }, 800)).toBeNull();
    expect(framePixelAt({ ...box, boxWidth: 0, x: 0, y: 0 }, 800)).toBeNull();
  });
});

describe('LatestOnly', () => {
  it('runs one at a time; of those asked for meanwhile only the newest runs, after', async () => {
    const ran: number[] = [];
    const release: (() => void)[] = [];
    const latest = new LatestOnly<number>((n) => {
      ran.push(n);
      return new Promise<void>((r) => release.push(r));
    });
    latest.run(1);
    latest.run(2);
    latest.run(3);
    expect(ran).toEqual([1]);
    release.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(ran).toEqual([1, 3]);
    latest.run(4);
    latest.drop();
    release.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(ran).toEqual([1, 3]);
    // A failed reading does not stop the next.
    const failing = new LatestOnly<number>((n) => (n === 1 ? Promise.reject(new Error('gone')) : Promise.resolve(void ran.push(n))));
    failing.run(1);
    failing.run(5);
    await new Promise((r) => setTimeout(r, 0));
    expect(ran).toEqual([1, 3, 5]);
  });
});
