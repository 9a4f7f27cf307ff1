/**
 * A video file's frame timeline read from its container (packet timestamps only: nothing is
 * decoded and no frame data is loaded), for frame-exact navigation in the viewer.
 */
import { ALL_FORMATS, BlobSource, EncodedPacketSink, Input } from 'mediabunny';
import { FrameTimeline } from './frameTimeline';

/** The timeline of `file`'s video track, or why it cannot be read (the viewer then steps by playing). */
export async function readFrameTimeline(file: Blob): Promise<FrameTimeline | { reason: string }> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    if (!(await input.canRead())) return { reason: 'the container is not one the demuxer reads' };
    const track = await input.getPrimaryVideoTrack();
    if (!track) return { reason: 'the file has no video track' };
    const frames: { timestamp: number; duration: number }[] = [];
    for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
      frames.push({ timestamp: packet.timestamp, duration: packet.duration });
    }
    return FrameTimeline.fromFrames(frames) ?? { reason: 'the video track has no frames' };
  } catch (e) {
    return { reason: `the file could not be demuxed (${e instanceof Error ? e.message : String(e)})` };
  } finally {
    input.dispose();
  }
}
