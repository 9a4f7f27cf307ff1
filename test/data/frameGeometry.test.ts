import { describe, expect, it } from 'vitest';
import {
  defaultCropRows,
  formatScale,
  frameGeometry,
  frameGeometryProblems,
  geometryNote,
  nearestMultipleOf32,
  validateCropRows,
} from '../../src/data/frameGeometry';

const size = (g: ReturnType<typeof frameGeometry>) => [g.inputWidth, g.inputHeight];

describe('frame geometry', () => {
  it('the original: 800x600, rows 205-525, scale 1 -> 800x320, no resize, no notes', () => {
    const g = frameGeometry({ frameWidth: 800, frameHeight: 600 });
    expect(g).toMatchObject({ cropTop: 205, cropBottom: 525, cropHeight: 320, inputWidth: 800, inputHeight: 320, resize: false, notes: [] });
    expect(geometryNote(g)).toBe('');
  });

  it('800x320 crop at 1/2 and 1/4: rounded to the nearest multiple of 32, with notes', () => {
    const half = frameGeometry({ frameWidth: 800, frameHeight: 600, scale: 1 / 2 });
    expect(size(half)).toEqual([416, 160]);
    expect(half.scaledWidth).toBe(400);
    expect(half.resize).toBe(true);
    expect(half.notes).toEqual(['width: 800 * 1/2 = 400 -> 416 (nearest multiple of 32)', 'the 800x320 crop is resized to 416x160 (width x height)']);

    const quarter = frameGeometry({ frameWidth: 800, frameHeight: 600, scale: 1 / 4 });
    expect(size(quarter)).toEqual([192, 96]);
    expect(quarter.notes).toEqual([
      'width: 800 * 1/4 = 200 -> 192 (nearest multiple of 32)',
      'height: 320 * 1/4 = 80 -> 96 (nearest multiple of 32)',
      'the 800x320 crop is resized to 192x96 (width x height)',
    ]);
    expect(size(frameGeometry({ frameWidth: 800, frameHeight: 600, scale: 1 / 8 }))).toEqual([96, 32]);
    // Tiny sizes never go below 32.
    const tiny = frameGeometry({ frameWidth: 800, frameHeight: 600, scale: 1 / 64 });
    expect(size(tiny)).toEqual([32, 32]);
    expect(tiny.notes[1]).toBe('height: 320 * 1/64 = 5 -> 32 (the smallest multiple of 32)');
  });

  it('every result is a multiple of 32, for odd frame sizes and crops', () => {
    for (const [w, h] of [[1242, 375], [1920, 1080], [33, 17], [801, 601], [640, 480]]) {
      for (const scale of [1, 1 / 2, 1 / 4, 0.75]) {
        const g = frameGeometry({ frameWidth: w, frameHeight: h, scale });
        expect(g.inputWidth % 32).toBe(0);
        expect(g.inputHeight % 32).toBe(0);
        expect(Math.abs(g.inputWidth - g.scaledWidth)).toBeLessThanOrEqual(Math.max(16, 32 - g.scaledWidth));
        expect(g.cropTop).toBeGreaterThanOrEqual(0);
        expect(g.cropBottom).toBeLessThanOrEqual(h);
      }
    }
    const odd = frameGeometry({ frameWidth: 1242, frameHeight: 375, scale: 1 / 2 });
    expect(odd.notes[0]).toBe('crop rows 128-328: the default rows 205-525 of 600 scaled to a 375-row frame');
    expect(odd.notes[1]).toBe('width: 1242 * 1/2 = 621 -> 608 (nearest multiple of 32)');
    expect(size(odd)).toEqual([608, 96]);
    const frac = frameGeometry({ frameWidth: 801, frameHeight: 600, cropTop: 0, cropBottom: 600, scale: 1 / 2 });
    expect(frac.notes[0]).toBe('width: 801 * 1/2 = 400.5 -> 416 (nearest multiple of 32)');
    expect(frac.notes[1]).toBe('height: 600 * 1/2 = 300 -> 288 (nearest multiple of 32)');
  });

  it('explicit crop rows; halves round up', () => {
    const g = frameGeometry({ frameWidth: 800, frameHeight: 600, cropTop: 0, cropBottom: 592 });
    expect(size(g)).toEqual([800, 608]); // 592 / 32 = 18.5: the half rounds up
    expect(g.notes[0]).toBe('height: 592 * 1 = 592 -> 608 (nearest multiple of 32)');
  });

  it('validates crop rows against the frame height', () => {
    expect(validateCropRows(205, 525, 600)).toEqual([]);
    expect(validateCropRows(0, 600, 600)).toEqual([]);
    expect(validateCropRows(-1, 100, 600)).toEqual(['crop top -1 is above the frame (rows start at 0)']);
    expect(validateCropRows(205, 601, 600)[0]).toMatch(/crop bottom 601 is below the frame's last row \(the frame has 600 rows/);
    expect(validateCropRows(300, 300, 600)).toEqual(['crop rows 300-300 are empty (the bottom must be greater than the top)']);
    expect(validateCropRows(10.5, 20, 600)).toEqual(['crop top 10.5 is not a whole row number']);
    expect(frameGeometryProblems({ frameWidth: 800, frameHeight: 400 })).toEqual([]); // default crop scales with the height
    expect(frameGeometryProblems({ frameWidth: 800, frameHeight: 400, cropTop: 205, cropBottom: 525 })).toHaveLength(1);
    expect(frameGeometryProblems({ frameWidth: 0, frameHeight: 600 })).toEqual(['frame width 0 is not a positive whole number']);
    expect(frameGeometryProblems({ frameWidth: 800, frameHeight: 600, scale: 0 })).toEqual(['scale 0 is not a positive number']);
    expect(() => frameGeometry({ frameWidth: 800, frameHeight: 300, cropTop: 205, cropBottom: 525 })).toThrow(/crop bottom 525/);
  });

  it('helpers', () => {
    expect(nearestMultipleOf32(400)).toBe(416);
    expect(nearestMultipleOf32(399)).toBe(384);
    expect(nearestMultipleOf32(1)).toBe(32);
    expect(formatScale(0.25)).toBe('1/4');
    expect(formatScale(0.75)).toBe('0.75');
    expect(formatScale(2)).toBe('2');
    expect(defaultCropRows(600)).toEqual({ top: 205, bottom: 525 });
    expect(defaultCropRows(1200)).toEqual({ top: 410, bottom: 1050 });
  });
});
