/**
 * Where each frame of a video lies in time, from its container: the frame shown at a media time
 * (for the frame number during play) and a time that shows a given frame when seeked to (for
 * frame-exact stepping and scrubbing, variable frame rates included). Pure: built from the
 * presentation timestamps that src/viewer/videoTimeline.ts reads.
 */

/** Times within this of a frame's start count as that frame (rounding in the media pipeline). */
const START_TOLERANCE_S = 1e-4;

export class FrameTimeline {
  /** Presentation start of each frame (seconds), ascending, distinct. */
  private readonly starts: Float64Array;
  /** When the last frame ends (its start plus its duration). */
  private readonly end: number;

  private constructor(starts: Float64Array, end: number) {
    this.starts = starts;
    this.end = end;
  }

  /**
   * From each frame's presentation timestamp and duration (seconds), in any order (a container
   * lists them in decode order). Null where there is no frame. A repeated timestamp counts once.
   */
  static fromFrames(frames: readonly { timestamp: number; duration: number }[]): FrameTimeline | null {
    const valid = frames.filter((f) => Number.isFinite(f.timestamp));
    if (valid.length === 0) return null;
    const sorted = [...valid].sort((a, b) => a.timestamp - b.timestamp);
    const starts: number[] = [];
    let end = -Infinity;
    for (const f of sorted) {
      if (starts.length === 0 || f.timestamp - starts[starts.length - 1]! > START_TOLERANCE_S) starts.push(f.timestamp);
      end = Math.max(end, f.timestamp + (Number.isFinite(f.duration) && f.duration > 0 ? f.duration : 0));
    }
    return new FrameTimeline(Float64Array.from(starts), end);
  }

  /** Frames in the video. */
  get count(): number {
    return this.starts.length;
  }

  /** The frame (from 1) on show at `mediaTime`: the last one that starts at or before it. */
  frameAt(mediaTime: number): number {
    const t = mediaTime + START_TOLERANCE_S;
    let lo = 0;
    let hi = this.starts.length - 1;
    if (t < this.starts[0]!) return 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /**
   * A time that shows frame `frame` (from 1, clamped to the video) when seeked to: the middle of
   * the span until the next frame, so that rounding on either side still lands on it.
   */
  seekTime(frame: number): number {
    const i = Math.min(this.starts.length, Math.max(1, Math.round(frame))) - 1;
    const start = this.starts[i]!;
    const next = i + 1 < this.starts.length ? this.starts[i + 1]! : this.end;
    return next > start ? start + (next - start) / 2 : start;
  }
}
