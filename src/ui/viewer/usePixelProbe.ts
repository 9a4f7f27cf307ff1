/** Reading the pixel under the pointer on the viewer's canvas, again whenever the frame is rendered anew. */
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { FrameReport } from '../../state/viewerStore';
import type { PixelReport, ViewerController } from '../../viewer/controller';
import { framePixelAt, LatestOnly } from '../../viewer/pixelProbe';

export function usePixelProbe(controller: ViewerController | null, report: FrameReport | null) {
  const [pixel, setPixel] = useState<PixelReport | null>(null);
  const at = useRef<{ x: number; y: number } | null>(null);
  const reader = useMemo(
    () =>
      controller &&
      new LatestOnly<{ x: number; y: number }>(async (p) => {
        const read = await controller.probe(p.x, p.y);
        // The pointer may have left, or moved on, while it was read.
        if (at.current === p) setPixel(read);
      }),
    [controller],
  );
  // A new render (another frame, threshold, morphology) changes what the pixel shows.
  useEffect(() => {
    if (at.current) reader?.run(at.current);
  }, [report, reader]);
  const move = (e: MouseEvent<HTMLCanvasElement>) => {
    const canvas = e.currentTarget;
    // The canvas has no border (its zoom box has): the drawing fills its box, zoomed with it.
    const box = canvas.getBoundingClientRect();
    const p = framePixelAt(
      { x: e.clientX - box.left, y: e.clientY - box.top, boxWidth: box.width, boxHeight: box.height, canvasWidth: canvas.width, canvasHeight: canvas.height },
      report?.width ?? canvas.width,
    );
    if (!p || (at.current && at.current.x === p.x && at.current.y === p.y)) return;
    at.current = p;
    reader?.run(p);
  };
  const leave = () => {
    at.current = null;
    reader?.drop();
    setPixel(null);
  };
  return { pixel, move, leave };
}
