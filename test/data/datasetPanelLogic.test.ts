/** The Dataset panel's other plain logic: hood files, file listing, grid windowing. */
import { describe, expect, it } from 'vitest';
import { listFromDirectoryHandle, listFromFileList, type DirectoryHandleLike, type FileHandleLike } from '../../src/data/fileSources';
import { hoodFromPng, hoodStats, hoodToPng } from '../../src/data/hoodFile';
import { decodePng, encodeRgbaPng, encodeRgbPng } from '../../src/io/png';
import { gridLayout, scrollToItem, visibleWindow } from '../../src/ui/dataset/gridWindow';

describe('hood files', () => {
  it('export writes 0/255 gray; import reads it back', () => {
    const mask = Uint8Array.from([0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1]); // 4x3
    const png = hoodToPng({ mask, width: 4, height: 3 });
    const img = decodePng(png);
    expect([img.width, img.height, img.channels]).toEqual([4, 3, 1]);
    expect(Array.from(img.data)).toEqual(Array.from(mask, (v) => v * 255));
    const back = hoodFromPng(png, 'hood.png', { width: 4, height: 3 });
    expect(back.mask).toEqual(mask);
    expect(hoodStats(back)).toEqual({ pixels: 8, firstRow: 0, lastRow: 2 });
  });

  it('import: any non-zero colour is hood, alpha ignored; wrong sizes and empty masks are refused', () => {
    const rgba = Uint8Array.from([0, 0, 0, 255, 255, 128, 0, 0, 0, 0, 0, 0, 0, 9, 0, 255]);
    expect(Array.from(hoodFromPng(encodeRgbaPng(rgba, 2, 2), 'c.png').mask)).toEqual([0, 1, 0, 1]);
    expect(() => hoodFromPng(encodeRgbPng(new Uint8Array(12).fill(1), 2, 2), 'h.png', { width: 800, height: 600 })).toThrow(
      "h.png is 2x2, the dataset's frames are 800x600: a hood mask must have the frames' size",
    );
    expect(() => hoodFromPng(encodeRgbPng(new Uint8Array(12), 2, 2), 'zero.png')).toThrow('zero.png marks no pixel as hood');
    expect(() => hoodFromPng(new TextEncoder().encode('nope'), 'x.png')).toThrow(/cannot decode PNG/);
  });
});

describe('file listing', () => {
  const file = (name: string, size: number, relative = '') => {
    const f = new File([new Uint8Array(size)], name);
    if (relative) Object.defineProperty(f, 'webkitRelativePath', { value: relative });
    return f;
  };

  it('a folder input: paths below the folder name, sizes, the root', () => {
    const listed = listFromFileList([file('1.png', 3, 'set/CameraRGB/1.png'), file('1.png', 0, 'set/CameraSeg/1.png')]);
    expect(listed.root).toBe('set');
    expect(listed.entries).toEqual([
      { path: 'set/CameraRGB/1.png', size: 3 },
      { path: 'set/CameraSeg/1.png', size: 0 },
    ]);
    expect(listed.files.get('set/CameraRGB/1.png')?.size).toBe(3);
  });

  it('loose files keep their names; a clash of names keeps both', () => {
    const listed = listFromFileList([file('a.png', 1), file('a.png', 2)]);
    expect(listed.entries.map((e) => e.path)).toEqual(['a.png', 'a.png (2)']);
    expect(listed.root).toBe('2 files');
  });

  it('a directory handle is walked in name order', async () => {
    const fh = (name: string, size: number): FileHandleLike => ({ kind: 'file', name, getFile: async () => file(name, size) });
    const dh = (name: string, children: Array<DirectoryHandleLike | FileHandleLike>): DirectoryHandleLike => ({
      kind: 'directory',
      name,
      values: async function* () {
        yield* children;
      },
    });
    const root = dh('lyft', [dh('CameraSeg', [fh('2.png', 5), fh('1.png', 4)]), dh('CameraRGB', [fh('1.png', 7)]), fh('README.md', 1)]);
    const listed = await listFromDirectoryHandle(root);
    expect(listed.root).toBe('lyft');
    expect(listed.entries).toEqual([
      { path: 'lyft/CameraRGB/1.png', size: 7 },
      { path: 'lyft/CameraSeg/1.png', size: 4 },
      { path: 'lyft/CameraSeg/2.png', size: 5 },
      { path: 'lyft/README.md', size: 1 },
    ]);
  });
});

describe('thumbnail grid windowing', () => {
  it('fills the width with as many columns as fit', () => {
    const l = gridLayout(15_000, 900, 148, 4 / 3, 22, 8);
    expect(l.columns).toBe(5);
    expect(l.cellWidth * 5 + 8 * 4).toBeCloseTo(900);
    expect(l.rows).toBe(3000);
    expect(l.totalHeight).toBe(3000 * l.rowHeight - 8);
  });

  it('renders only the rows in view (plus overscan), wherever the scroll is', () => {
    const l = gridLayout(15_000, 900, 148, 4 / 3, 22, 8);
    for (const top of [0, 1234, l.totalHeight / 2, l.totalHeight - 440, l.totalHeight + 500]) {
      const w = visibleWindow(l, 15_000, top, 440);
      expect(w.lastItem - w.firstItem).toBeLessThanOrEqual((Math.ceil(440 / l.rowHeight) + 1 + 4) * l.columns);
      expect(w.firstItem).toBe(Math.min(15_000, w.firstRow * l.columns));
      expect(w.lastItem).toBeLessThanOrEqual(15_000);
    }
    expect(visibleWindow(l, 15_000, l.totalHeight - 440, 440).lastItem).toBe(15_000);
    expect(visibleWindow(gridLayout(0, 900, 148, 1, 0, 8), 0, 0, 440)).toEqual({ firstRow: 0, lastRow: 0, firstItem: 0, lastItem: 0 });
  });

  it('scrolls just enough to show an item', () => {
    const l = gridLayout(100, 600, 148, 1, 0, 0); // 4 columns, rows of 150 px
    expect(l.rowHeight).toBe(150);
    expect(scrollToItem(l, 0, 300, 400)).toBe(0);
    expect(scrollToItem(l, 13, 0, 400)).toBe(3 * 150 + 150 - 400);
    expect(scrollToItem(l, 9, 200, 400)).toBe(200);
  });
});
