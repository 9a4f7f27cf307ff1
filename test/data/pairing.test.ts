import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { naturalCompare, pairFiles, pairingSummary, splitFromPath, UNPAIRED_REASONS, type FileEntry } from '../../src/data/pairing';
import { LYFT_REAL_DIR } from '../paths';

const f = (path: string, size = 100): FileEntry => ({ path, size });
const files = (...paths: string[]): FileEntry[] => paths.map((p) => f(p));
const reasonOf = (r: ReturnType<typeof pairFiles>, path: string) => r.unpaired.find((u) => u.path === path)?.reason;

function listDir(root: string): FileEntry[] {
  const out: FileEntry[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push({ path: relative(root, p).split('\\').join('/'), size: st.size });
    }
  };
  walk(root);
  return out;
}

describe('natural order', () => {
  it('orders digit runs by value', () => {
    const names = ['10.png', '2.png', '1.png', 'a10b', 'a2b', 'a02b', 'b', 'a', '000_0021.png', '000_0125.png'];
    expect([...names].sort(naturalCompare)).toEqual(['000_0021.png', '000_0125.png', '1.png', '2.png', '10.png', 'a', 'a2b', 'a02b', 'a10b', 'b']);
  });
});

describe('pairing: challenge layout', () => {
  it('pairs CameraRGB with CameraSeg under Train/ and Val/, with splits, naturally sorted', () => {
    const r = pairFiles(
      files('Train/CameraRGB/10.png', 'Train/CameraSeg/10.png', 'Train/CameraRGB/2.png', 'Train/CameraSeg/2.png', 'Val/CameraRGB/1.png', 'Val/CameraSeg/1.png'),
    );
    expect(r.layout).toBe('challenge');
    expect(r.unpaired).toEqual([]);
    expect(r.pairs).toEqual([
      { id: 'Train/CameraRGB/2', framePath: 'Train/CameraRGB/2.png', labelPath: 'Train/CameraSeg/2.png', split: 'train', stem: '2' },
      { id: 'Train/CameraRGB/10', framePath: 'Train/CameraRGB/10.png', labelPath: 'Train/CameraSeg/10.png', split: 'train', stem: '10' },
      { id: 'Val/CameraRGB/1', framePath: 'Val/CameraRGB/1.png', labelPath: 'Val/CameraSeg/1.png', split: 'val', stem: '1' },
    ]);
  });

  it('accepts any parent folder and train/val/validation names, case-insensitively; no split without them', () => {
    const r = pairFiles(
      files(
        'lyft/data/train/CameraRGB/5.png', 'lyft/data/train/CameraSeg/5.png',
        'lyft/data/validation/CameraRGB/5.png', 'lyft/data/validation/CameraSeg/5.png',
        'other/camerargb/7.jpg', 'other/cameraseg/7.png',
        'CameraRGB/sub/3.png', 'CameraSeg/sub/3.png',
      ),
    );
    expect(r.layout).toBe('challenge');
    expect(r.unpaired).toEqual([]);
    expect(r.pairs.map((p) => [p.framePath, p.labelPath, p.split])).toEqual([
      ['CameraRGB/sub/3.png', 'CameraSeg/sub/3.png', null],
      ['lyft/data/train/CameraRGB/5.png', 'lyft/data/train/CameraSeg/5.png', 'train'],
      ['lyft/data/validation/CameraRGB/5.png', 'lyft/data/validation/CameraSeg/5.png', 'val'],
      ['other/camerargb/7.jpg', 'other/cameraseg/7.png', null],
    ]);
    // Labels never pair across parents: Train's frame does not take Val's label.
    const cross = pairFiles(files('Train/CameraRGB/1.png', 'Val/CameraSeg/1.png'));
    expect(cross.pairs).toEqual([]);
    expect(reasonOf(cross, 'Train/CameraRGB/1.png')).toBe(UNPAIRED_REASONS.frameWithoutLabel);
    expect(reasonOf(cross, 'Val/CameraSeg/1.png')).toBe(UNPAIRED_REASONS.labelWithoutFrame);
  });

  it('reports every unpaired reason', () => {
    const r = pairFiles([
      f('Train/CameraRGB/1.png'), f('Train/CameraSeg/1.png'),
      f('Train/CameraRGB/2.png'), // no label
      f('Train/CameraSeg/3.png'), // no frame
      f('Train/CameraRGB/4.png'), f('Train/CameraSeg/4.png', 0), // empty label
      f('Train/CameraRGB/5.png'), f('Train/CameraSeg/5.jpg'), // label not PNG
      f('Train/CameraRGB/6.png'), f('Train/CameraRGB/6.jpg'), f('Train/CameraSeg/6.png'), // duplicate stem
      f('Train/CameraRGB/notes.txt'), f('README.md'), f('Train/.DS_Store'),
      f('Train/preview.png'), // outside the folders
    ]);
    expect(r.layout).toBe('challenge');
    expect(r.pairs.map((p) => p.stem)).toEqual(['1', '6']);
    expect(r.unpaired).toEqual([
      { path: 'README.md', reason: 'not an image type' },
      { path: 'Train/.DS_Store', reason: 'not an image type' },
      { path: 'Train/CameraRGB/2.png', reason: 'frame without a label' },
      { path: 'Train/CameraRGB/4.png', reason: 'frame without a label (Train/CameraSeg/4.png is a 0-byte file)' },
      { path: 'Train/CameraRGB/5.png', reason: 'frame without a label (Train/CameraSeg/5.jpg is not a PNG)' },
      { path: 'Train/CameraRGB/6.jpg', reason: 'duplicate stem 6 (also Train/CameraRGB/6.png)' },
      { path: 'Train/CameraRGB/notes.txt', reason: 'not an image type' },
      { path: 'Train/CameraSeg/3.png', reason: 'label without a frame' },
      { path: 'Train/CameraSeg/4.png', reason: '0-byte file' },
      { path: 'Train/CameraSeg/5.jpg', reason: UNPAIRED_REASONS.labelNotPng },
      { path: 'Train/preview.png', reason: UNPAIRED_REASONS.outsideFolders },
    ]);
    expect(pairingSummary(r)).toEqual({
      pairs: 2, train: 2, val: 0, unsplit: 0,
      unpaired: {
        'not an image type': 3, 'frame without a label': 3, 'duplicate stem': 1, 'label without a frame': 1, '0-byte file': 1,
        'label is not a PNG': 1, [UNPAIRED_REASONS.outsideFolders]: 1,
      },
    });
  });

  it('an empty frame is reported and its label is left without a frame', () => {
    const r = pairFiles([f('CameraRGB/1.png', 0), f('CameraSeg/1.png')]);
    expect(r.unpaired).toEqual([
      { path: 'CameraRGB/1.png', reason: '0-byte file' },
      { path: 'CameraSeg/1.png', reason: 'label without a frame (CameraRGB/1.png is a 0-byte file)' },
    ]);
  });

  it('pairs the real lyft-real folders: 120 train + 5 val', () => {
    const r = pairFiles(listDir(LYFT_REAL_DIR));
    expect(r.layout).toBe('challenge');
    expect(r.pairs.filter((p) => p.split === 'train')).toHaveLength(120);
    expect(r.pairs.filter((p) => p.split === 'val')).toHaveLength(5);
    expect(r.unpaired.every((u) => u.reason === 'not an image type')).toBe(true); // README.md
    expect(r.pairs[0].framePath).toBe('train/CameraRGB/000_0021.png');
  });
});

