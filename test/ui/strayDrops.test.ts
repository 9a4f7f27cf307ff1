import { describe, expect, it } from 'vitest';
import { carriesFiles, guardStrayDrops, strayDropMessage } from '../../src/ui/strayDrops';

/** A drag event as the window sees it: files or text, its default prevented by a drop zone or not. */
function drag(type: 'dragover' | 'drop', carried: 'files' | 'text', names: string[] = []): Event & { dataTransfer: unknown } {
  const e = new Event(type, { cancelable: true }) as Event & { dataTransfer: unknown };
  const files = names.map((name) => ({ name }));
  Object.defineProperty(e, 'dataTransfer', { value: { types: carried === 'files' ? ['Files'] : ['text/plain'], files } });
  return e;
}

describe('guardStrayDrops', () => {
  it('takes a file drop that no drop zone took, so the browser does not open the file, and names the files', () => {
    const page = new EventTarget();
    const stray: string[][] = [];
    guardStrayDrops(page, (names) => stray.push(names));
    const over = drag('dragover', 'files');
    page.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    const drop = drag('drop', 'files', ['frame.png', 'model.safetensors']);
    page.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(stray).toEqual([['frame.png', 'model.safetensors']]);
  });

  it('leaves alone drops a drop zone took and drags of text', () => {
    const page = new EventTarget();
    const stray: string[][] = [];
    // A drop zone below the window prevents the default first (listeners run in order here).
    page.addEventListener('drop', (e) => e.preventDefault());
    guardStrayDrops(page, (names) => stray.push(names));
    page.dispatchEvent(drag('drop', 'files', ['frame.png']));
    const text = drag('drop', 'text');
    const other = new EventTarget();
    guardStrayDrops(other, (names) => stray.push(names));
    other.dispatchEvent(text);
    expect(text.defaultPrevented).toBe(false);
    expect(stray).toEqual([]);
  });

  it('stops listening when removed', () => {
    const page = new EventTarget();
    const stray: string[][] = [];
    guardStrayDrops(page, (names) => stray.push(names))();
    const drop = drag('drop', 'files', ['frame.png']);
    page.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(false);
    expect(stray).toEqual([]);
  });
});

describe('strayDropMessage', () => {
  it('names up to three files and says where files go', () => {
    expect(strayDropMessage(['a.png'])).toBe(
      'Not opened: a.png (dropped outside a drop zone). Drop frames or a video on the Viewer tab, a dataset folder on the Dataset tab, model files on the model panel.',
    );
    expect(strayDropMessage(['a.png', 'b.png', 'c.png', 'd.png', 'e.png'])).toMatch(/^Not opened: a\.png, b\.png, c\.png and 2 more \(/);
    expect(strayDropMessage([])).toMatch(/^Not opened: the dropped files \(/);
  });

  it('tells files from text', () => {
    expect(carriesFiles({ dataTransfer: null })).toBe(false);
    expect(carriesFiles(drag('drop', 'text') as never)).toBe(false);
    expect(carriesFiles(drag('drop', 'files') as never)).toBe(true);
  });
});
