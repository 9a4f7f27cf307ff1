/**
 * The page's side of a video decoding worker: the same `DecodedVideo` as decoding in the page
 * (src/viewer/decodedVideo.ts), with the demuxing, decoding and reading of each frame on another
 * thread, the next frame made while the page runs the current one. Closing the video ends its
 * worker. Where workers cannot be made, the video is decoded in the page.
 */
import type { FrameSize } from '../viewer/decodeFrame';
import { openDecodedVideo, type DecodedVideo, type DecodedVideoFrame, type UndecodableVideo } from '../viewer/decodedVideo';
import { OrderedWorkerChannel } from './orderedChannel';
import type { VideoDecodeReply, VideoDecodeRequest } from './videoDecodeProtocol';

type VideoDecodeChannel = OrderedWorkerChannel<VideoDecodeRequest, VideoDecodeReply>;

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
  const worker = new Worker(new URL('./videoDecodeWorker.ts', import.meta.url), { type: 'module', name: 'video decoding' });
  const channel: VideoDecodeChannel = new OrderedWorkerChannel(worker, 'video decoding', 'the video was closed');
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
