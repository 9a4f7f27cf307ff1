/**
 * End-to-end rows: what the live viewer does per frame, with the viewer's own code. A frame file
 * (PNG of a sample-dataset frame at the bench size) is decoded (`decodeImageFile`), run through
 * the network and kept on the backend (`ViewerEngine.infer`), post-processed on the backend with
 * thresholds, a 3x3 closing and the hood, composed into the overlay and counted on the backend
 * (`ViewerEngine.render`) and drawn to a canvas (`ViewerEngine.draw`), as `ViewerController` does
 * for a new frame. The stages are the viewer's own (`src/viewer/timings.ts`). Browser only.
 *
 * Each timed frame also runs the post-processing and drawing the way the viewer did before the
 * overlay moved to the backend (masks read back, pixels counted and the overlay composed in
 * JavaScript, putImageData), alternating which goes first: the before/after pair of that change.
 */
import * as tf from '@tensorflow/tfjs';
import { generateSampleFrame, sampleHoodMask } from '../../src/data/sample';
import { encodeRgbPng } from '../../src/io/png';
import type { ModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { challengeChannels } from '../../src/inference/frameMasks';
import { probabilitiesToMasks, splitMaskValues } from '../../src/postprocess/masks';
import { drawPath, putRgba } from '../../src/viewer/canvasDraw';
import { composeMethod } from '../../src/viewer/composePacked';
import { decodeImageFile, type DecodedFrame } from '../../src/viewer/decodeFrame';
import { ViewerEngine } from '../../src/viewer/engine';
import { composeMasks } from '../../src/viewer/overlay';
import { emptyTimings, type StageTimings } from '../../src/viewer/timings';
import { END_TO_END_SETTINGS, END_TO_END_VIEW, FRAME_SEED, frameJobConfig, stageMedians } from '../core/frameJob';
import { emptyRow, median, MODEL_SEED, timeRuns } from '../core/measure';
import type { BenchJob, BenchRow } from '../core/types';

/** Waits for the backend's queued work (a one-value read): the GPU draw is asynchronous. */
async function fence(): Promise<void> {
  const t = tf.zeros([1]);
  await t.data();
  t.dispose();
}

/**
 * The viewer's post-processing and drawing before the overlay moved to the backend: the masks
 * read back, split, counted and composed in JavaScript, then putImageData. Returns its ms.
 */
async function jsOverlayPath(probs: tf.Tensor3D, config: ModelConfig, hood: tf.Tensor2D, pixels: DecodedFrame, canvas: HTMLCanvasElement): Promise<number> {
  const t0 = performance.now();
  const spec = config.input;
  const placement = { frameWidth: spec.frameWidth, frameHeight: spec.frameHeight, cropTop: spec.cropTop, cropBottom: spec.cropBottom };
  const masks = tf.tidy(() => probabilitiesToMasks(probs, challengeChannels(config.classes), placement, END_TO_END_SETTINGS, hood));
  const values = await masks.data();
  masks.dispose();
  const { car, road } = splitMaskValues(values, pixels.width * pixels.height);
  let counted = 0;
  for (let i = 0; i < car.length; i++) counted += car[i]! + road[i]!;
  if (counted < 0) throw new Error('unreachable');
  putRgba(canvas, composeMasks(pixels.data, { car, road }, END_TO_END_VIEW.opacity), pixels.width, pixels.height);
  return performance.now() - t0;
}

export async function runEndToEndJob(job: BenchJob, threads: number | null): Promise<BenchRow> {
  const backend = tf.getBackend();
  const row = emptyRow(job, 'browser', backend, `tfjs ${backend} (viewer end to end)`);
  row.threads = threads;
  row.tensorsBefore = tf.memory().numTensors;
  const { height, width } = job;
  // The frame is the bench size and the crop the whole frame, so the network input is the frame
  // (no resize) and the network part equals the predict row of the same size.
  const config = frameJobConfig(job.encoder, height, width);
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  const engine = new ViewerEngine();
  let model: LinkNetModel | null = null;
  let hoodTensor: tf.Tensor2D | null = null;
  try {
    const setupStart = performance.now();
    const sample = generateSampleFrame(0, { seed: FRAME_SEED, width, height });
    const png = encodeRgbPng(sample.rgb, width, height);
    const file = new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' });
    const hood = { mask: sampleHoodMask(width, height), width, height };
    hoodTensor = tf.tensor2d(Float32Array.from(hood.mask), [height, width]);
    const jsHood = hoodTensor;
    model = LinkNetModel.create(config, MODEL_SEED);
    row.setupMs = performance.now() - setupStart;
    const net = model;
    const frames: StageTimings[] = [];
    const name = `sample-${width}x${height}.png`;
    const path = drawPath();
    // The path the frames really took (the GPU path falls back to a readback when the canvas cannot take it).
    let drawnBy = path;
    const paired = { jsMs: [] as number[], backendMs: [] as number[] };
    // The before path is not part of the viewer's frame: its time is taken out of the frame's.
    const jsPerCall: number[] = [];
    const frame = async () => {
      const t = emptyTimings();
      const t0 = performance.now();
      const pixels = await decodeImageFile(file, name);
      t.decode = performance.now() - t0;
      const inferred = await engine.infer(net, pixels, name);
      t.upload = inferred.upload;
      t.network = inferred.network;
      const backendPath = async () => {
        const rendered = await engine.render(END_TO_END_SETTINGS, hood, END_TO_END_VIEW, null);
        t.postprocess = rendered.ms;
        const t1 = performance.now();
        drawnBy = (await engine.draw(canvas, path)).path;
        if (drawnBy === 'gpu') await fence();
        t.draw = performance.now() - t1;
        return t.postprocess + t.draw;
      };
      const probs = engine.probabilities!;
      const jsPath = () => jsOverlayPath(probs, config, jsHood, pixels, canvas);
      // Alternate the order, so neither always runs first after the network.
      let jsMs: number;
      if (frames.length % 2 === 0) {
        paired.backendMs.push(await backendPath());
        jsMs = await jsPath();
      } else {
        jsMs = await jsPath();
        paired.backendMs.push(await backendPath());
      }
      paired.jsMs.push(jsMs);
      jsPerCall.push(jsMs);
      frames.push(t);
    };
    await timeRuns(row, frame);
    row.warmupMs! -= jsPerCall[0]!;
    row.runsMs = row.runsMs.map((ms, i) => ms - jsPerCall[i + 1]!);
    row.medianMs = median(row.runsMs);
    row.imagesPerSecond = 1000 / row.medianMs;
    row.stagesMs = stageMedians(frames.slice(1));
    const js = paired.jsMs.slice(1);
    const backendMs = paired.backendMs.slice(1);
    row.overlayPaired = { jsMs: js, backendMs, gain: median(js) / median(backendMs), composeMethod: composeMethod(), drawPath: drawnBy };
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
    hoodTensor?.dispose();
    canvas.remove();
  }
  row.tensorsAfter = tf.memory().numTensors;
  return row;
}
