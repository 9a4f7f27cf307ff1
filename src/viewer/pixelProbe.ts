/**
 * The pixel under the pointer in the viewer: which frame pixel a point of the drawn canvas shows
 * (the canvas is scaled to fit, and side by side it holds the frame twice), and reading it at most
 * once at a time while the pointer moves (the newest point wins).
 */

export interface PointerOnCanvas {
  /** The pointer, relative to the canvas element's box (CSS pixels). */
  x: number;
  y: number;
  /** The canvas element's box (CSS pixels) and its drawing buffer (canvas pixels). */
  boxWidth: number;
  boxHeight: number;
  canvasWidth: number;
  canvasHeight: number;
}

/** The frame pixel (`frameWidth` wide) under the pointer, or null off the canvas. */
export function framePixelAt(p: PointerOnCanvas, frameWidth: number): { x: number; y: number } | null {
  if (p.boxWidth <= 0 || p.boxHeight <= 0 || frameWidth <= 0) return null;
  const cx = Math.floor((p.x / p.boxWidth) * p.canvasWidth);
  const cy = Math.floor((p.y / p.boxHeight) * p.canvasHeight);
  if (cx < 0 || cy < 0 || cx >= p.canvasWidth || cy >= p.canvasHeight) return null;
  // Side by side: the right half shows the same frame pixels.
  return { x: cx % frameWidth, y: cy };
}

/**
 * Runs `work` for one argument at a time: one asked for while it runs waits, replaced by any newer
 * one, and runs when the current one is done (a pointer's readings never pile up).
 */
export class LatestOnly<A> {
  private running = false;
  private waiting: { arg: A } | null = null;

  constructor(private readonly work: (arg: A) => Promise<void>) {}

  run(arg: A): void {
    if (this.running) {
      this.waiting = { arg };
      return;
    }
    this.running = true;
    void this.work(arg)
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        const next = this.waiting;
        this.waiting = null;
        if (next) this.run(next.arg);
      });
  }

  /** Forgets a waiting argument (the pointer left). */
  drop(): void {
    this.waiting = null;
  }
}
