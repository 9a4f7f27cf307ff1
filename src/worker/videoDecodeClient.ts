/**
 * The page's side of a video decoding worker: the same `DecodedVideo` as decoding in the page
 * (src/viewer/decodedVideo.ts), with the demuxing, decoding and reading of each frame on another
 * thread, the next frame made while the page runs the current one. Closing the video ends its
 * worker. Where workers cannot be made, the video is decoded in the page.
 */
import type { FrameSize } from '../viewer/decodeFrame';
import { openDecodedVideo, type DecodedVideo, type DecodedVideoFrame, type UndecodableVideo } from '../viewer/decodedVideo';
import type { VideoDecodeReply, VideoDecodeRequest } from './videoDecodeProtocol';

/** Sends requests to one worker and hands out its replies in order. */
class VideoDecodeChannel {
  private readonly waiting: { resolve(r: VideoDecodeReply): void; reject(e: Error): void }[] = [];
  private stopped: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<VideoDecodeReply>) => this.waiting.shift()?.resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.stop(new Error(`the video decoding worker stopped: ${e.message || 'unknown error'}`));
    };
  }

  ask(request: VideoDecodeRequest): Promise<VideoDecodeReply> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(request);
    });
  }

  stop(reason = new Error('the video was closed')): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.worker.terminate();
    for (const w of this.waiting.splice(0)) w.reject(reason);
  }
}

function unexpected(reply: VideoDecodeReply): Error {
  return new Error(reply.type === 'failed' ? reply.error : `the video decoding worker answered '${reply.type}' out of turn`);
}

async function* framesFrom(channel: VideoDecodeChannel): AsyncGenerator<DecodedVideoFrame, void, undefined> {
  for (;;) {
    const reply = await channel.ask({ type: 'next' });
    if (reply.type === 'end') return;
    if (reply.type !== 'frame') throw unexpected(reply);
    yield reply.frame;
  }
}

/** Opens `file` for frame-by-frame decoding (frames at `size` where given) in a worker of its own (in the page where there are no workers). */
export async function openDecodedVideoInWorker(file: Blob, size: FrameSize | null = null): Promise<DecodedVideo | UndecodableVideo> {
  if (typeof Worker === 'undefined') return openDecodedVideo(file, size);
  const channel = new VideoDecodeChannel(new Worker(new URL('./videoDecodeWorker.ts', import.meta.url), { type: 'module', name: 'video decoding' }));
  try {
    const reply = await channel.ask({ type: 'open', file, size });
    if (reply.type === 'undecodable') {
      channel.stop();
      return { reason: reply.reason };
    }
    if (reply.type !== 'opened') throw unexpected(reply);
    const { width, height, codec, frameCount } = reply;
    return { width, height, codec, frameCount, frames: () => framesFrom(channel), close: () => channel.stop() };
  } catch (e) {
    channel.stop();
    throw e;
  }
}
