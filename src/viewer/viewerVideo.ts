/**
 * The video open in the viewer: its <video> element and file, the frame on show, and the moves
 * between frames: frame-exact seeks and steps by the container's timeline (read in the background
 * once opened), else steps by playing one frame or seeking back a measured frame time; and live
 * play that drops frames rather than lag, counting them. What happens to a frame once it is on show
 * (run, draw) is the caller's `show`.
 */
import type { FrameReport } from '../state/viewerStore';
import { FrameTimeline } from './frameTimeline';
import { closeVideo, DropCounter, openVideo, playLive, seekTo, stepBack, stepForward } from './videoFrames';
import { readFrameTimeline } from './videoTimeline';

export type VideoReport = NonNullable<FrameReport['video']>;

/** Play speeds offered (a slow backend shows more of the frames at a lower one). */
export const PLAY_SPEEDS = [0.25, 0.5, 1, 2] as const;

export interface VideoHooks {
  /** Runs and draws the picture the element shows now, as frame `frame` (from 1). */
  show(frame: number): Promise<void>;
  /** What `report()` says has changed (frame count known, playing or not, a seek's target). */
  changed(): void;
}

export class ViewerVideo {
  readonly drops = new DropCounter();
  /** The frame on show (from 1); an export sets it to the frame it is processing. */
  frame = 1;
  playing = false;
  /** Where each frame lies in time (null until read, or where the container cannot be read). */
  timeline: FrameTimeline | null = null;
  private stopPlaying: (() => void) | null = null;
  /** Without a timeline: seconds per frame, measured while playing (for stepping back). */
  private frameSeconds = 1 / 30;
  private lastMediaTime: number | null = null;
  /** The newest frame asked for while a seek runs (the seek goes on to it), else null. */
  private seekTarget: number | null = null;
  private seeking = false;
  private closed = false;

  /** `element`: a video with its first frame loaded (`openVideo`). Starts reading the timeline. */
  constructor(
    readonly element: HTMLVideoElement,
    /** The file, read again for the timeline and for exports. */
    readonly file: Blob,
    readonly path: string,
    private readonly hooks: VideoHooks,
  ) {
    void this.readTimeline();
  }

  /** Opens `file` in a <video> element; rejects with a message naming `path` where it cannot be played. */
  static async open(file: Blob, path: string, hooks: VideoHooks): Promise<ViewerVideo> {
    return new ViewerVideo(await openVideo(file, path), file, path, hooks);
  }

  report(): VideoReport {
    return { frame: this.frame, seekingTo: this.seekTarget, frames: this.timeline?.count ?? null, dropped: this.drops.dropped, playing: this.playing, speed: this.element.playbackRate };
  }

  /** Shows what the element shows now as frame `frame`. */
  showFrame(frame: number): Promise<void> {
    this.frame = frame;
    return this.hooks.show(frame);
  }

  private async readTimeline(): Promise<void> {
    const timeline = await readFrameTimeline(this.file);
    if (this.closed || !(timeline instanceof FrameTimeline)) return;
    this.timeline = timeline;
    this.hooks.changed();
  }

  /**
   * Shows frame `frame` (from 1, clamped), paused, exactly: by its time in the timeline (nothing
   * without one). Calls that come while a seek runs redirect it: it goes on to the newest.
   */
  async seekFrame(frame: number): Promise<void> {
    const timeline = this.timeline;
    if (!timeline || this.closed) return;
    if (this.playing) this.pause();
    this.seekTarget = Math.min(timeline.count, Math.max(1, Math.round(frame)));
    // Where it is going shows at once (a slider, a further key press goes on from there).
    this.hooks.changed();
    if (this.seeking) return;
    this.seeking = true;
    try {
      while (this.seekTarget !== null && !this.closed) {
        const target: number = this.seekTarget;
        if (target !== this.frame) {
          await seekTo(this.element, timeline.seekTime(target));
          if (this.closed) return;
          await this.showFrame(target);
        }
        if (this.seekTarget === target) this.seekTarget = null;
      }
    } finally {
      this.seeking = false;
      if (!this.closed) this.hooks.changed();
    }
  }

  /** The next (`delta` > 0) or previous frame, from the one a running seek is heading for. Nothing while playing. */
  async step(delta: number): Promise<void> {
    if (this.playing || this.closed) return;
    if (this.timeline) return this.seekFrame((this.seekTarget ?? this.frame) + delta);
    if (delta > 0) {
      if (await stepForward(this.element)) await this.showFrame(this.frame + 1);
    } else if (this.frame > 1) {
      await stepBack(this.element, this.frameSeconds);
      await this.showFrame(this.frame - 1);
    }
  }

  /** Plays from the frame on show (from the start after the end), showing frames live; those that come while one runs are dropped. */
  play(): void {
    if (this.playing || this.closed) return;
    if (this.element.ended) this.element.currentTime = 0;
    this.playing = true;
    this.drops.reset();
    // Frame numbers (and drops) from the presented frame's media time where the timeline is known.
    const timeline = this.timeline;
    this.stopPlaying = playLive(
      this.element,
      async (meta, position) => {
        if (timeline) return this.showFrame(position);
        // No timeline: frames counted as presented, and the frame time measured for stepping back.
        if (this.lastMediaTime !== null && meta.mediaTime > this.lastMediaTime) {
          this.frameSeconds = (meta.mediaTime - this.lastMediaTime) / Math.max(1, position - this.frame);
        }
        this.lastMediaTime = meta.mediaTime;
        await this.showFrame(position);
      },
      this.drops,
      () => void this.ended(),
      timeline ? (meta) => timeline.frameAt(meta.mediaTime) : undefined,
    );
    this.hooks.changed();
  }

  /** At the end of play: paused on the last frame (shown, where it came while the one before ran). */
  private async ended(): Promise<void> {
    if (!this.playing || this.closed) return;
    this.pause();
    if (this.timeline && this.frame < this.timeline.count) await this.showFrame(this.timeline.count);
  }

  /** Plays at `speed` times the video's own rate from now on (while playing too). */
  setSpeed(speed: number): void {
    if (!(speed > 0) || this.closed) return;
    this.element.playbackRate = speed;
    this.hooks.changed();
  }

  pause(): void {
    this.stopPlaying?.();
    this.stopPlaying = null;
    if (!this.playing) return;
    this.playing = false;
    this.hooks.changed();
  }

  /** Stops everything and lets the element and its file go. */
  close(): void {
    this.stopPlaying?.();
    this.stopPlaying = null;
    this.playing = false;
    this.closed = true;
    closeVideo(this.element);
  }
}
