/**
 * The video decoding worker and its client together in Node: the client's `new Worker` gets an
 * in-process double (test/support/inProcessWorker.ts) running the real worker module. WebCodecs is a stand-in that only says what it supports,
 * so frames are not decoded here (they are in Chromium: e2e/viewer.spec.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isDecodedVideo } from '../../src/viewer/decodedVideo';
import { openDecodedVideoInWorker } from '../../src/worker/videoDecodeClient';
import type { VideoDecodeReply, VideoDecodeRequest } from '../../src/worker/videoDecodeProtocol';
import { useInProcessWorker } from '../support/inProcessWorker';
import { removeVideoDecoder, standInVideoDecoder, webmFromVp8 } from '../support/webm';

const webm = new Blob([new Uint8Array(webmFromVp8([Buffer.alloc(64, 1), Buffer.alloc(64, 2)], 640, 480, 40))], { type: 'video/webm' });

/** The workers of a test: what they received and sent, and how many were terminated. */
const { log } = useInProcessWorker<VideoDecodeRequest, VideoDecodeReply>(() => import('../../src/worker/videoDecodeWorker'));

afterEach(removeVideoDecoder);

describe('video decoding worker', () => {
  it('opens a video in the worker: size, codec and frame count come back; closing ends the worker', async () => {
    standInVideoDecoder(['vp8']);
    const video = await openDecodedVideoInWorker(webm);
    if (!isDecodedVideo(video)) throw new Error(video.reason);
    expect([video.width, video.height, video.codec, video.frameCount]).toEqual([640, 480, 'vp8', 2]);
    expect(log.requests.map((r) => r.type)).toEqual(['open']);
    expect(log.replies).toEqual([{ type: 'opened', width: 640, height: 480, codec: 'vp8', frameCount: 2 }]);
    video.close();
    expect(log.terminated).toBe(1);
    // A closed video's frames are not asked for.
    await expect(video.frames().next()).rejects.toThrow('the video was closed');
    expect(log.requests.map((r) => r.type)).toEqual(['open']);
  });

  it('a video the worker cannot decode comes back as a reason, and its worker is ended', async () => {
    standInVideoDecoder([]);
    expect(await openDecodedVideoInWorker(webm)).toEqual({ reason: 'this browser cannot decode vp8 with WebCodecs' });
    expect(log.terminated).toBe(1);
  });

  it("a frame the worker fails to decode rejects the page's loop with the worker's message", async () => {
    // The stand-in cannot be constructed as a decoder: the worker's decoding fails.
    standInVideoDecoder(['vp8']);
    const video = await openDecodedVideoInWorker(webm);
    if (!isDecodedVideo(video)) throw new Error(video.reason);
    const failure = await video.frames().next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(log.replies.at(-1)).toEqual({ type: 'failed', error: (failure as Error).message });
    video.close();
  });
});
