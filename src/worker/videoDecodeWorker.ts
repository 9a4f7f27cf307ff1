/**
 * Decodes one video off the page (src/viewer/decodedVideo.ts: mediabunny's demuxer, WebCodecs,
 * each frame drawn and read as RGBA here, not on the page's thread). After handing out a frame it
 * decodes and reads the next one at once, so it is ready when the page asks.
 */
/// <reference lib="webworker" />
import { pulledAhead } from '../util/loadedAhead';
import { isDecodedVideo, openDecodedVideo, type DecodedVideoFrame } from '../viewer/decodedVideo';
import type { VideoDecodeReply, VideoDecodeRequest } from './videoDecodeProtocol';
import { errorMessage } from '../util/errorMessage';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let frames: AsyncGenerator<DecodedVideoFrame, void, undefined> | null = null;
// Requests are answered one at a time, in order.
let queue: Promise<void> = Promise.resolve();

function reply(message: VideoDecodeReply, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

async function handle(request: VideoDecodeRequest): Promise<void> {
  if (request.type === 'open') {
    const video = await openDecodedVideo(request.file, request.size);
    if (!isDecodedVideo(video)) return reply({ type: 'undecodable', reason: video.reason });
    frames = pulledAhead(video.frames());
    const { width, height, codec, frameCount } = video;
    return reply({ type: 'opened', width, height, codec, frameCount });
  }
  if (!frames) throw new Error('no video is open');
  const next = await frames.next();
  if (next.done) return reply({ type: 'end' });
  reply({ type: 'frame', frame: next.value }, [next.value.data.buffer]);
}

scope.onmessage = (e: MessageEvent<VideoDecodeRequest>) => {
  queue = queue.then(() => handle(e.data)).catch((error: unknown) => reply({ type: 'failed', error: errorMessage(error) }));
};
