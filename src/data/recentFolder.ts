/**
 * The last dataset folder chosen with the directory picker, remembered across visits where the
 * browser allows it: a FileSystemDirectoryHandle is structured-cloneable, so it is kept in
 * IndexedDB, and reading it again needs the person's permission (asked on the Reopen click).
 * Browsers without the File System Access API (or private windows without IndexedDB) simply
 * remember nothing.
 */
import type { DirectoryHandleLike } from './fileSources';

const DB_NAME = 'segstudio-folders';
const STORE = 'handles';
const KEY = 'last-dataset-folder';

/** The permission part of FileSystemHandle (not in TypeScript's DOM lib everywhere). */
interface PermissionHandle {
  queryPermission?(options: { mode: 'read' }): Promise<PermissionState>;
  requestPermission?(options: { mode: 'read' }): Promise<PermissionState>;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is unavailable'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** Remembers `handle` as the last folder; false when the browser cannot keep it. */
export async function rememberFolder(handle: DirectoryHandleLike): Promise<boolean> {
  try {
    await withStore('readwrite', (s) => s.put(handle, KEY));
    return true;
  } catch {
    return false;
  }
}

/** The remembered folder, or null (none, or storage unavailable). */
export async function recallFolder(): Promise<DirectoryHandleLike | null> {
  try {
    const value = await withStore<unknown>('readonly', (s) => s.get(KEY));
    const h = value as Partial<DirectoryHandleLike> | undefined;
    return h && h.kind === 'directory' && typeof h.name === 'string' && typeof h.values === 'function' ? (h as DirectoryHandleLike) : null;
  } catch {
    return null;
  }
}

export async function forgetFolder(): Promise<void> {
  try {
    await withStore('readwrite', (s) => s.delete(KEY));
  } catch {
    // nothing remembered to forget
  }
}

/**
 * Whether the folder may be read now, asking the person when needed (must run in a click handler:
 * browsers only show the prompt after a user gesture).
 */
export async function ensureReadPermission(handle: DirectoryHandleLike): Promise<boolean> {
  const h = handle as unknown as PermissionHandle;
  if (!h.queryPermission) return true;
  if ((await h.queryPermission({ mode: 'read' })) === 'granted') return true;
  return h.requestPermission ? (await h.requestPermission({ mode: 'read' })) === 'granted' : false;
}