describe('pairing: images + labels layout', () => {
  it('pairs images/ with labels/, masks/ or annotations/ by stem', () => {
    const r = pairFiles(
      files('ds/train/images/a.jpg', 'ds/train/labels/a.png', 'ds/val/images/b.webp', 'ds/val/masks/b.png', 'x/images/c.jpeg', 'x/annotations/c.png', 'x/images/d.png'),
    );
    expect(r.layout).toBe('images-labels');
    expect(r.pairs.map((p) => [p.framePath, p.labelPath, p.split])).toEqual([
      ['ds/train/images/a.jpg', 'ds/train/labels/a.png', 'train'],
      ['ds/val/images/b.webp', 'ds/val/masks/b.png', 'val'],
      ['x/images/c.jpeg', 'x/annotations/c.png', null],
    ]);
    expect(r.unpaired).toEqual([{ path: 'x/images/d.png', reason: 'frame without a label' }]);
  });

  it('mirrors sub-folders (images/train/x + labels/train/x), accepts suffixed label names, and prefers labels/ over masks/', () => {
    const r = pairFiles(files('images/train/1.png', 'labels/train/1.png', 'images/val/2.png', 'masks/val/2_mask.png', 'images/3.png', 'labels/3.png', 'masks/3.png'));
    expect(r.layout).toBe('images-labels');
    expect(r.pairs.map((p) => [p.framePath, p.labelPath, p.split])).toEqual([
      ['images/3.png', 'labels/3.png', null],
      ['images/train/1.png', 'labels/train/1.png', 'train'],
      ['images/val/2.png', 'masks/val/2_mask.png', 'val'],
    ]);
    expect(r.unpaired).toEqual([{ path: 'masks/3.png', reason: 'duplicate stem 3 (also labels/3.png)' }]);
  });
});

