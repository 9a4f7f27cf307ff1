/** Messages between the page and a video decoding worker (one worker per video being read). */
import type { FrameSize } from '../viewer/decodeFrame';
import type { DecodedVideoFrame } from '../viewer/decodedVideo';

export type VideoDecodeRequest =
  /** Open the file, its frames to be drawn at `size` (null: the video's own); answered by 'opened' or 'undecodable'. */
  | { type: 'open'; file: Blob; size: FrameSize | null }
  /** The next frame; answered by 'frame' (its pixel buffer transferred) or 'end'. */
  | { type: 'next' };

export type VideoDecodeReply =
  | { type: 'opened'; width: number; height: number; codec: string; frameCount: number }
  | { type: 'undecodable'; reason: string }
  | { type: 'frame'; frame: DecodedVideoFrame }
  | { type: 'end' }
  | { type: 'failed'; error: string };
