/**
 * One frame at a time through a model: pixels -> network input -> probabilities -> the challenge's
 * car and road masks (hood removed), optionally the probabilities themselves. The network runs with
 * BatchNorm folded into the convolutions (FoldedLinkNet, as in the viewer). Every tensor of a frame
 * is disposed before predict() returns; `leakedTensors` counts any that were not.
 *
 * Frames go one by one: batching them gains nothing on the CLI's backends (wasm in Node, resnet34
 * at 320x800: 1380 ms a frame at batch 2, 1411 at batch 4, against 1401 at batch 1).
 */
import * as tf from '@tensorflow/tfjs';
import { FoldedLinkNet } from '../model/foldedLinkNet';
import type { LinkNetModel } from '../model/linkNetModel';
import type { DecodedImage } from '../io/png';
import { framesToInput, frameProblem } from '../inference/frameInput';
import { challengeChannels, cropProbabilitiesToMasks, probabilitiesAtCropSize, type ClassThresholds, type FrameMasks } from '../inference/frameMasks';
import { probabilitiesToMasksCpu } from '../postprocess/masks';
import type { Morphology, PostprocessSettings } from '../postprocess/settings';

/** A morphology per challenge class. */
export interface ClassMorphology {
  car: Morphology;
  road: Morphology;
}

/** A frame that this model cannot take (wrong size, gray image). */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export interface FramePrediction {
  masks: FrameMasks;
  /** With `probs`: the network's output, [C, inputHeight, inputWidth] (C-ordered). */
  probsCHW?: Float32Array;
  /** Seconds spent from pixels to masks (decoding and file writing excluded). */
  seconds: number;
}

export class FramePredictor {
  readonly roles: { road: number; car: number };
  /** Tensors left behind by predict() calls (should stay 0). */
  leakedTensors = 0;

  private constructor(
    readonly model: LinkNetModel,
    private readonly net: FoldedLinkNet,
    readonly thresholds: ClassThresholds,
    readonly hood: Uint8Array | null,
    readonly morphology: ClassMorphology | null,
  ) {
    this.roles = challengeChannels(model.config.classes);
  }

  /**
   * Folds the model's weights (dispose() frees the folded copy). `morphology`: each class's mask
   * after thresholding, before the hood is removed, as in the viewer (null or 'none': as thresholded).
   */
  static async create(model: LinkNetModel, thresholds: ClassThresholds, hood: Uint8Array | null, morphology: ClassMorphology | null = null): Promise<FramePredictor> {
    const spec = model.config.input;
    if (hood && hood.length !== spec.frameWidth * spec.frameHeight) {
      throw new Error(`the hood mask has ${hood.length} pixels but frames have ${spec.frameWidth}x${spec.frameHeight}`);
    }
    const shaping = morphology && (morphology.car.op !== 'none' || morphology.road.op !== 'none') ? morphology : null;
    return new FramePredictor(model, await FoldedLinkNet.fromModel(model), thresholds, hood, shaping);
  }

  dispose(): void {
    this.net.dispose();
  }

  get channels(): number {
    return this.model.config.classes.length;
  }

  /** Runs the whole pipeline once on a black frame so that one-off start-up costs stay out of timings. */
  async warmUp(): Promise<void> {
    const { frameWidth: width, frameHeight: height } = this.model.config.input;
    await this.predict({ width, height, channels: 3, data: new Uint8Array(width * height * 3) });
  }

  private masksOf(cropProbs: Float32Array): FrameMasks {
    const spec = this.model.config.input;
    if (!this.morphology) return cropProbabilitiesToMasks(cropProbs, this.channels, spec, this.roles, this.thresholds, this.hood);
    const settings: PostprocessSettings = {
      car: { threshold: this.thresholds.car, morphology: this.morphology.car },
      road: { threshold: this.thresholds.road, morphology: this.morphology.road },
      hood: true,
    };
    const { car, road } = probabilitiesToMasksCpu(cropProbs, this.channels, this.roles, spec, settings, this.hood);
    return { width: spec.frameWidth, height: spec.frameHeight, car, road };
  }

  async predict(frame: DecodedImage, options: { probs?: boolean } = {}): Promise<FramePrediction> {
    const spec = this.model.config.input;
    const problem = frameProblem(frame, spec);
    if (problem) throw new FrameError(problem);
    const before = tf.memory().numTensors;
    const start = performance.now();
    const probs = tf.tidy(() => this.net.predict(framesToInput([frame], spec)));
    let crop: tf.Tensor4D | null = null;
    let chw: tf.Tensor | null = null;
    try {
      crop = probabilitiesAtCropSize(probs, spec);
      const cropData = (await crop.data()) as Float32Array;
      const masks = this.masksOf(cropData);
      const seconds = (performance.now() - start) / 1000;
      let probsCHW: Float32Array | undefined;
      if (options.probs) {
        chw = tf.tidy(() => tf.transpose(tf.squeeze(probs, [0]), [2, 0, 1]));
        probsCHW = (await chw.data()) as Float32Array;
      }
      return { masks, probsCHW, seconds };
    } finally {
      tf.dispose([probs, ...(crop ? [crop] : []), ...(chw ? [chw] : [])]);
      const after = tf.memory().numTensors;
      if (after > before) this.leakedTensors += after - before;
    }
  }
}
