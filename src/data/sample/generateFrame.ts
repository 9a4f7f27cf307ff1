/**
 * The built-in sample dataset's frames: procedural street scenes in the style of the CARLA 0.8
 * camera used by the Lyft Perception Challenge, with exact labels (class id in red, CARLA ids).
 * Pure TypeScript: runs in Node, a Web Worker or the page. Deterministic: the same index and seed
 * give the same bytes.
 */
import { sampleHoodMask } from './hood';
import { mixSeed } from './random';
import { renderScene } from './render';
import { buildScene, frameScene } from './scene';

export const SAMPLE_FRAME_WIDTH = 800;
export const SAMPLE_FRAME_HEIGHT = 600;

export interface SampleFrameOptions {
  seed: number;
  width?: number;
  height?: number;
}

export interface SampleFrame {
  /** width * height * 3, RGB. */
  rgb: Uint8Array;
  /** width * height * 3: class id in red (CARLA ids 0..12), green = blue = 0. */
  label: Uint8Array;
  width: number;
  height: number;
}

function checkSize(width: number, height: number): void {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 8192) throw new RangeError(`sample frame ${name} must be a whole number in [16, 8192], got ${v}`);
  }
}

/**
 * Frame `index` of the sample dataset with this seed. Frames come in groups of 8 whose first 1-4
 * frames are consecutive steps of one short drive (near duplicates); the others are unrelated scenes.
 */
export function generateSampleFrame(index: number, options: SampleFrameOptions): SampleFrame {
  const width = options.width ?? SAMPLE_FRAME_WIDTH;
  const height = options.height ?? SAMPLE_FRAME_HEIGHT;
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`sample frame index must be a whole number >= 0, got ${index}`);
  if (!Number.isFinite(options.seed)) throw new RangeError(`sample seed must be a number, got ${options.seed}`);
  checkSize(width, height);
  const seed = Math.floor(options.seed) | 0;
  const { sceneId, step } = frameScene(index, seed);
  const scene = buildScene(seed, sceneId);
  const { rgb, label } = renderScene(scene, step, width, height, sampleHoodMask(width, height), mixSeed(seed, index, 0x401e));
  return { rgb, label, width, height };
}

/** Which drive a frame belongs to (frames with the same `sceneId` are steps of one drive). */
export function sampleFrameDrive(index: number, seed: number): { sceneId: number; step: number } {
  const { sceneId, step } = frameScene(index, Math.floor(seed) | 0);
  return { sceneId, step };
}

export { sampleHoodMask } from './hood';
