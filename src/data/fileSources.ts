/**
 * Lists the files a person gave the studio, whichever way they came: a folder input
 * (`<input webkitdirectory>`), a drop of folders and files (DataTransferItem.webkitGetAsEntry), or
 * the File System Access directory picker. Every way gives '/'-separated paths below the chosen
 * folder's name (e.g. 'lyft-real/train/CameraRGB/000_0021.png') and the File objects; nothing is
 * read yet and nothing is ever written.
 */
import type { FileEntry } from './pairing';

export interface ListedFiles {
  /** The chosen folder's name, or a description of a mixed drop. */
  root: string;
  entries: FileEntry[];
  files: Map<string, File>;
}

function collect(list: Array<{ path: string; file: File }>, fallbackRoot: string): ListedFiles {
  const files = new Map<string, File>();
  for (const { path, file } of list) {
    let p = path.replace(/\\/g, '/').replace(/^\/+/, '');
    // Two dropped items with the same name: keep both, the second under a numbered name.
    if (files.has(p)) {
      let k = 2;
      while (files.has(`${p} (${k})`)) k++;
      p = `${p} (${k})`;
    }
    files.set(p, file);
  }
  const tops = new Set<string>();
  for (const p of files.keys()) tops.add(p.includes('/') ? p.slice(0, p.indexOf('/')) : '');
  const root = tops.size === 1 && !tops.has('') ? [...tops][0] : fallbackRoot;
  const entries = [...files].map(([path, f]) => ({ path, size: f.size }));
  return { root, entries, files };
}

/** Files from an `<input type=file webkitdirectory>` (or a plain multiple file input). */
export function listFromFileList(fileList: ArrayLike<File>): ListedFiles {
  const list: Array<{ path: string; file: File }> = [];
  for (let i = 0; i < fileList.length; i++) {
    const f = fileList[i];
    list.push({ path: f.webkitRelativePath || f.name, file: f });
  }
  return collect(list, `${list.length} files`);
}

// ---------------------------------------------------------------------------------------------
// Drag and drop

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries answers in batches (100 in Chromium) until it returns an empty one.
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walkEntry(entry: FileSystemEntry, list: Array<{ path: string; file: File }>): Promise<void> {
  if (entry.isFile) {
    list.push({ path: entry.fullPath || entry.name, file: await entryFile(entry as FileSystemFileEntry) });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await walkEntry(child, list);
  }
}

/**
 * Files from a drop. Call it inside the drop handler: the entries must be taken from the
 * DataTransfer before the event returns (they are read asynchronously afterwards).
 */
export function listFromDataTransfer(data: DataTransfer): Promise<ListedFiles> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (let i = 0; i < data.items.length; i++) {
    const item = data.items[i];
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) for (const f of Array.from(data.files)) loose.push(f);
  return (async () => {
    const list: Array<{ path: string; file: File }> = loose.map((f) => ({ path: f.name, file: f }));
    for (const e of entries) await walkEntry(e, list);
    const names = entries.map((e) => e.name);
    return collect(list, names.length === 1 ? names[0] : `${list.length} dropped files`);
  })();
}

// ---------------------------------------------------------------------------------------------
// File System Access

/** The parts of FileSystemDirectoryHandle used here (its async iteration is not in TypeScript's DOM lib). */
export interface DirectoryHandleLike {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
}

export interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

type DirectoryPicker = (options?: { mode?: 'read'; id?: string }) => Promise<DirectoryHandleLike>;

/** window.showDirectoryPicker where the browser has it (Chromium), else null. */
export function directoryPicker(): DirectoryPicker | null {
  const picker = (globalThis as unknown as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
  return typeof picker === 'function' ? picker.bind(globalThis) : null;
}

async function walkHandle(dir: DirectoryHandleLike, prefix: string, list: Array<{ path: string; file: File }>): Promise<void> {
  const children: Array<DirectoryHandleLike | FileHandleLike> = [];
  for await (const h of dir.values()) children.push(h);
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const h of children) {
    if (h.kind === 'file') list.push({ path: `${prefix}/${h.name}`, file: await h.getFile() });
    else await walkHandle(h, `${prefix}/${h.name}`, list);
  }
}

/** Files below a directory handle (from showDirectoryPicker), read-only. */
export async function listFromDirectoryHandle(handle: DirectoryHandleLike): Promise<ListedFiles> {
  const list: Array<{ path: string; file: File }> = [];
  await walkHandle(handle, handle.name, list);
  return collect(list, handle.name);
}
