/** Wheel zoom about the pointer, drag to pan and double-click to reset, for the viewer's canvas inside `box`. */
import { useEffect, useRef, useState, type PointerEvent, type RefObject } from 'react';
import { panBy, resizedBox, UNZOOMED, wheelFactor, zoomAt, type Box, type ZoomView } from '../../viewer/canvasZoom';

export function useCanvasZoom(box: RefObject<HTMLDivElement | null>) {
  const [view, setView] = useState<ZoomView>(UNZOOMED);
  const dragging = useRef<number | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Not React's onWheel: that listener is passive, and the page must not scroll while zooming.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const size = { width: el.clientWidth, height: el.clientHeight };
      setView((v) => zoomAt(v, wheelFactor(e.deltaMode === 1 ? e.deltaY * 40 : e.deltaY), e.clientX - r.left - el.clientLeft, e.clientY - r.top - el.clientTop, size));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    // A box of another size (side by side, a resized window) keeps the same part of the frame in view.
    let size: Box = { width: el.clientWidth, height: el.clientHeight };
    const resizes = new ResizeObserver(() => {
      const next = { width: el.clientWidth, height: el.clientHeight };
      if (next.width === size.width && next.height === size.height) return;
      const before = size;
      size = next;
      setView((v) => resizedBox(v, before, next));
    });
    resizes.observe(el);
    return () => {
      el.removeEventListener('wheel', onWheel);
      resizes.disconnect();
    };
  }, [box]);
  const handlers = {
    onPointerDown: (e: PointerEvent<HTMLDivElement>) => {
      // Not on a button over the canvas: capturing the pointer would take its click.
      if (e.button !== 0 || (e.target as Element).closest('button')) return;
      dragging.current = e.pointerId;
      e.currentTarget.setPointerCapture(e.pointerId);
    },
    onPointerMove: (e: PointerEvent<HTMLDivElement>) => {
      if (dragging.current !== e.pointerId) return;
      const el = e.currentTarget;
      setView((v) => (v.scale === 1 ? v : panBy(v, e.movementX, e.movementY, { width: el.clientWidth, height: el.clientHeight })));
    },
    onPointerUp: (e: PointerEvent<HTMLDivElement>) => {
      if (dragging.current === e.pointerId) dragging.current = null;
    },
    onDoubleClick: () => setView(UNZOOMED),
  };
  return { view, reset: () => setView(UNZOOMED), handlers };
}
