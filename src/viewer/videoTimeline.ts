/**
 * A video file's frame timeline read from its container (packet timestamps only: nothing is
 * decoded and no frame data is loaded), for frame-exact navigation in the viewer.
 */
import { EncodedPacketSink } from 'mediabunny';
import { FrameTimeline } from './frameTimeline';
import { demuxFailure, openVideoTrack } from './videoContainer';

/** The timeline of `file`'s video track, or why it cannot be read (the viewer then steps by playing). */
export async function readFrameTimeline(file: Blob): Promise<FrameTimeline | { reason: string }> {
  const opened = await openVideoTrack(file);
  if ('reason' in opened) return opened;
  const { input, track } = opened;
  try {
    const frames: { timestamp: number; duration: number }[] = [];
    for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
      frames.push({ timestamp: packet.timestamp, duration: packet.duration });
    }
    return FrameTimeline.fromFrames(frames) ?? { reason: 'the video track has no frames' };
  } catch (e) {
    return { reason: demuxFailure(e) };
  } finally {
    input.dispose();
  }
}