describe('pairing: suffix layout', () => {
  it('pairs x.png with x_label/_mask/_seg.png in one folder only', () => {
    const r = pairFiles(files('a/1.png', 'a/1_label.png', 'a/2.jpg', 'a/2_mask.png', 'a/3.png', 'a/3_seg.png', 'b/3_seg.png', 'a/4.png', 'a/5_mask.jpg', 'a/5.png'));
    expect(r.layout).toBe('suffix');
    expect(r.pairs.map((p) => [p.framePath, p.labelPath, p.stem])).toEqual([
      ['a/1.png', 'a/1_label.png', '1'],
      ['a/2.jpg', 'a/2_mask.png', '2'],
      ['a/3.png', 'a/3_seg.png', '3'],
    ]);
    expect(r.unpaired).toEqual([
      { path: 'a/4.png', reason: 'frame without a label' },
      { path: 'a/5.png', reason: 'frame without a label (a/5_mask.jpg is not a PNG)' },
      { path: 'a/5_mask.jpg', reason: UNPAIRED_REASONS.labelNotPng },
      { path: 'b/3_seg.png', reason: 'label without a frame' },
    ]);
  });
});

describe('pairing: no layout, determinism, speed', () => {
  it('loose images without labels: layout none', () => {
    const r = pairFiles(files('a.png', 'b.jpg', 'c.txt'));
    expect(r.layout).toBe('none');
    expect(r.pairs).toEqual([]);
    expect(r.unpaired).toEqual([
      { path: 'a.png', reason: UNPAIRED_REASONS.noLayout },
      { path: 'b.jpg', reason: UNPAIRED_REASONS.noLayout },
      { path: 'c.txt', reason: 'not an image type' },
    ]);
  });

  it('only CameraRGB present: challenge layout, every frame without a label', () => {
    const r = pairFiles(files('CameraRGB/1.png', 'CameraRGB/2.png'));
    expect(r.layout).toBe('challenge');
    expect(r.unpaired.map((u) => u.reason)).toEqual(['frame without a label', 'frame without a label']);
  });

  it('split from folder names', () => {
    expect(splitFromPath(['data', 'Train', 'CameraRGB'])).toBe('train');
    expect(splitFromPath(['train', 'VALID'])).toBe('val');
    expect(splitFromPath(['trains'])).toBeNull();
  });

  it('does not depend on input order, and pairs 20,000 paths fast', () => {
    const list: FileEntry[] = [];
    for (let i = 0; i < 5000; i++) {
      for (const split of ['Train', 'Val']) {
        list.push(f(`${split}/CameraRGB/${i}.png`), f(`${split}/CameraSeg/${i}.png`));
      }
    }
    // A deterministic shuffle.
    const shuffled = [...list];
    let s = 12345;
    for (let i = shuffled.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) >>> 0;
      const j = s % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    // Best of three: the machine is shared, a single timing can be disturbed.
    let ms = Infinity;
    let a = pairFiles([]);
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      a = pairFiles(shuffled);
      ms = Math.min(ms, performance.now() - t0);
    }
    const b = pairFiles(list);
    expect(a).toEqual(b);
    expect(a.pairs).toHaveLength(10000);
    expect(a.pairs[1].framePath).toBe('Train/CameraRGB/1.png');
    expect(a.pairs[10].framePath).toBe('Train/CameraRGB/10.png');
    console.log(`pairFiles: 20,000 paths in ${ms.toFixed(0)} ms`);
    // Not a speed benchmark: a generous bound that only a quadratic blow-up (seconds to minutes) breaks.
    expect(ms).toBeLessThan(5000);
  });
});
