/**
 * End-to-end rows: what the live viewer does per frame, with the viewer's own code. A frame file
 * (PNG of a sample-dataset frame at the bench size) is decoded (`decodeImageFile`), run through
 * the network and kept on the backend (`ViewerEngine.infer`), post-processed on the backend with
 * thresholds, a 3x3 closing and the hood, and read back (`ViewerEngine.render`), composed over the
 * frame (`composeMasks`) and drawn to a canvas, as `ViewerController` does for a new frame. The
 * stages are the viewer's own (`src/viewer/timings.ts`). Browser only (canvas, image decoding).
 */
import * as tf from '@tensorflow/tfjs';
import { generateSampleFrame, sampleHoodMask } from '../../src/data/sample';
import { encodeRgbPng } from '../../src/io/png';
import { defaultModelConfig, originalInputSpec } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import type { PostprocessSettings } from '../../src/postprocess/settings';
import { decodeImageFile } from '../../src/viewer/decodeFrame';
import { ViewerEngine } from '../../src/viewer/engine';
import { composeMasks } from '../../src/viewer/overlay';
import { emptyTimings, STAGES, type StageTimings } from '../../src/viewer/timings';
import { emptyRow, median, MODEL_SEED, timeRuns } from '../core/measure';
import type { BenchJob, BenchRow } from '../core/types';

/** Every post-processing stage on: thresholds, a 3x3 closing of both classes, the hood removed. */
export const END_TO_END_SETTINGS: PostprocessSettings = {
  car: { threshold: 0.5, morphology: { op: 'close', size: 3, shape: 'square', iterations: 1 } },
  road: { threshold: 0.5, morphology: { op: 'close', size: 3, shape: 'square', iterations: 1 } },
  hood: true,
};
/** The viewer's default overlay opacity. */
const OPACITY = 0.5;
const FRAME_SEED = 7;

/** Same as ViewerController.draw: the composed RGBA onto a 2D canvas. */
function draw(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number): void {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.getContext('2d')?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
}

/** Median of each stage over the timed frames. */
export function stageMedians(frames: readonly StageTimings[]): StageTimings {
  const out = emptyTimings();
  for (const s of STAGES) out[s] = frames.length ? median(frames.map((f) => f[s])) : 0;
  return out;
}

export async function runEndToEndJob(job: BenchJob, threads: number | null): Promise<BenchRow> {
  const backend = tf.getBackend();
  const row = emptyRow(job, 'browser', backend, `tfjs ${backend} (viewer end to end)`);
  row.threads = threads;
  row.tensorsBefore = tf.memory().numTensors;
  const { height, width } = job;
  // The frame is the bench size and the crop the whole frame, so the network input is the frame
  // (no resize) and the network part equals the predict row of the same size.
  const config = defaultModelConfig({
    encoder: job.encoder,
    input: { ...originalInputSpec(), frameWidth: width, frameHeight: height, cropTop: 0, cropBottom: height, inputHeight: height, inputWidth: width },
  });
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  const engine = new ViewerEngine();
  let model: LinkNetModel | null = null;
  try {
    const setupStart = performance.now();
    const sample = generateSampleFrame(0, { seed: FRAME_SEED, width, height });
    const png = encodeRgbPng(sample.rgb, width, height);
    const file = new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' });
    const hood = { mask: sampleHoodMask(width, height), width, height };
    model = LinkNetModel.create(config, MODEL_SEED);
    row.setupMs = performance.now() - setupStart;
    const net = model;
    const frames: StageTimings[] = [];
    const name = `sample-${width}x${height}.png`;
    const frame = async () => {
      const t = emptyTimings();
      const t0 = performance.now();
      const pixels = await decodeImageFile(file, name);
      t.decode = performance.now() - t0;
      const inferred = await engine.infer(net, pixels, name);
      t.upload = inferred.upload;
      t.network = inferred.network;
      const rendered = await engine.render(END_TO_END_SETTINGS, hood, null);
      t.postprocess = rendered.ms;
      const t1 = performance.now();
      draw(canvas, composeMasks(pixels.data, { car: rendered.car, road: rendered.road }, OPACITY), rendered.width, rendered.height);
      t.draw = performance.now() - t1;
      frames.push(t);
    };
    await timeRuns(row, frame);
    row.stagesMs = stageMedians(frames.slice(1));
    // The engine keeps one frame's probabilities: a further frame must not add tensors.
    const before = tf.memory().numTensors;
    await frame();
    row.tensorsLeakedPerRun = tf.memory().numTensors - before;
    row.steadyBytes = tf.memory().numBytes;
  } catch (e) {
    row.status = 'error';
    row.reason = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
  } finally {
    engine.dispose();
    model?.dispose();
    canvas.remove();
  }
  row.tensorsAfter = tf.memory().numTensors;
  return row;
}
