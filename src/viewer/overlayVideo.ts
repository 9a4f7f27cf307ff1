/**
 * The viewer's overlay of every frame of a video, written as a WebM video (VP9, else VP8) with the
 * source frames' timing: WebCodecs encodes, mediabunny muxes, in memory.
 */
import { BufferTarget, canEncodeVideo, Output, QUALITY_HIGH, VideoSample, VideoSampleSource, WebMOutputFormat, type VideoCodec } from 'mediabunny';

export class OverlayVideoWriter {
  private constructor(
    private readonly output: Output<WebMOutputFormat, BufferTarget>,
    private readonly source: VideoSampleSource,
    readonly codec: VideoCodec,
  ) {}

  /** A writer for `width` x `height` frames; rejects when this browser encodes neither VP9 nor VP8. */
  static async create(width: number, height: number, frameRate: number): Promise<OverlayVideoWriter> {
    let codec: VideoCodec | null = null;
    for (const c of ['vp9', 'vp8'] as const) {
      if (await canEncodeVideo(c, { width, height })) {
        codec = c;
        break;
      }
    }
    if (!codec) throw new Error(`this browser cannot encode a ${width}x${height} video (no VP9 or VP8 encoder in WebCodecs)`);
    const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
    const source = new VideoSampleSource({ codec, bitrate: QUALITY_HIGH });
    output.addVideoTrack(source, { frameRate });
    await output.start();
    return new OverlayVideoWriter(output, source, codec);
  }

  /** Adds a frame (RGBA bytes) shown at `timestamp` for `duration` seconds. */
  async add(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, timestamp: number, duration: number): Promise<void> {
    const sample = new VideoSample(rgba, { format: 'RGBA', codedWidth: width, codedHeight: height, timestamp, duration });
    try {
      await this.source.add(sample);
    } finally {
      sample.close();
    }
  }

  /** The finished WebM file. */
  async finish(): Promise<Blob> {
    await this.output.finalize();
    const buffer = this.output.target.buffer;
    if (!buffer) throw new Error('the video muxer wrote nothing');
    return new Blob([buffer], { type: 'video/webm' });
  }

  /** Drops the video being written. */
  async cancel(): Promise<void> {
    await this.output.cancel();
  }
}
