/**
 * A model's weights read from the page's backend for a worker message: read a few MB per page
 * task, with buffers that can be transferred (cloning LinkNet34's 86 MB into a message is one
 * 600 ms task on the page).
 */
import * as tf from '@tensorflow/tfjs';
import { READ_SLICE_BYTES, type LinkNetModel } from '../model/linkNetModel';
import { TaskBudget } from '../util/taskBudget';

/** How long copying weights may hold the page at a time (ms). */
const COPY_STEP_MS = 30;

export interface WeightsForTransfer {
  /** By PyTorch name, in TensorFlow.js layout. */
  weights: [string, Float32Array][];
  /** Their buffers, for the message's transfer list. */
  transfer: ArrayBuffer[];
}

/** Whether a message can take this array's buffer away from the page (see `transferable`). */
function ownBuffer(w: Float32Array, backend: string): boolean {
  return backend !== 'cpu' && w.buffer instanceof ArrayBuffer && w.byteOffset === 0 && w.byteLength === w.buffer.byteLength;
}

/**
 * The weights as a message can take them, their buffers transferred. The CPU backend reads back
 * its own storage, which must not be transferred away, and a view into a larger or shared buffer
 * cannot be: those are copied first (wasm reads back a copy of each), a task's worth at a time.
 */
export async function transferable(weights: ReadonlyMap<string, Float32Array>, backend: string, budget = new TaskBudget(COPY_STEP_MS)): Promise<WeightsForTransfer> {
  const entries: [string, Float32Array][] = [];
  for (const [name, w] of weights) {
    entries.push([name, ownBuffer(w, backend) ? w : w.slice()]);
    await budget.pauseWhenSpent();
  }
  return { weights: entries, transfer: entries.map(([, w]) => w.buffer as ArrayBuffer) };
}

/** Reads `model`'s weights from the page's backend (`backend`, default the active one) for a transfer. */
export async function readWeightsForTransfer(model: LinkNetModel, backend = tf.getBackend()): Promise<WeightsForTransfer> {
  return transferable(await model.readTfWeights({ yieldEveryBytes: READ_SLICE_BYTES }), backend);
}
