/**
 * A video file read frame by frame with WebCodecs, for exporting every frame: the container is
 * demuxed by mediabunny (MP4/MOV, WebM/Matroska, Ogg, ...), the frames decoded by the browser's
 * VideoDecoder in presentation order, each exactly once, as fast as the consumer takes them. The
 * <video> element path (play, pause on each presented frame) is the fallback where this cannot work
 * (no WebCodecs, a container or codec the browser cannot decode): it is capped by its playback rate.
 * Works in a worker as in the page (src/worker/videoDecodeWorker.ts runs it off the page).
 */
import { VideoSampleSink, type InputVideoTrack } from 'mediabunny';
import { pixelContext, resizedFromOf, type DecodedFrame, type FrameSize } from './decodeFrame';
import { demuxFailure, givenUp, openVideoTrack } from './videoContainer';

/** A frame of a video with its presentation time and duration (seconds). */
export interface DecodedVideoFrame extends DecodedFrame {
  timestamp: number;
  duration: number;
}

export interface DecodedVideo {
  /** The video's own (display) size; its frames come at the size asked for where one was. */
  width: number;
  height: number;
  codec: string;
  /** Frames in the file (its packets), known before decoding. */
  frameCount: number;
  /** Every frame in presentation order, as RGBA pixels (each its own buffer). Breaking out of the loop stops the decoder. */
  frames(): AsyncGenerator<DecodedVideoFrame, void, undefined>;
  close(): void;
}

/** Why a file cannot be read frame by frame here (the caller plays it instead). */
export interface UndecodableVideo {
  reason: string;
}

/**
 * Opens `file` for frame-by-frame decoding, its frames drawn at `size` where given (else at the
 * video's own), or says why it cannot be (a reason, not an error: the video may still play in a
 * <video> element). A file that is no video at all is such a reason too.
 */
export async function openDecodedVideo(file: Blob, size: FrameSize | null = null): Promise<DecodedVideo | UndecodableVideo> {
  if (typeof VideoDecoder === 'undefined') return { reason: 'this browser has no WebCodecs VideoDecoder' };
  const opened = await openVideoTrack(file);
  if ('reason' in opened) return opened;
  const { input, track } = opened;
  try {
    const codec = (await track.getCodecParameterString()) ?? (await track.getCodec()) ?? 'unknown codec';
    if (!(await track.canDecode())) return givenUp(input, `this browser cannot decode ${codec} with WebCodecs`);
    const [width, height, stats] = await Promise.all([track.getDisplayWidth(), track.getDisplayHeight(), track.computePacketStats()]);
    return { width, height, codec, frameCount: stats.packetCount, frames: () => decodeFrames(track, { width, height }, size ?? { width, height }), close: () => input.dispose() };
  } catch (e) {
    return givenUp(input, demuxFailure(e));
  }
}

export function isDecodedVideo(v: DecodedVideo | UndecodableVideo): v is DecodedVideo {
  return 'frames' in v;
}

async function* decodeFrames(track: InputVideoTrack, own: FrameSize, { width, height }: FrameSize): AsyncGenerator<DecodedVideoFrame, void, undefined> {
  const ctx = pixelContext(width, height);
  const resized = resizedFromOf({ width, height }, own);
  // 'copy': a frame with transparency replaces the previous one instead of blending over it.
  ctx.globalCompositeOperation = 'copy';
  for await (const sample of new VideoSampleSink(track).samples()) {
    const { timestamp, duration } = sample;
    try {
      // Rotation and pixel aspect applied as a <video> element would show the frame.
      sample.drawWithFit(ctx, { fit: 'fill' });
    } finally {
      sample.close();
    }
    const img = ctx.getImageData(0, 0, width, height);
    yield { data: img.data, width, height, channels: 4, timestamp, duration, ...resized };
  }
}
