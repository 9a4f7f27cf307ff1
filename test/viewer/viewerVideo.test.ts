/**
 * The viewer's open video, in Node: a stand-in <video> element (seeks answer with 'seeked', frames
 * are presented by the test) and a real WebM whose timeline the real demuxer reads. Frame-exact
 * seeks and steps, seeks redirected while one runs, live play's frame numbers and drops, the last
 * frame after the end, and stepping without a timeline.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it, vi } from 'vitest';
import { ViewerVideo } from '../../src/viewer/viewerVideo';
import { webmFromVp8 } from '../support/webm';

type FrameCallback = (now: number, metadata: VideoFrameCallbackMetadata) => void;

/** What the viewer uses of a <video> element; the test presents frames and ends it. */
class StandInVideo extends EventTarget {
  readonly seeks: number[] = [];
  ended = false;
  paused = true;
  playbackRate = 1;
  src = 'blob:stand-in';
  private time = 0;
  private readonly callbacks = new Map<number, FrameCallback>();
  private handles = 0;

  get currentTime(): number {
    return this.time;
  }

  set currentTime(t: number) {
    this.time = t;
    this.ended = false;
    this.seeks.push(t);
    setTimeout(() => this.dispatchEvent(new Event('seeked')), 1);
  }

  pause(): void {
    this.paused = true;
  }

  play(): Promise<void> {
    this.paused = false;
    return Promise.resolve();
  }

  requestVideoFrameCallback(cb: FrameCallback): number {
    this.callbacks.set(++this.handles, cb);
    return this.handles;
  }

  cancelVideoFrameCallback(handle: number): void {
    this.callbacks.delete(handle);
  }

  /** A frame presented at `mediaTime`, the `presentedFrames`-th since loading. */
  present(mediaTime: number, presentedFrames: number): void {
    this.time = mediaTime;
    const waiting = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const cb of waiting) cb(0, { mediaTime, presentedFrames } as VideoFrameCallbackMetadata);
  }

  end(): void {
    this.ended = true;
    this.dispatchEvent(new Event('ended'));
  }

  removeAttribute(): void {}
  load(): void {}
}

/** Six frames, 40 ms apart (the timeline's seek times are 0.02, 0.06, ... 0.22). */
const sixFrames = new Blob([new Uint8Array(webmFromVp8(Array.from({ length: 6 }, (_, i) => Buffer.alloc(64, i + 1)), 320, 240, 40))]);

/** A video over a stand-in element; `shows` lists the frames shown; `release` ends a held show. */
async function openOn(file: Blob, { holdShows = false } = {}) {
  const element = new StandInVideo();
  const shows: number[] = [];
  const held: (() => void)[] = [];
  const changed = vi.fn();
  const video = new ViewerVideo(element as unknown as HTMLVideoElement, file, 'clip.webm', {
    show: (frame) => {
      shows.push(frame);
      return holdShows ? new Promise<void>((resolve) => held.push(resolve)) : Promise.resolve();
    },
    changed,
  });
  const release = async () => {
    held.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { element, video, shows, changed, release };
}

async function withTimeline(file = sixFrames, options = {}) {
  const opened = await openOn(file, options);
  await vi.waitFor(() => expect(opened.video.timeline).not.toBeNull());
  return opened;
}

describe('ViewerVideo', () => {
  it('reads its timeline in the background and then reports the frame count', async () => {
    const { video, changed } = await withTimeline();
    expect(changed).toHaveBeenCalled();
    expect(video.report()).toEqual({ frame: 1, seekingTo: null, frames: 6, dropped: 0, playing: false, speed: 1 });
  });

  it('plays at the speed set, and refuses a speed that is none', async () => {
    const { video, element, changed } = await withTimeline();
    changed.mockClear();
    video.setSpeed(0.25);
    expect([element.playbackRate, video.report().speed, changed.mock.calls.length]).toEqual([0.25, 0.25, 1]);
    video.setSpeed(0);
    video.setSpeed(Number.NaN);
    expect(element.playbackRate).toBe(0.25);
  });

  it('seeks to the middle of frame k and shows it; seeks asked for while one runs go on to the newest', async () => {
    const { video, element, shows } = await withTimeline();
    const first = video.seekFrame(3);
    void video.seekFrame(5);
    void video.seekFrame(4);
    expect(video.report().seekingTo).toBe(4);
    await first;
    expect(shows).toEqual([3, 4]);
    expect(element.seeks.map((t) => +t.toFixed(6))).toEqual([0.1, 0.14]);
    expect(video.report()).toMatchObject({ frame: 4, seekingTo: null });
  });

  it('steps from the frame a running seek is heading for, within the video', async () => {
    const { video, shows } = await withTimeline();
    const first = video.step(1);
    void video.step(1);
    void video.step(1);
    await first;
    expect(video.frame).toBe(4);
    expect(shows).toEqual([2, 4]);
    await video.seekFrame(100);
    await video.step(1);
    expect(shows).toEqual([2, 4, 6]);
    await video.seekFrame(1);
    await video.step(-1);
    expect(shows).toEqual([2, 4, 6, 1]);
  });

  it('plays with frame numbers from the media time, counting frames that came while busy or never came; stops on the last frame', async () => {
    const { video, element, shows, release } = await withTimeline(sixFrames, { holdShows: true });
    video.play();
    expect(video.report().playing).toBe(true);
    element.present(0.04, 7);
    expect(shows).toEqual([2]);
    // Frame 3 comes while frame 2 runs: dropped.
    element.present(0.08, 8);
    await release();
    // Frame 4 is never presented; frame 5 is.
    element.present(0.16, 9);
    expect(shows).toEqual([2, 5]);
    expect(video.drops.dropped).toBe(2);
    // The end comes while frame 5 runs: once it is done, the last frame is shown, paused.
    element.end();
    await release();
    expect(shows).toEqual([2, 5, 6]);
    await release();
    expect(video.report()).toMatchObject({ frame: 6, playing: false, dropped: 2 });
  });

  it('without a timeline steps by playing one frame, and back by the frame time measured while playing', async () => {
    const { video, element, shows } = await openOn(new Blob(['no container here']));
    await new Promise((r) => setTimeout(r, 20));
    expect(video.report().frames).toBeNull();
    await video.seekFrame(3);
    expect(shows).toEqual([]);
    // Play: frames numbered by the presented count; 1/25 s per frame measured.
    video.play();
    element.present(0.04, 2);
    await new Promise((r) => setTimeout(r, 0));
    element.present(0.08, 3);
    await new Promise((r) => setTimeout(r, 0));
    video.pause();
    expect(shows).toEqual([2, 3]);
    const forward = video.step(1);
    element.present(0.12, 4);
    await forward;
    expect(shows).toEqual([2, 3, 4]);
    await video.step(-1);
    expect(shows).toEqual([2, 3, 4, 3]);
    expect(element.seeks.at(-1)).toBeCloseTo(0.08, 9);
  });

  it('shows nothing more once closed, a running seek included', async () => {
    const { video, shows } = await withTimeline();
    const seek = video.seekFrame(5);
    video.close();
    await seek;
    expect(shows).toEqual([]);
    await video.step(1);
    video.play();
    expect(video.report().playing).toBe(false);
  });
});
