/**
 * Windowing for the thumbnail grid (no DOM): which rows of a fixed-size grid are visible in a
 * scrolled viewport, so only those are rendered whatever the item count.
 */

export interface GridLayout {
  columns: number;
  /** Cell width in px (the columns fill the width exactly). */
  cellWidth: number;
  cellHeight: number;
  /** Row pitch: cell height + gap. */
  rowHeight: number;
  gap: number;
  rows: number;
  /** Height of the whole grid (the scroll spacer). */
  totalHeight: number;
}

/** Columns as many as fit `minCellWidth`, cells stretched to fill `width`; cell height from the aspect plus a caption. */
export function gridLayout(count: number, width: number, minCellWidth: number, aspect: number, captionHeight: number, gap: number): GridLayout {
  const usable = Math.max(minCellWidth, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minCellWidth + gap)));
  const cellWidth = (usable - gap * (columns - 1)) / columns;
  const cellHeight = Math.round(cellWidth / aspect + captionHeight);
  const rowHeight = cellHeight + gap;
  const rows = Math.ceil(count / columns);
  return { columns, cellWidth, cellHeight, rowHeight, gap, rows, totalHeight: Math.max(0, rows * rowHeight - gap) };
}

export interface GridWindow {
  firstRow: number;
  /** Exclusive. */
  lastRow: number;
  firstItem: number;
  /** Exclusive. */
  lastItem: number;
}

/** The rows (and items) to render for a viewport, with `overscan` extra rows above and below. */
export function visibleWindow(layout: GridLayout, count: number, scrollTop: number, viewportHeight: number, overscan = 2): GridWindow {
  if (count === 0 || layout.rows === 0) return { firstRow: 0, lastRow: 0, firstItem: 0, lastItem: 0 };
  const top = Math.max(0, scrollTop);
  const lastRow = Math.min(layout.rows, Math.ceil((top + Math.max(0, viewportHeight)) / layout.rowHeight) + overscan);
  const firstRow = Math.min(lastRow, Math.max(0, Math.floor(top / layout.rowHeight) - overscan));
  return {
    firstRow,
    lastRow,
    firstItem: Math.min(count, firstRow * layout.columns),
    lastItem: Math.min(count, lastRow * layout.columns),
  };
}

/** The scroll offset that brings an item's row into view (unchanged when it already is). */
export function scrollToItem(layout: GridLayout, item: number, scrollTop: number, viewportHeight: number): number {
  const rowTop = Math.floor(item / layout.columns) * layout.rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowTop + layout.cellHeight > scrollTop + viewportHeight) return rowTop + layout.cellHeight - viewportHeight;
  return scrollTop;
}
