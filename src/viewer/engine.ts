/**
 * The viewer's tensors: runs the network on one frame and keeps the crop-sized probabilities on
 * the backend (a kept tensor), so post-processing settings can change and the masks be rendered
 * again without running the network. One readback per render (the masks, plus a heat channel
 * when asked); the network's time is measured with a one-value fence read.
 */
import * as tf from '@tensorflow/tfjs';
import type { HoodMask } from '../data/hoodFile';
import { frameProblem, framesToInput, type FramePixels } from '../inference/frameInput';
import { challengeChannels, probabilitiesAtCropSize } from '../inference/frameMasks';
import type { LinkNetModel } from '../model/linkNetModel';
import { probabilitiesToMasks, splitMaskValues, type CpuMasks } from '../postprocess/masks';
import type { ChallengeClass, PostprocessSettings } from '../postprocess/settings';

export interface InferenceTimings {
  upload: number;
  network: number;
  /** The lowest and highest probability of each class over the crop (from the fence read). */
  ranges: ProbabilityRanges;
}

export interface ProbabilityRanges {
  car: [number, number];
  road: [number, number];
}

export interface RenderResult extends CpuMasks {
  width: number;
  height: number;
  /** The heat class's probability per frame pixel (0 outside the crop), when asked. */
  heat: Float32Array | null;
  /** Post-processing time, readback included (ms). */
  ms: number;
}

export class FrameProblemError extends Error {}

export class ViewerEngine {
  private probs: tf.Tensor3D | null = null;
  private model: LinkNetModel | null = null;
  private hood: { source: HoodMask; tensor: tf.Tensor2D } | null = null;
  /** Network runs so far (a settings change must not add one). */
  runs = 0;

  /** True when a frame's probabilities are kept. */
  get hasProbabilities(): boolean {
    return this.probs !== null;
  }

  /** Runs the network on a frame; keeps its probabilities (replacing the previous frame's). */
  async infer(model: LinkNetModel, frame: FramePixels, name: string): Promise<InferenceTimings> {
    const spec = model.config.input;
    const problem = frameProblem(frame, spec);
    if (problem) throw new FrameProblemError(`${name}: ${problem}`);
    challengeChannels(model.config.classes);
    const t0 = performance.now();
    const input = framesToInput([frame], spec);
    const t1 = performance.now();
    let probs: tf.Tensor3D;
    try {
      probs = tf.tidy(() => {
        const p = model.predict(input);
        return tf.squeeze(probabilitiesAtCropSize(p, spec), [0]) as tf.Tensor3D;
      });
    } finally {
      input.dispose();
    }
    // A four-value fence (each class's lowest and highest probability): the network's time,
    // without reading its output back.
    const roles = challengeChannels(model.config.classes);
    const fence = tf.tidy(() => {
      const [rows, width] = probs.shape;
      const channel = (c: number) => tf.slice(probs, [0, 0, c], [rows, width, 1]);
      return tf.stack([tf.min(channel(roles.car)), tf.max(channel(roles.car)), tf.min(channel(roles.road)), tf.max(channel(roles.road))]);
    });
    const range = await fence.data();
    fence.dispose();
    const t2 = performance.now();
    this.probs?.dispose();
    this.probs = probs;
    this.runs++;
    this.model = model;
    return { upload: t1 - t0, network: t2 - t1, ranges: { car: [range[0]!, range[1]!], road: [range[2]!, range[3]!] } };
  }

  private hoodTensor(hood: HoodMask | null, width: number, height: number): tf.Tensor2D | null {
    if (!hood || hood.width !== width || hood.height !== height) return null;
    if (this.hood?.source !== hood) {
      this.hood?.tensor.dispose();
      this.hood = { source: hood, tensor: tf.tensor2d(Float32Array.from(hood.mask), [height, width], 'float32') };
    }
    return this.hood.tensor;
  }

  /** Post-processes the kept probabilities with `settings` and reads the masks back. */
  async render(settings: PostprocessSettings, hood: HoodMask | null, heatClass: ChallengeClass | null): Promise<RenderResult> {
    const probs = this.probs;
    const model = this.model;
    if (!probs || !model) throw new Error('no frame has been run through the model yet');
    const spec = model.config.input;
    const channels = challengeChannels(model.config.classes);
    const placement = { frameWidth: spec.frameWidth, frameHeight: spec.frameHeight, cropTop: spec.cropTop, cropBottom: spec.cropBottom };
    const { frameWidth: w, frameHeight: h } = placement;
    const t0 = performance.now();
    const hoodT = this.hoodTensor(hood, w, h);
    const out = tf.tidy(() => {
      const masks = probabilitiesToMasks(probs, channels, placement, settings, hoodT);
      if (!heatClass) return masks;
      const rows = spec.cropBottom - spec.cropTop;
      const heat = tf.pad(tf.slice(probs, [0, 0, channels[heatClass]], [rows, w, 1]), [
        [spec.cropTop, h - spec.cropBottom],
        [0, 0],
        [0, 0],
      ]);
      return tf.concat([masks, heat], 2);
    });
    const values = (await out.data()) as Float32Array;
    out.dispose();
    const stride = heatClass ? 3 : 2;
    let masks: CpuMasks;
    let heat: Float32Array | null = null;
    if (stride === 2) masks = splitMaskValues(values, w * h);
    else {
      const car = new Uint8Array(w * h);
      const road = new Uint8Array(w * h);
      heat = new Float32Array(w * h);
      for (let i = 0; i < w * h; i++) {
        car[i] = values[3 * i]! > 0.5 ? 1 : 0;
        road[i] = values[3 * i + 1]! > 0.5 ? 1 : 0;
        heat[i] = values[3 * i + 2]!;
      }
      masks = { car, road };
    }
    return { ...masks, width: w, height: h, heat, ms: performance.now() - t0 };
  }

  /** The kept crop-sized probabilities read back (HWC), with their shape (for the threshold search). */
  async readProbabilities(): Promise<{ values: Float32Array; rows: number; width: number; channels: number }> {
    const probs = this.probs;
    if (!probs) throw new Error('no frame has been run through the model yet');
    const [rows, width, channels] = probs.shape;
    return { values: (await probs.data()) as Float32Array, rows, width, channels };
  }

  /** Drops the kept probabilities (e.g. when the model changes). */
  clear(): void {
    this.probs?.dispose();
    this.probs = null;
    this.model = null;
  }

  dispose(): void {
    this.clear();
    this.hood?.tensor.dispose();
    this.hood = null;
  }
}
