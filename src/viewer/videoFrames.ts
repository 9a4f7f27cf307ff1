/**
 * Videos in the viewer: opening one (with a clear message when it cannot be decoded), live play
 * with requestVideoFrameCallback that drops frames rather than lagging (and counts them), stepping
 * one frame, and a pass over every frame for export (pausing on each until it is processed).
 */

type FrameCallback = (now: number, metadata: VideoFrameCallbackMetadata) => void;

/** Playback rate while exporting every frame (between frames the video plays at this rate). */
export const EXPORT_PLAYBACK_RATE = 0.25;

/** Opens a video file in a detached <video> element; rejects with a message naming the file. */
export function openVideo(file: Blob, name: string): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  const url = URL.createObjectURL(file);
  video.src = url;
  return new Promise((resolve, reject) => {
    const fail = () => {
      URL.revokeObjectURL(url);
      const code = video.error?.code;
      reject(new Error(`${name}: this video cannot be decoded${code ? ` (media error ${code}${video.error?.message ? `: ${video.error.message}` : ''})` : ''}`));
    };
    video.addEventListener('error', fail, { once: true });
    video.addEventListener(
      'loadeddata',
      () => {
        video.removeEventListener('error', fail);
        if (video.videoWidth === 0 || video.videoHeight === 0) fail();
        else resolve(video);
      },
      { once: true },
    );
  });
}

export function closeVideo(video: HTMLVideoElement): void {
  video.pause();
  const src = video.src;
  video.removeAttribute('src');
  video.load();
  if (src.startsWith('blob:')) URL.revokeObjectURL(src);
}

/**
 * Counts the frames of a playing video that were not processed: those that came while the previous
 * one was still being processed, and those never presented at all (gaps in the position).
 */
export class DropCounter {
  dropped = 0;
  private lastPosition: number | null = null;

  /**
   * Call on every presented frame with its position (one more per frame of the video: its frame
   * number where the timeline is known, else the count of presented frames); `busy` when the
   * previous one is still being processed. Returns whether to process it.
   */
  onPresented(position: number, busy: boolean): boolean {
    if (this.lastPosition !== null && position > this.lastPosition + 1) this.dropped += position - this.lastPosition - 1;
    this.lastPosition = position;
    if (busy) {
      this.dropped++;
      return false;
    }
    return true;
  }

  reset(): void {
    this.dropped = 0;
    this.lastPosition = null;
  }
}

/**
 * Plays a video and calls `process` on presented frames with their position (`positionOf`: the
 * presented-frames count unless given), skipping (and counting) the ones that arrive while the
 * previous frame is still being processed. At the end, calls `onEnd` once the frame in hand is
 * processed. Returns a stop function.
 */
export function playLive(
  video: HTMLVideoElement,
  process: (metadata: VideoFrameCallbackMetadata, position: number) => Promise<void>,
  drops: DropCounter,
  onEnd: () => void,
  positionOf: (metadata: VideoFrameCallbackMetadata) => number = (m) => m.presentedFrames,
): () => void {
  let stopped = false;
  let inHand: Promise<void> | null = null;
  let handle = 0;
  const onFrame: FrameCallback = (_now, metadata) => {
    if (stopped) return;
    handle = video.requestVideoFrameCallback(onFrame);
    const position = positionOf(metadata);
    if (!drops.onPresented(position, inHand !== null)) return;
    inHand = process(metadata, position)
      .catch(() => undefined)
      .finally(() => {
        inHand = null;
      });
  };
  const ended = () => {
    stopped = true;
    void (inHand ?? Promise.resolve()).then(onEnd);
  };
  video.addEventListener('ended', ended, { once: true });
  handle = video.requestVideoFrameCallback(onFrame);
  void video.play().catch(() => ended());
  return () => {
    stopped = true;
    video.cancelVideoFrameCallback(handle);
    video.removeEventListener('ended', ended);
    video.pause();
  };
}

/** Shows the next frame of a paused video (plays until one frame is presented, then pauses). */
export function stepForward(video: HTMLVideoElement): Promise<boolean> {
  if (video.ended) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (presented: boolean) => {
      video.removeEventListener('ended', onEnded);
      resolve(presented);
    };
    const onEnded = () => done(false);
    video.addEventListener('ended', onEnded, { once: true });
    video.requestVideoFrameCallback(() => {
      video.pause();
      done(true);
    });
    void video.play().catch(() => done(false));
  });
}

/** Pauses and seeks to `time` (seconds); resolves when the frame there can be drawn. */
export function seekTo(video: HTMLVideoElement, time: number): Promise<void> {
  video.pause();
  return new Promise((resolve) => {
    video.addEventListener('seeked', () => resolve(), { once: true });
    video.currentTime = time;
  });
}

/** Seeks back by about one frame (`frameSeconds` from the measured frame rate), where no frame timeline is known. */
export function stepBack(video: HTMLVideoElement, frameSeconds: number): Promise<void> {
  return seekTo(video, Math.max(0, video.currentTime - frameSeconds));
}

/**
 * Visits every frame from the start: processes the first frame (on show after seeking to 0), then
 * plays, pauses as each further frame is presented, awaits `process` (frame numbers from 1),
 * resumes. Gaps in the presented-frame counter are counted as `missed`.
 */
export async function everyFrame(
  video: HTMLVideoElement,
  process: (frame: number) => Promise<void>,
  shouldStop: () => boolean,
): Promise<{ frames: number; missed: number }> {
  video.pause();
  if (video.currentTime !== 0) await seekTo(video, 0);
  // The first frame is on show already (a paused video at 0 presents it without a callback).
  await process(1);
  let frames = 1;
  let missed = 0;
  let last: number | null = null;
  let failure: unknown = null;
  if (shouldStop()) return { frames, missed };
  // Slowed down so a frame's callback comes before the next frame is due, even on a busy page.
  const rate = video.playbackRate;
  video.playbackRate = EXPORT_PLAYBACK_RATE;
  try {
    await new Promise<void>((resolve) => {
      let done = false;
      let pending = 0;
      let busy = false;
      const finish = () => {
        if (done) return;
        done = true;
        video.removeEventListener('ended', onEnded);
        video.cancelVideoFrameCallback(pending);
        resolve();
      };
      // The last frame's callback can come just after 'ended': give it a moment.
      const onEnded = () => setTimeout(() => !busy && finish(), 400);
      const onFrame: FrameCallback = (_now, metadata) => {
        if (done) return;
        video.pause();
        busy = true;
        if (last !== null && metadata.presentedFrames > last + 1) missed += metadata.presentedFrames - last - 1;
        last = metadata.presentedFrames;
        frames++;
        process(frames)
          .then(() => {
            busy = false;
            if (shouldStop() || video.ended || video.currentTime >= video.duration) return finish();
            pending = video.requestVideoFrameCallback(onFrame);
            video.play().catch(finish);
          })
          .catch((e: unknown) => {
            failure = e;
            finish();
          });
      };
      video.addEventListener('ended', onEnded);
      pending = video.requestVideoFrameCallback(onFrame);
      video.play().catch(finish);
    });
  } finally {
    video.playbackRate = rate;
  }
  if (failure) throw failure;
  return { frames, missed };
}
