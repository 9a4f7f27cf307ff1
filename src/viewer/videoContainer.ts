/**
 * A video file's container opened by mediabunny (MP4/MOV, WebM/Matroska, Ogg, ...) with its video
 * track, or why it cannot be: shared by frame-by-frame decoding and the frame timeline, so both
 * refuse a file for the same reasons, in the same words.
 */
import { ALL_FORMATS, BlobSource, Input, type InputVideoTrack } from 'mediabunny';
import { errorMessage } from '../util/errorMessage';

export interface OpenedVideoTrack {
  /** Dispose of it when done with the track. */
  input: Input;
  track: InputVideoTrack;
}

/** Disposes of `input` and gives `reason`. */
export function givenUp(input: Input, reason: string): { reason: string } {
  input.dispose();
  return { reason };
}

/** The reason for a container that failed while being read. */
export function demuxFailure(e: unknown): string {
  return `the file could not be demuxed (${errorMessage(e)})`;
}

/** Opens `file`'s container and finds its primary video track, or says why not (nothing is left open then). */
export async function openVideoTrack(file: Blob): Promise<OpenedVideoTrack | { reason: string }> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    if (!(await input.canRead())) return givenUp(input, 'the container is not one the demuxer reads');
    const track = await input.getPrimaryVideoTrack();
    if (!track) return givenUp(input, 'the file has no video track');
    return { input, track };
  } catch (e) {
    return givenUp(input, demuxFailure(e));
  }
}
