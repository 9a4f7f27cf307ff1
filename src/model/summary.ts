/** Model summary: parameter count, compute and memory estimates at an input size. */
import type { ModelConfig } from './config';
import { walkShapes } from './shapeWalk';

export interface ModelSummary {
  /** Trainable parameters (BatchNorm running statistics excluded, as PyTorch counts them). */
  parameters: number;
  /** BatchNorm running statistics (buffers). */
  buffers: number;
  /** Giga multiply-accumulates for one image at the given size. */
  gmac: number;
  /** Estimated bytes to train at the batch size: weights, gradients and two Adam moments, plus activations kept for the backward pass and their gradients. */
  trainingMemoryBytes: number;
  /** Estimated bytes for inference at the batch size: weights plus the live activations of the widest stage. */
  inferenceMemoryBytes: number;
  outputHeight: number;
  outputWidth: number;
}

const FLOAT_BYTES = 4;

export function summarizeModel(config: Pick<ModelConfig, 'encoder' | 'classes'>, size: { height: number; width: number }, batch = 1): ModelSummary {
  const walk = walkShapes(config, size.height, size.width);
  let parameters = 0;
  let buffers = 0;
  for (const p of walk.params) {
    const n = p.torchShape.reduce((a, b) => a * b, 1);
    if (p.trainable) parameters += n;
    else buffers += n;
  }
  const weightsBytes = (parameters + buffers) * FLOAT_BYTES;
  return {
    parameters,
    buffers,
    gmac: walk.macs / 1e9,
    trainingMemoryBytes: weightsBytes + parameters * 3 * FLOAT_BYTES + 2 * walk.activationElements * batch * FLOAT_BYTES,
    inferenceMemoryBytes: weightsBytes + 3 * walk.largestActivation * batch * FLOAT_BYTES,
    outputHeight: walk.outputs.logits.h,
    outputWidth: walk.outputs.logits.w,
  };
}
