/**
 * The browser's localStorage for small settings, where it may be missing (Node, workers), refused
 * (some private modes) or full: reads then give null and writes are dropped, so a setting lasts
 * for this page only.
 */

export function readStored(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function writeStored(key: string, text: string): void {
  try {
    globalThis.localStorage?.setItem(key, text);
  } catch {
    // unavailable or full: the value lasts for this page only
  }
}

export function forgetStored(key: string): void {
  try {
    globalThis.localStorage?.removeItem(key);
  } catch {
    // unavailable: nothing was kept
  }
}
