/**
 * The in-page side of `npm run bench:video` (bench/videoReading.ts): every frame of a video read as
 * RGBA pixels, the two ways the viewer's answer-file export can read them, alternating in pairs:
 * - `worker`: demuxed and decoded with WebCodecs in a worker, each frame read there as RGBA, the
 *   next one made while the page processes the current one (src/worker/videoDecodeClient.ts), as
 *   the export does;
 * - `page`: the same in the page (src/viewer/decodedVideo.ts), each frame read when asked for;
 * - `played`: the <video> element played and paused on each presented frame, each frame drawn
 *   from the element (src/viewer/videoFrames.ts `everyFrame`, decodeFrame.ts `grabVideoFrame`).
 * Each frame is then "processed" by waiting `workMs` (the time a GPU network would take, which
 * leaves the page free), so the rows show what the reading itself allows and what it caps.
 */
import { BufferTarget, CanvasSource, Output, WebMOutputFormat } from 'mediabunny';
import { generateSampleFrame } from '../../src/data/sample';
import { grabVideoFrame } from '../../src/viewer/decodeFrame';
import { isDecodedVideo, openDecodedVideo } from '../../src/viewer/decodedVideo';
import { closeVideo, everyFrame, openVideo } from '../../src/viewer/videoFrames';
import { openDecodedVideoInWorker } from '../../src/worker/videoDecodeClient';

export const READERS = ['worker', 'page', 'played'] as const;
export type Reader = (typeof READERS)[number];

export interface VideoReadingJob {
  frames: number;
  fps: number;
  width: number;
  height: number;
  /** Simulated processing per frame, ms (awaited, not busy). */
  workMs: number[];
  pairs: number;
}

export interface VideoReadingRow {
  reader: Reader;
  workMs: number;
  /** Frames read per run (each run must read them all). */
  frames: number[];
  /** Frames per second of each run, opening the file included. */
  fps: number[];
  /** ms to open the file (a worker started, the container read, a decoder checked), per run. */
  openMs: number[];
  /** Frames per second once open, per run. */
  openFps: number[];
  /** Frames the <video> element skipped, per run. */
  missed: number[];
}

export interface VideoReadingReport {
  codec: string;
  videoBytes: number;
  rows: VideoReadingRow[];
}

/** A VP8 WebM of sample-dataset frames (a new frame every frame), made in the page. */
async function makeVideo(job: VideoReadingJob): Promise<Blob> {
  const canvas = new OffscreenCanvas(job.width, job.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  const target = new BufferTarget();
  const output = new Output({ format: new WebMOutputFormat(), target });
  const source = new CanvasSource(canvas, { codec: 'vp8', bitrate: 4_000_000, keyFrameInterval: 2 });
  output.addVideoTrack(source, { frameRate: job.fps });
  await output.start();
  for (let i = 0; i < job.frames; i++) {
    const { rgb } = generateSampleFrame(i, { seed: 7, width: job.width, height: job.height });
    const rgba = new Uint8ClampedArray(job.width * job.height * 4);
    for (let p = 0; p < job.width * job.height; p++) {
      rgba[p * 4] = rgb[p * 3]!;
      rgba[p * 4 + 1] = rgb[p * 3 + 1]!;
      rgba[p * 4 + 2] = rgb[p * 3 + 2]!;
      rgba[p * 4 + 3] = 255;
    }
    ctx.putImageData(new ImageData(rgba, job.width, job.height), 0, 0);
    await source.add(i / job.fps, 1 / job.fps);
  }
  await output.finalize();
  if (!target.buffer) throw new Error('the muxer wrote nothing');
  return new Blob([target.buffer], { type: 'video/webm' });
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ReadRun {
  frames: number;
  missed: number;
  /** When the file was open (performance.now()). */
  openAt: number;
}

async function readDecoded(file: Blob, workMs: number, inWorker: boolean): Promise<ReadRun> {
  const video = await (inWorker ? openDecodedVideoInWorker(file) : openDecodedVideo(file));
  if (!isDecodedVideo(video)) throw new Error(video.reason);
  const openAt = performance.now();
  let frames = 0;
  try {
    for await (const pixels of video.frames()) {
      if (pixels.data.length !== pixels.width * pixels.height * 4) throw new Error('a frame of the wrong size');
      frames++;
      await wait(workMs);
    }
  } finally {
    video.close();
  }
  return { frames, missed: 0, openAt };
}

async function readPlayed(file: Blob, workMs: number): Promise<ReadRun> {
  const element = await openVideo(file, 'bench.webm');
  const openAt = performance.now();
  try {
    const read = await everyFrame(
      element,
      async () => {
        grabVideoFrame(element);
        await wait(workMs);
      },
      () => false,
    );
    return { ...read, openAt };
  } finally {
    closeVideo(element);
  }
}

export async function compareVideoReading(job: VideoReadingJob): Promise<VideoReadingReport> {
  const file = await makeVideo(job);
  const probe = await openDecodedVideo(file);
  if (!isDecodedVideo(probe)) throw new Error(`the bench video cannot be decoded here: ${probe.reason}`);
  const codec = probe.codec;
  probe.close();
  const rows: VideoReadingRow[] = [];
  const read = (reader: Reader, workMs: number) => (reader === 'played' ? readPlayed(file, workMs) : readDecoded(file, workMs, reader === 'worker'));
  for (const workMs of job.workMs) {
    const byReader = READERS.map((reader): VideoReadingRow => ({ reader, workMs, frames: [], fps: [], openMs: [], openFps: [], missed: [] }));
    // One warm-up of each, then rounds rotating which goes first.
    for (const reader of READERS) await read(reader, workMs);
    for (let round = 0; round < job.pairs; round++) {
      for (let k = 0; k < byReader.length; k++) {
        const row = byReader[(round + k) % byReader.length]!;
        const t0 = performance.now();
        const r = await read(row.reader, workMs);
        const t1 = performance.now();
        row.fps.push((r.frames / (t1 - t0)) * 1000);
        row.openMs.push(r.openAt - t0);
        row.openFps.push((r.frames / (t1 - r.openAt)) * 1000);
        row.frames.push(r.frames);
        row.missed.push(r.missed);
      }
    }
    rows.push(...byReader);
  }
  return { codec, videoBytes: file.size, rows };
}
