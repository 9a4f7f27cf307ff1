/** Where a dataset comes from: a folder (picker or input), a drop (see DatasetPanel), or the built-in sample. */
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { directoryPicker, listFromDirectoryHandle, listFromFileList, type DirectoryHandleLike } from '../../data/fileSources';
import { ensureReadPermission, forgetFolder, recallFolder, rememberFolder } from '../../data/recentFolder';
import { SAMPLE_DATASET, useDatasetStore } from '../../state/datasetStore';
import { errorMessage } from '../../util/errorMessage';

export function DatasetToolbar() {
  const inputRef = useRef<HTMLInputElement | null>(null);
  const loadListed = useDatasetStore((s) => s.loadListed);
  const loadSample = useDatasetStore((s) => s.loadSample);
  const setListing = useDatasetStore((s) => s.setListing);
  const setListFailed = useDatasetStore((s) => s.setListFailed);
  const phase = useDatasetStore((s) => s.phase);
  const busy = phase === 'listing';
  const [recent, setRecent] = useState<DirectoryHandleLike | null>(null);

  useEffect(() => {
    let live = true;
    void recallFolder().then((h) => live && setRecent(h));
    return () => {
      live = false;
    };
  }, []);

  const listHandle = async (handle: DirectoryHandleLike) => {
    setListing();
    try {
      const t0 = performance.now();
      const listed = await listFromDirectoryHandle(handle);
      loadListed(listed, 'picker', performance.now() - t0);
      if (await rememberFolder(handle)) setRecent(handle);
    } catch (e) {
      setListFailed(`cannot list ${handle.name}: ${errorMessage(e)}`);
    }
  };

  const reopen = async () => {
    if (!recent) return;
    let allowed = false;
    try {
      allowed = await ensureReadPermission(recent);
    } catch {
      allowed = false;
    }
    if (!allowed) {
      setListFailed(`no permission to read ${recent.name} again: choose the folder instead`);
      return;
    }
    await listHandle(recent);
  };

  const onInput = (e: ChangeEvent<HTMLInputElement>) => {
    const files = e.target.files;
    if (!files || files.length === 0) return;
    const t0 = performance.now();
    const listed = listFromFileList(files);
    loadListed(listed, 'folder', performance.now() - t0);
    e.target.value = '';
  };

  const chooseFolder = async () => {
    const picker = directoryPicker();
    if (!picker) {
      inputRef.current?.click();
      return;
    }
    let handle;
    try {
      handle = await picker({ mode: 'read', id: 'segmentation-dataset' });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return;
      // Picker refused (e.g. a system folder, or not allowed here): fall back to the input.
      inputRef.current?.click();
      return;
    }
    await listHandle(handle);
  };

  return (
    <div className="ds-toolbar">
      <button type="button" className="ds-btn primary" onClick={() => void chooseFolder()} disabled={busy} data-testid="dataset-choose-folder">
        <svg viewBox="0 0 20 20" aria-hidden="true" className="ds-icon">
          <path d="M2.5 5.5a1 1 0 0 1 1-1h4l1.6 1.8h7.4a1 1 0 0 1 1 1v7.2a1 1 0 0 1-1 1h-13a1 1 0 0 1-1-1z" fill="none" stroke="currentColor" strokeWidth="1.5" />
        </svg>
        Choose folder
      </button>
      {recent && (
        <span className="ds-recent">
          <button type="button" className="ds-btn" onClick={() => void reopen()} disabled={busy} data-testid="dataset-reopen-folder" title="Read the last chosen folder again">
            Reopen {recent.name}
          </button>
          <button
            type="button"
            className="ds-btn ghost"
            aria-label={`Forget ${recent.name}`}
            title="Forget this folder"
            onClick={() => void forgetFolder().then(() => setRecent(null))}
            data-testid="dataset-forget-folder"
          >
            ×
          </button>
        </span>
      )}
      <button
        type="button"
        className="ds-btn"
        onClick={loadSample}
        disabled={busy}
        data-testid="dataset-use-sample"
        title={`${SAMPLE_DATASET.count} procedural CARLA-style frames (${SAMPLE_DATASET.width}x${SAMPLE_DATASET.height}), generated in a worker: no files are read`}
      >
        Use sample dataset
      </button>
      <input
        ref={(el) => {
          inputRef.current = el;
          if (el) el.webkitdirectory = true;
        }}
        type="file"
        multiple
        hidden
        onChange={onInput}
        data-testid="dataset-folder-input"
      />
      <span className="ds-hint">
        or drop a folder here · layouts: <code>CameraRGB/</code> + <code>CameraSeg/</code>, <code>images/</code> + <code>labels/</code>, <code>x.png</code> + <code>x_label.png</code>
      </span>
    </div>
  );
}
