/**
 * Node end-to-end rows (with --node-backends webgpu): the viewer's per-frame work on the backend,
 * without a page. A frame's pixels (sample frame, in memory: no decode) are uploaded and run through
 * the folded network (`ViewerEngine.infer`), post-processed, composed into the overlay and counted
 * (`ViewerEngine.render`: on WebGPU one compute pass), and the composed image is read back once
 * (`ViewerEngine.readOverlay`) where the page would draw it. In a browser on a hardware adapter the
 * draw is a GPU copy with nothing read back, so this frame is an upper bound of the page's, less
 * the decode. The stage "draw" holds the readback.
 */
import * as tf from '@tensorflow/tfjs';
import { generateSampleFrame, sampleHoodMask } from '../../src/data/sample';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { ViewerEngine } from '../../src/viewer/engine';
import { emptyTimings, type StageTimings } from '../../src/viewer/timings';
import { END_TO_END_SETTINGS, END_TO_END_VIEW, FRAME_SEED, frameJobConfig, stageMedians } from './frameJob';
import { emptyRow, fail, MODEL_SEED, timeRuns } from './measure';
import type { BenchJob, BenchRow } from './types';

export async function runNodeFrameJob(job: BenchJob): Promise<BenchRow> {
  const backend = tf.getBackend();
  const row = emptyRow(job, 'node', backend, `tfjs ${backend} (frame on the backend, image read back)`);
  row.tensorsBefore = tf.memory().numTensors;
  const { height, width } = job;
  const config = frameJobConfig(job.encoder, height, width);
  const engine = new ViewerEngine();
  let model: LinkNetModel | null = null;
  try {
    const setupStart = performance.now();
    const sample = generateSampleFrame(0, { seed: FRAME_SEED, width, height });
    const pixels = { data: sample.rgb, width, height, channels: 3 };
    const hood = { mask: sampleHoodMask(width, height), width, height };
    model = LinkNetModel.create(config, MODEL_SEED);
    row.setupMs = performance.now() - setupStart;
    const net = model;
    const frames: StageTimings[] = [];
    const frame = async () => {
      const t = emptyTimings();
      const inferred = await engine.infer(net, pixels, 'sample');
      t.upload = inferred.upload;
      t.network = inferred.network;
      t.postprocess = (await engine.render(END_TO_END_SETTINGS, hood, END_TO_END_VIEW, null)).ms;
      const t1 = performance.now();
      const image = await engine.readOverlay();
      if (image.rgba.length !== width * height * 4) throw new Error(`read back ${image.rgba.length} bytes for a ${width}x${height} frame`);
      t.draw = performance.now() - t1;
      frames.push(t);
    };
    await timeRuns(row, frame);
    row.stagesMs = stageMedians(frames.slice(1));
    // The engine keeps one frame: a further frame must not add tensors.
    const before = tf.memory().numTensors;
    await frame();
    row.tensorsLeakedPerRun = tf.memory().numTensors - before;
    row.steadyBytes = tf.memory().numBytes;
  } catch (e) {
    fail(row, e);
  } finally {
    engine.dispose();
    model?.dispose();
  }
  row.tensorsAfter = tf.memory().numTensors;
  return row;
}
