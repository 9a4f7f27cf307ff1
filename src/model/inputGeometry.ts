/**
 * The geometric part of a model's input spec (the frame it assumes, the rows it crops, the network
 * input those rows are resized to), compared with another: the model panel checks its settings
 * against the Dataset panel's network input with these. Pure.
 */
import type { InputSpec } from './config';

export type InputGeometry = Pick<InputSpec, 'frameWidth' | 'frameHeight' | 'cropTop' | 'cropBottom' | 'inputHeight' | 'inputWidth'>;

export function geometryOf(spec: InputGeometry): InputGeometry {
  const { frameWidth, frameHeight, cropTop, cropBottom, inputHeight, inputWidth } = spec;
  return { frameWidth, frameHeight, cropTop, cropBottom, inputHeight, inputWidth };
}

/** `spec` with the geometry of `g`; channel order, scale, mean and std stay. */
export function withGeometry(spec: InputSpec, g: InputGeometry): InputSpec {
  return { ...spec, ...geometryOf(g) };
}

/** "96×192 from rows 205–525 of 800×600 frames". */
export function describeGeometry(g: InputGeometry): string {
  return `${g.inputHeight}×${g.inputWidth} from rows ${g.cropTop}–${g.cropBottom} of ${g.frameWidth}×${g.frameHeight} frames`;
}

/** How `model`'s geometry differs from `wanted`'s, one phrase each (empty when they match). */
export function geometryDifferences(model: InputGeometry, wanted: InputGeometry): string[] {
  const out: string[] = [];
  if (model.inputHeight !== wanted.inputHeight || model.inputWidth !== wanted.inputWidth) {
    out.push(`input ${model.inputHeight}×${model.inputWidth} instead of ${wanted.inputHeight}×${wanted.inputWidth}`);
  }
  if (model.cropTop !== wanted.cropTop || model.cropBottom !== wanted.cropBottom) {
    out.push(`rows ${model.cropTop}–${model.cropBottom} instead of ${wanted.cropTop}–${wanted.cropBottom}`);
  }
  if (model.frameWidth !== wanted.frameWidth || model.frameHeight !== wanted.frameHeight) {
    out.push(`${model.frameWidth}×${model.frameHeight} frames instead of ${wanted.frameWidth}×${wanted.frameHeight}`);
  }
  return out;
}
