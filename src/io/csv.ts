/** CSV text (RFC 4180: comma-separated, CRLF line ends, a header row) for a spreadsheet or pandas. */

/** One cell: quoted when it holds a comma, a quote or a line break (quotes doubled). */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A header row and the rows, each line ended by CRLF. */
export function csvTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
