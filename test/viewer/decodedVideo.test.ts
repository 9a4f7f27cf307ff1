/**
 * Opening a video for frame-by-frame decoding, in Node: the container is read by the real demuxer;
 * WebCodecs is a stand-in (Node has none) that says which configurations it decodes. Decoding
 * itself, and the worker, are tested in Chromium (e2e/viewer.spec.ts).
 */
import { Buffer } from 'node:buffer';
import { afterEach, describe, expect, it } from 'vitest';
import { isDecodedVideo, openDecodedVideo } from '../../src/viewer/decodedVideo';
import { openDecodedVideoInWorker } from '../../src/worker/videoDecodeClient';
import { removeVideoDecoder, standInVideoDecoder, webmFromVp8 } from '../support/webm';

/** Three "VP8 frames" of 800x600 in WebM (the bytes of a frame matter only to a real decoder). */
const webm = new Blob([new Uint8Array(webmFromVp8([Buffer.alloc(64, 1), Buffer.alloc(64, 2), Buffer.alloc(64, 3)], 800, 600, 100))], { type: 'video/webm' });

afterEach(removeVideoDecoder);

describe('openDecodedVideo', () => {
  it('reads the size, codec and frame count of a WebM the browser can decode', async () => {
    standInVideoDecoder(['vp8']);
    const video = await openDecodedVideo(webm);
    if (!isDecodedVideo(video)) throw new Error(video.reason);
    expect({ width: video.width, height: video.height, codec: video.codec, frameCount: video.frameCount }).toEqual({ width: 800, height: 600, codec: 'vp8', frameCount: 3 });
    video.close();
  });

  it('says why a video cannot be decoded frame by frame, instead of failing', async () => {
    expect(await openDecodedVideo(webm)).toEqual({ reason: 'this browser has no WebCodecs VideoDecoder' });
    standInVideoDecoder(['avc1.42001f']);
    expect(await openDecodedVideo(webm)).toEqual({ reason: 'this browser cannot decode vp8 with WebCodecs' });
    expect(await openDecodedVideo(new Blob(['not a video at all, just some text']))).toEqual({ reason: 'the container is not one the demuxer reads' });
    // A WebM cut short before its tracks.
    expect(await openDecodedVideo(webm.slice(0, 160))).toEqual({ reason: 'the file has no video track' });
  });

  it('decodes in the page where there are no workers (Node)', async () => {
    standInVideoDecoder(['vp8']);
    const video = await openDecodedVideoInWorker(webm);
    expect(isDecodedVideo(video) && video.frameCount).toBe(3);
    if (isDecodedVideo(video)) video.close();
  });
});
