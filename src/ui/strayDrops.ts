/**
 * Files dropped outside the studio's drop zones. A browser's default for such a drop is to open the
 * file in place of the page, which would end the session (and the steps of a training run since its
 * last save). The guard takes those drops and says where such files go instead.
 */

/** The part of a drag event the guard reads (a DragEvent in the browser). */
interface FileDragLike {
  readonly defaultPrevented: boolean;
  readonly dataTransfer: Pick<DataTransfer, 'types' | 'files'> | null;
  preventDefault(): void;
}

/** Whether a drag carries files (not text or a link). */
export function carriesFiles(e: Pick<FileDragLike, 'dataTransfer'>): boolean {
  return e.dataTransfer !== null && Array.from(e.dataTransfer.types).includes('Files');
}

/** What the studio says about a stray drop of these files. */
export function strayDropMessage(names: readonly string[]): string {
  const shown = names.length === 0 ? 'the dropped files' : names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return `Not opened: ${shown} (dropped outside a drop zone). Drop frames or a video on the Viewer tab, a dataset folder on the Dataset tab, model files on the model panel.`;
}

/**
 * Listens on `target` (the window) for file drags that no drop zone took (their default not
 * prevented) and takes them, so the browser does not open the file; `onStray` gets the dropped
 * files' names. Returns the function that removes the listeners.
 */
export function guardStrayDrops(target: EventTarget, onStray: (names: string[]) => void): () => void {
  const take = (event: Event) => {
    const e = event as unknown as FileDragLike;
    if (e.defaultPrevented || !carriesFiles(e)) return false;
    e.preventDefault();
    return true;
  };
  // Taking the dragover is what makes the drop come to the page rather than to the browser.
  const onDragOver = (event: Event) => void take(event);
  const onDrop = (event: Event) => {
    const e = event as unknown as FileDragLike;
    if (take(event)) onStray(Array.from(e.dataTransfer?.files ?? [], (f) => f.name));
  };
  target.addEventListener('dragover', onDragOver);
  target.addEventListener('drop', onDrop);
  return () => {
    target.removeEventListener('dragover', onDragOver);
    target.removeEventListener('drop', onDrop);
  };
}
