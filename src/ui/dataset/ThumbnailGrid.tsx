/**
 * Every usable pair as a thumbnail with its label overlaid. Windowed by hand (gridWindow.ts): only
 * the rows in view (plus two above and below) are in the DOM, so 15,000 pairs scroll like 15.
 */
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useDatasetStore } from '../../state/datasetStore';
import { formatInt } from './format';
import { gridLayout, scrollToItem, visibleWindow } from './gridWindow';
import { thumbUrl } from './thumbUrls';

type Filter = 'all' | 'train' | 'val' | 'runs' | 'dropped';

const MIN_CELL = 148;
const GAP = 8;
const CAPTION = 22;
const VIEWPORT = 440;

interface CellProps {
  index: number;
  stem: string;
  path: string;
  thumb: string | null;
  label: string | null;
  top: number;
  left: number;
  width: number;
  height: number;
  /** 0 none, 1 train, 2 val, 'x' thinned out. */
  split: number | 'x';
  inRun: boolean;
  selected: boolean;
  onSelect(index: number): void;
}

const SPLIT_TITLE: Record<string, string> = { '1': 'train', '2': 'val', x: 'thinned out', '0': '' };

/** One thumbnail; memoised, so cells that stay in view are not rendered again while scrolling. */
const Cell = memo(function Cell(p: CellProps) {
  return (
    <button
      type="button"
      className={`ds-cell${p.selected ? ' selected' : ''}${p.split === 'x' ? ' dropped' : ''}`}
      style={{ top: p.top, left: p.left, width: p.width, height: p.height }}
      onClick={() => p.onSelect(p.index)}
      title={p.path}
      data-testid="thumb-cell"
      data-index={p.index}
    >
      <span className="ds-cell-img" style={{ height: p.height - CAPTION }}>
        {p.thumb && <img src={p.thumb} alt="" draggable={false} decoding="async" />}
        {p.label && <img className="ds-cell-label" src={p.label} alt="" draggable={false} decoding="async" />}
        {p.inRun && <span className="ds-cell-badge run">run</span>}
      </span>
      <span className="ds-cell-caption">
        <span className="mono">{p.stem}</span>
        <span className={`ds-split-dot s${p.split}`} title={SPLIT_TITLE[String(p.split)]} />
      </span>
    </button>
  );
});

export function ThumbnailGrid() {
  const pairing = useDatasetStore((s) => s.pairing);
  const thumbs = useDatasetStore((s) => s.thumbs);
  const derived = useDatasetStore((s) => s.derived);
  const selected = useDatasetStore((s) => s.selected);
  const select = useDatasetStore((s) => s.select);
  const [filter, setFilter] = useState<Filter>('all');
  const [overlay, setOverlay] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const scrollRef = useRef(0);
  const [width, setWidth] = useState(800);
  const scroller = useRef<HTMLDivElement | null>(null);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth - 2 * GAP);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const inRun = useMemo(() => {
    const mark = new Uint8Array(pairing?.pairs.length ?? 0);
    if (derived) for (const r of derived.runs) for (let p = r.start; p <= r.end; p++) mark[derived.usable[p]] = 1;
    return mark;
  }, [derived, pairing]);

  const dropped = useMemo(() => new Set(derived?.dropped ?? []), [derived]);

  const items = useMemo(() => {
    if (!derived) return [] as number[];
    switch (filter) {
      case 'train':
        return derived.split.train;
      case 'val':
        return derived.split.val;
      case 'runs':
        return derived.usable.filter((i) => inRun[i]);
      case 'dropped':
        return derived.dropped;
      default:
        return derived.usable;
    }
  }, [derived, filter, inRun]);

  const aspect = useMemo(() => {
    const s = derived?.sizes[0];
    return s ? s.width / s.height : 4 / 3;
  }, [derived]);
  const layout = gridLayout(items.length, width, MIN_CELL, aspect, CAPTION, GAP);
  const win = visibleWindow(layout, items.length, scrollTop, VIEWPORT);
  const winRef = useRef(win);
  winRef.current = win;

  // Bring the selected pair into view when it is chosen elsewhere (a run, the preview).
  useEffect(() => {
    const el = scroller.current;
    if (!el || selected === null) return;
    const at = items.indexOf(selected);
    if (at < 0) return;
    const next = scrollToItem(layout, at, el.scrollTop - GAP, VIEWPORT - 2 * GAP);
    if (next !== el.scrollTop - GAP) el.scrollTop = next + GAP;
  }, [selected]);

  // Re-render only when the rows to show change (the browser moves the rendered ones meanwhile).
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scroller.current;
      if (!el) return;
      scrollRef.current = Math.max(0, el.scrollTop - GAP);
      const next = visibleWindow(layout, items.length, scrollRef.current, VIEWPORT);
      if (next.firstRow !== winRef.current.firstRow || next.lastRow !== winRef.current.lastRow) setScrollTop(scrollRef.current);
    });
  };
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const cells = [];
  if (pairing) {
    for (let k = win.firstItem; k < win.lastItem; k++) {
      const index = items[k];
      const t = thumbs[index];
      const row = Math.floor(k / layout.columns);
      const col = k - row * layout.columns;
      cells.push(
        <Cell
          key={index}
          index={index}
          stem={pairing.pairs[index].stem}
          path={pairing.pairs[index].framePath}
          thumb={t ? thumbUrl(t.thumb, pairing) : null}
          label={t && overlay ? thumbUrl(t.label, pairing) : null}
          top={GAP + row * layout.rowHeight}
          left={GAP + col * (layout.cellWidth + GAP)}
          width={layout.cellWidth}
          height={layout.cellHeight}
          split={dropped.has(index) ? 'x' : (derived?.splitOf[index] ?? 0)}
          inRun={inRun[index] === 1}
          selected={selected === index}
          onSelect={select}
        />,
      );
    }
  }

  return (
    <section className="ds-card" data-testid="dataset-thumbnails">
      <header className="ds-card-head">
        <h3>Frames</h3>
        <div className="ds-grid-tools">
          <div className="ds-segmented" role="group" aria-label="Show">
            {(['all', 'train', 'val', 'runs', 'dropped'] as Filter[]).map((f) => (
              <button type="button" key={f} className={filter === f ? 'active' : ''} onClick={() => setFilter(f)} data-testid={`thumb-filter-${f}`}>
                {f === 'dropped' ? 'thinned' : f === 'runs' ? 'in runs' : f}
              </button>
            ))}
          </div>
          <label className="ds-toggle">
            <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} data-testid="thumb-overlay-toggle" />
            labels
          </label>
          <span className="ds-card-sub" data-testid="thumb-count" data-value={items.length}>
            {formatInt(items.length)} frames
          </span>
        </div>
      </header>
      <div className="ds-grid" ref={scroller} onScroll={onScroll} style={{ height: VIEWPORT }} data-testid="thumb-grid" data-rendered={win.lastItem - win.firstItem}>
        <div className="ds-grid-content" style={{ height: layout.totalHeight + 2 * GAP }}>
          {cells}
        </div>
        {items.length === 0 && <div className="ds-empty ds-grid-empty">{derived ? 'no frames in this view' : 'Load a dataset to see its frames.'}</div>}
      </div>
    </section>
  );
}
