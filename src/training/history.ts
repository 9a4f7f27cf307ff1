/**
 * Numbers behind the Training tab's charts and progress line, as pure functions: EMA smoothing of
 * a loss series, reduction of a long series to about one point per pixel (keeping each bucket's
 * extremes so spikes survive), "nice" axis ticks on linear and log scales, and the time left.
 */

/**
 * Exponential moving average with bias correction (the first values are not pulled towards 0).
 * `weight` in [0, 1): 0 returns the input; 0.9 is heavy smoothing. Non-finite values are skipped
 * (the output repeats the last smoothed value there, or NaN before any finite value).
 */
export function emaSmooth(values: ArrayLike<number>, weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing weight ${weight} must be in [0, 1)`);
  const out = new Array<number>(values.length);
  let acc = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      acc = weight * acc + (1 - weight) * v;
      n++;
    }
    out[i] = n === 0 ? NaN : acc / (1 - weight ** n);
  }
  return out;
}

/**
 * Indices to draw of a series of `length` points for a chart `buckets` points wide: all of them
 * when they fit, else per bucket the first, the minimum, the maximum and the last (in order, no
 * duplicates), so the drawn line keeps the series' range. `ys` gives the values; non-finite values
 * are never chosen as extremes.
 */
export function downsampleIndices(ys: ArrayLike<number>, buckets: number): number[] {
  const n = ys.length;
  const b = Math.max(1, Math.floor(buckets));
  if (n <= b * 4) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < b; k++) {
    const start = Math.floor((k * n) / b);
    const end = Math.floor(((k + 1) * n) / b);
    if (end <= start) continue;
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = ys[i]!;
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < ys[lo]!) lo = i;
      if (hi < 0 || v > ys[hi]!) hi = i;
    }
    const picks = [start, lo, hi, end - 1].filter((i) => i >= 0).sort((a, c) => a - c);
    for (const i of picks) if (out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

/** A "nice" step (1, 2 or 5 times a power of ten) near span / count. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * mag;
}

/** Ticks on a linear axis: multiples of a nice step inside [min, max] (about `count` of them). */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const step = niceStep(max - min, count);
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Ticks on a log axis: the powers of ten inside [min, max] (min > 0), or 1-2-5 steps when the range spans less than two decades. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mantissas = hi - lo <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/** The [min, max] of the finite values (and > 0 ones for a log axis), or null when there are none. */
export function finiteRange(values: ArrayLike<number>, positiveOnly = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Median of the last `window` values (0 when none). */
export function recentMedian(values: ArrayLike<number>, window = 20): number {
  const n = values.length;
  const from = Math.max(0, n - window);
  const xs: number[] = [];
  for (let i = from; i < n; i++) if (Number.isFinite(values[i]!)) xs.push(values[i]!);
  if (xs.length === 0) return 0;
  xs.sort((a, b) => a - b);
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/**
 * Milliseconds left: the median of the recent step times (robust to the slow first steps and
 * validation pauses) times the steps left; null when nothing is known yet.
 */
export function etaMs(stepMs: ArrayLike<number>, stepsDone: number, totalSteps: number, window = 20): number | null {
  const left = totalSteps - stepsDone;
  if (left <= 0) return 0;
  const per = recentMedian(stepMs, window);
  return per > 0 ? per * left : null;
}

/** '45 s', '12 min 05 s', '3 h 07 min'. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Bytes as '512 B', '3.4 MiB', '1.20 GiB'. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** A tick label: short, exponent form for very small or large numbers. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}
