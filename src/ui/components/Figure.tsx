/** A labelled key figure, and the number formats the studio shows. */
import type { ReactNode } from 'react';

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

export function formatBytes(bytes: number): string {
  const GiB = 1024 ** 3;
  const MiB = 1024 ** 2;
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatNumber(n: number, digits = 4): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(digits)));
}

interface FigureProps {
  label: string;
  value: string;
  /** Raw value for tests and tooltips. */
  raw?: number;
  detail?: ReactNode;
  testId?: string;
}

export function Figure({ label, value, raw, detail, testId }: FigureProps) {
  return (
    <div className="figure">
      <div className="figure-label">{label}</div>
      <div className="figure-value" data-testid={testId} data-value={raw} title={raw !== undefined ? raw.toLocaleString('en-US') : undefined}>
        {value}
      </div>
      {detail !== undefined && <div className="figure-detail">{detail}</div>}
    </div>
  );
}
