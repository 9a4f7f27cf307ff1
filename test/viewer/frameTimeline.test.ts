/**
 * The frame timeline of a video: frame numbers from media times and seek times that land on a
 * frame, for constant and variable frame rates and frames listed out of presentation order; and
 * reading it from a real container (WebM, by the demuxer, in Node).
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { FrameTimeline } from '../../src/viewer/frameTimeline';
import { readFrameTimeline } from '../../src/viewer/videoTimeline';
import { webmFromVp8 } from '../support/webm';

const at30fps = (n: number) => Array.from({ length: n }, (_, i) => ({ timestamp: i / 30, duration: 1 / 30 }));

function timeline(frames: { timestamp: number; duration: number }[]): FrameTimeline {
  const t = FrameTimeline.fromFrames(frames);
  if (!t) throw new Error('no timeline');
  return t;
}

describe('FrameTimeline', () => {
  it('numbers the frame on show at a media time from 1, at frame starts and between them', () => {
    const t = timeline(at30fps(90));
    expect(t.count).toBe(90);
    expect(t.frameAt(0)).toBe(1);
    expect(t.frameAt(1 / 30)).toBe(2);
    // A start rounded a little early in the media pipeline is still that frame.
    expect(t.frameAt(2 / 30 - 5e-6)).toBe(3);
    expect(t.frameAt(2.5 / 30)).toBe(3);
    expect(t.frameAt(89 / 30)).toBe(90);
    expect(t.frameAt(1000)).toBe(90);
    expect(t.frameAt(-1)).toBe(1);
  });

  it('seeks to the middle of a frame, so that the seek lands on it; clamps to the video', () => {
    const t = timeline(at30fps(90));
    for (const n of [1, 2, 45, 89, 90]) {
      expect(t.seekTime(n)).toBeCloseTo((n - 0.5) / 30, 12);
      expect(t.frameAt(t.seekTime(n))).toBe(n);
    }
    expect(t.seekTime(0)).toBe(t.seekTime(1));
    expect(t.seekTime(500)).toBe(t.seekTime(90));
  });

  it('follows a variable frame rate and frames listed in decode order', () => {
    // B-frames: decode order 0, 3, 1, 2 (times in seconds); a long gap before the last frame.
    const t = timeline([
      { timestamp: 0, duration: 0.04 },
      { timestamp: 0.12, duration: 0.04 },
      { timestamp: 0.04, duration: 0.04 },
      { timestamp: 0.08, duration: 0.04 },
      { timestamp: 1.0, duration: 0.5 },
    ]);
    expect(t.count).toBe(5);
    expect([0, 0.05, 0.09, 0.13, 0.9, 1.2].map((s) => t.frameAt(s))).toEqual([1, 2, 3, 4, 4, 5]);
    // Frame 4 lasts until frame 5 starts: the middle of 0.12..1.0.
    expect(t.seekTime(4)).toBeCloseTo(0.56, 12);
    expect(t.seekTime(5)).toBeCloseTo(1.25, 12);
    expect([1, 2, 3, 4, 5].map((n) => t.frameAt(t.seekTime(n)))).toEqual([1, 2, 3, 4, 5]);
  });

  it('counts a repeated timestamp once, gives a last frame without duration its start, and has no timeline without frames', () => {
    const t = timeline([
      { timestamp: 0, duration: 0.1 },
      { timestamp: 0.1, duration: 0.1 },
      { timestamp: 0.1, duration: 0.1 },
      { timestamp: 0.2, duration: 0 },
    ]);
    expect(t.count).toBe(3);
    expect(t.seekTime(3)).toBeCloseTo(0.2, 12);
    expect(t.frameAt(t.seekTime(3))).toBe(3);
    expect(FrameTimeline.fromFrames([])).toBeNull();
    expect(FrameTimeline.fromFrames([{ timestamp: Number.NaN, duration: 1 }])).toBeNull();
  });
});

describe('readFrameTimeline', () => {
  const frames = (n: number) => Array.from({ length: n }, (_, i) => Buffer.alloc(64, i + 1));

  it('reads the frames of a WebM from its container (no decoder needed)', async () => {
    const t = await readFrameTimeline(new Blob([new Uint8Array(webmFromVp8(frames(6), 800, 600, 40))]));
    if (!(t instanceof FrameTimeline)) throw new Error(t.reason);
    expect(t.count).toBe(6);
    expect([0, 0.04, 0.2].map((s) => t.frameAt(s))).toEqual([1, 2, 6]);
    expect(t.seekTime(3)).toBeCloseTo(0.1, 6);
  });

  it('reads a variable frame rate as the file has it', async () => {
    const t = await readFrameTimeline(new Blob([new Uint8Array(webmFromVp8(frames(4), 320, 240, [0, 33, 200, 233]))]));
    if (!(t instanceof FrameTimeline)) throw new Error(t.reason);
    expect(t.count).toBe(4);
    expect([0.03, 0.034, 0.199, 0.2, 0.3].map((s) => t.frameAt(s))).toEqual([1, 2, 2, 3, 4]);
    expect(t.seekTime(2)).toBeCloseTo((0.033 + 0.2) / 2, 6);
  });

  it('says why a file has no timeline', async () => {
    expect(await readFrameTimeline(new Blob(['no video here']))).toEqual({ reason: 'the container is not one the demuxer reads' });
    const webm = new Blob([new Uint8Array(webmFromVp8(frames(3), 800, 600, 100))]);
    expect(await readFrameTimeline(webm.slice(0, 160))).toEqual({ reason: 'the file has no video track' });
  });
});
