/**
 * The backend the studio settled on (selectBackend records it) and who wants to know. Its own
 * module so that code which only reads the choice (the viewer's composition and drawing) does not
 * pull in the backend set-up (wasm binaries as Vite asset URLs), and runs in Node too.
 */
import type { BackendInfo } from './decide';

let selected: BackendInfo | null = null;
const listeners = new Set<(info: BackendInfo) => void>();

/** The last backend selectBackend settled on (null before the first call finishes). */
export function getSelectedBackend(): BackendInfo | null {
  return selected;
}

export function onBackendSelected(listener: (info: BackendInfo) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Records the chosen backend and tells the listeners (selectBackend's last step). */
export function recordSelectedBackend(info: BackendInfo): void {
  selected = info;
  for (const l of listeners) l(info);
}
