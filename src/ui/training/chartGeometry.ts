/**
 * From series to SVG: the plot area, the x/y scales (linear or log), the ticks and each series'
 * polyline `points` attribute, downsampled to about one point per pixel so long runs draw as
 * cheaply as short ones. Pure; the chart component only renders what this returns.
 */
import { downsampleIndices, finiteRange, formatTick, linearTicks, logTicks } from '../../training/history';

export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Drawn thin and faint (the raw loss under its smoothed line, a compared run). */
  faint?: boolean;
  dashed?: boolean;
  /** Draws a dot at every point (few points, e.g. per epoch). */
  dots?: boolean;
}

export interface ChartFrame {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
  yScale: 'linear' | 'log';
  /** Fixed y range (e.g. [0, 1] for scores); otherwise the data's. */
  yDomain?: [number, number];
}

export interface DrawnSeries {
  id: string;
  label: string;
  color: string;
  faint: boolean;
  dashed: boolean;
  points: string;
  /** Number of points drawn (after downsampling). */
  count: number;
  dots: { x: number; y: number }[];
  last: number | null;
}

export interface ChartLayout {
  plot: { x: number; y: number; width: number; height: number };
  xTicks: { pos: number; label: string }[];
  yTicks: { pos: number; label: string }[];
  series: DrawnSeries[];
  empty: boolean;
}

/** A value -> pixel mapping for a domain and a pixel range (log: only values > 0). */
export function makeScale(domain: [number, number], range: [number, number], kind: 'linear' | 'log'): (v: number) => number {
  const f = kind === 'log' ? Math.log10 : (v: number) => v;
  const d0 = f(domain[0]);
  const d1 = f(domain[1]);
  const span = d1 - d0;
  return (v: number) => {
    if (span === 0) return (range[0] + range[1]) / 2;
    return range[0] + ((f(v) - d0) / span) * (range[1] - range[0]);
  };
}

function padDomain([lo, hi]: [number, number], kind: 'linear' | 'log'): [number, number] {
  if (kind === 'log') return lo === hi ? [lo / 2, hi * 2] : [lo, hi];
  if (lo === hi) return lo === 0 ? [0, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function union(ranges: ([number, number] | null)[]): [number, number] | null {
  let out: [number, number] | null = null;
  for (const r of ranges) if (r) out = out ? [Math.min(out[0], r[0]), Math.max(out[1], r[1])] : [r[0], r[1]];
  return out;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Lays out a chart: scales from all series, ticks, and each series' downsampled polyline. */
export function layoutChart(series: readonly ChartSeries[], frame: ChartFrame): ChartLayout {
  const { width, height, margin, yScale } = frame;
  const plot = { x: margin.left, y: margin.top, width: Math.max(1, width - margin.left - margin.right), height: Math.max(1, height - margin.top - margin.bottom) };
  const log = yScale === 'log';
  const xRange = union(series.map((s) => finiteRange(s.xs)));
  const yRange = frame.yDomain ?? union(series.map((s) => finiteRange(s.ys, log)));
  if (!xRange || !yRange) return { plot, xTicks: [], yTicks: [], series: [], empty: true };
  const xDomain: [number, number] = xRange[0] === xRange[1] ? [xRange[0] - 1, xRange[1] + 1] : xRange;
  const yDomain = frame.yDomain ?? padDomain(yRange, yScale);
  const sx = makeScale(xDomain, [plot.x, plot.x + plot.width], 'linear');
  const sy = makeScale(yDomain, [plot.y + plot.height, plot.y], yScale);
  // Steps are whole numbers: fractional x ticks only when fewer than two whole ones fit.
  const allX = linearTicks(xDomain[0], xDomain[1], Math.max(2, Math.floor(plot.width / 80)));
  const wholeX = allX.filter((v) => Number.isInteger(v));
  const xTicks = (wholeX.length >= 2 ? wholeX : allX).map((v) => ({ pos: round(sx(v)), label: formatTick(v) }));
  const yTickValues = log ? logTicks(yDomain[0], yDomain[1]) : linearTicks(yDomain[0], yDomain[1], Math.max(2, Math.floor(plot.height / 40)));
  const yTicks = yTickValues.map((v) => ({ pos: round(sy(v)), label: formatTick(v) }));
  const drawn = series.map((s): DrawnSeries => {
    const idx = downsampleIndices(s.ys, plot.width);
    const parts: string[] = [];
    const dots: { x: number; y: number }[] = [];
    for (const i of idx) {
      const x = s.xs[i]!;
      const y = s.ys[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (log && y <= 0)) continue;
      const px = round(sx(x));
      const py = round(sy(Math.min(Math.max(y, log ? yDomain[0] : -Infinity), Infinity)));
      parts.push(`${px},${py}`);
      if (s.dots) dots.push({ x: px, y: py });
    }
    const n = s.ys.length;
    return {
      id: s.id,
      label: s.label,
      color: s.color,
      faint: !!s.faint,
      dashed: !!s.dashed,
      points: parts.join(' '),
      count: parts.length,
      dots,
      last: n > 0 && Number.isFinite(s.ys[n - 1]!) ? s.ys[n - 1]! : null,
    };
  });
  return { plot, xTicks, yTicks, series: drawn, empty: false };
}
