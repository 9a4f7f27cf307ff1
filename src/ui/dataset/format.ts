/** Number formats of the Dataset panel. */

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A fraction as a percentage with one decimal ('21.0 %'); finer for small values. */
export function formatPercent(f: number): string {
  const p = 100 * f;
  if (p > 0 && p < 0.1) return `${p.toFixed(2)} %`;
  return `${p.toFixed(1)} %`;
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The file name of a path. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}
