/** A line chart drawn by hand in SVG: axes, ticks, polylines (layoutChart does the work). */
import { memo, useMemo } from 'react';
import { layoutChart, type ChartFrame, type ChartSeries } from './chartGeometry';

export interface LineChartProps {
  testId: string;
  title: string;
  series: readonly ChartSeries[];
  yScale?: 'linear' | 'log';
  yDomain?: [number, number];
  xLabel?: string;
  /** Changes whenever the series' contents change (they are mutated in place). */
  version: number;
  width?: number;
  height?: number;
}

const MARGIN = { left: 46, right: 12, top: 10, bottom: 24 };

function LineChartImpl({ testId, title, series, yScale = 'linear', yDomain, xLabel = 'step', version, width = 520, height = 190 }: LineChartProps) {
  const layout = useMemo(() => {
    const frame: ChartFrame = { width, height, margin: MARGIN, yScale, ...(yDomain ? { yDomain } : {}) };
    return layoutChart(series, frame);
  }, [series, yScale, yDomain?.[0], yDomain?.[1], version, width, height]);
  const { plot } = layout;
  return (
    <figure className="tr-chart" data-testid={testId} data-empty={layout.empty ? 'true' : 'false'}>
      <figcaption>
        <span className="tr-chart-title">{title}</span>
        <span className="tr-legend">
          {layout.series
            .filter((s) => !s.faint || s.dashed)
            .map((s) => (
              <span key={s.id} className="tr-legend-item" data-testid={`${testId}-legend-${s.id}`} data-value={s.last ?? ''}>
                <i style={{ background: s.color }} />
                {s.label}
                {s.last !== null && <b>{Math.abs(s.last) < 1e-3 && s.last !== 0 ? s.last.toExponential(1) : s.last.toFixed(4)}</b>}
              </span>
            ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={title}>
        <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} className="tr-plot-bg" />
        {layout.yTicks.map((t) => (
          <g key={`y${t.label}`}>
            <line x1={plot.x} x2={plot.x + plot.width} y1={t.pos} y2={t.pos} className="tr-grid" />
            <text x={plot.x - 5} y={t.pos + 3.5} className="tr-tick" textAnchor="end">
              {t.label}
            </text>
          </g>
        ))}
        {layout.xTicks.map((t) => (
          <text key={`x${t.label}`} x={t.pos} y={plot.y + plot.height + 14} className="tr-tick" textAnchor="middle">
            {t.label}
          </text>
        ))}
        <text x={plot.x + plot.width} y={height - 2} className="tr-tick" textAnchor="end">
          {xLabel}
        </text>
        {layout.series.map((s) => (
          <g key={s.id}>
            <polyline
              points={s.points}
              fill="none"
              stroke={s.color}
              strokeWidth={s.faint ? 1 : 1.8}
              strokeOpacity={s.faint && !s.dashed ? 0.35 : 1}
              strokeDasharray={s.dashed ? '5 4' : undefined}
              vectorEffect="non-scaling-stroke"
              data-testid={`${testId}-line-${s.id}`}
              data-count={s.count}
            />
            {s.dots.map((d, i) => (
              <circle key={i} cx={d.x} cy={d.y} r={2.6} fill={s.color} />
            ))}
          </g>
        ))}
        {layout.empty && (
          <text x={plot.x + plot.width / 2} y={plot.y + plot.height / 2} className="tr-empty" textAnchor="middle">
            no data yet
          </text>
        )}
      </svg>
    </figure>
  );
}

export const LineChart = memo(LineChartImpl);
