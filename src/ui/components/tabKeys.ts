/** Keyboard moves in a row of tabs. */

/** The tab a key moves to from `current` in a row of tabs (the WAI-ARIA tabs pattern), or null for other keys. */
export function tabForKey<T>(tabs: readonly T[], current: T, key: string): T | null {
  const at = Math.max(0, tabs.indexOf(current));
  const n = tabs.length;
  if (key === 'ArrowRight') return tabs[(at + 1) % n]!;
  if (key === 'ArrowLeft') return tabs[(at - 1 + n) % n]!;
  if (key === 'Home') return tabs[0]!;
  if (key === 'End') return tabs[n - 1]!;
  return null;
}
