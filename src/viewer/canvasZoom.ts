/**
 * Zoom and pan of the viewer's canvas inside its box: the point under the pointer stays put while
 * zooming, and the frame always covers the box (no empty margin to pan into). Pure: the view is a
 * CSS transform (translate, then scale from the top-left corner) of a canvas that fills the box.
 */

export interface ZoomView {
  scale: number;
  /** Translation of the scaled canvas (CSS pixels of the box). */
  x: number;
  y: number;
}

export const UNZOOMED: ZoomView = { scale: 1, x: 0, y: 0 };
export const MAX_ZOOM = 32;

export interface Box {
  width: number;
  height: number;
}

function clampView(v: ZoomView, box: Box): ZoomView {
  const scale = Math.min(MAX_ZOOM, Math.max(1, v.scale));
  const x = Math.min(0, Math.max(box.width - box.width * scale, v.x));
  const y = Math.min(0, Math.max(box.height - box.height * scale, v.y));
  return { scale, x, y };
}

/** `view` zoomed by `factor` about the point (`px`, `py`) of the box, which keeps showing the same canvas point (unless the edges stop it). */
export function zoomAt(view: ZoomView, factor: number, px: number, py: number, box: Box): ZoomView {
  const scale = Math.min(MAX_ZOOM, Math.max(1, view.scale * factor));
  const k = scale / view.scale;
  return clampView({ scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k }, box);
}

/** `view` moved by (`dx`, `dy`) CSS pixels (a drag), within the frame. */
export function panBy(view: ZoomView, dx: number, dy: number, box: Box): ZoomView {
  return clampView({ ...view, x: view.x + dx, y: view.y + dy }, box);
}

/**
 * `view` after its box changed size from `before` to `after` (a side-by-side view, a resized
 * window): the translation scales with the box, so the same part of the frame stays in view.
 */
export function resizedBox(view: ZoomView, before: Box, after: Box): ZoomView {
  if (view.scale === 1 || !(before.width > 0 && before.height > 0)) return clampView(view, after);
  return clampView({ scale: view.scale, x: (view.x * after.width) / before.width, y: (view.y * after.height) / before.height }, after);
}

/** The zoom factor for a wheel movement (`deltaY` in pixels; up zooms in): 2x per 500 pixels. */
export function wheelFactor(deltaY: number): number {
  return 2 ** (-deltaY / 500);
}

/** The CSS transform of `view`. */
export function zoomTransform(view: ZoomView): string {
  return view.scale === 1 ? 'none' : `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
}
