/** What an end-to-end row's frame is and how it is post-processed and viewed (browser and Node alike). */
import { defaultModelConfig, originalInputSpec, type ModelConfig } from '../../src/model/config';
import type { EncoderName } from '../../src/model/config';
import type { PostprocessSettings } from '../../src/postprocess/settings';
import type { ViewSettings } from '../../src/state/viewerStore';
import { emptyTimings, STAGES, type StageTimings } from '../../src/viewer/timings';
import { median } from './measure';

/** Every post-processing stage on: thresholds, a 3x3 closing of both classes, the hood removed. */
export const END_TO_END_SETTINGS: PostprocessSettings = {
  car: { threshold: 0.5, morphology: { op: 'close', size: 3, shape: 'square', iterations: 1 } },
  road: { threshold: 0.5, morphology: { op: 'close', size: 3, shape: 'square', iterations: 1 } },
  hood: true,
};
/** The viewer's default view: both masks over the frame at half opacity. */
export const END_TO_END_VIEW: ViewSettings = { mode: 'masks', opacity: 0.5, showCar: true, showRoad: true, focus: 'car' };
/** Sample frame 0 of this seed, at the bench size. */
export const FRAME_SEED = 7;

/**
 * The model config of a frame job: the frame is the bench size and the crop the whole frame, so
 * the network input is the frame (no resize) and the network part equals the inference rows.
 */
export function frameJobConfig(encoder: EncoderName, height: number, width: number): ModelConfig {
  return defaultModelConfig({
    encoder,
    input: { ...originalInputSpec(), frameWidth: width, frameHeight: height, cropTop: 0, cropBottom: height, inputHeight: height, inputWidth: width },
  });
}

/** Median of each stage over the timed frames. */
export function stageMedians(frames: readonly StageTimings[]): StageTimings {
  const out = emptyTimings();
  for (const s of STAGES) out[s] = frames.length ? median(frames.map((f) => f[s])) : 0;
  return out;
}
