/**
 * Messages between the viewer and its network worker: where the page's backend computes on the
 * page's own thread (wasm, CPU), the viewer's network runs in this worker instead, so a frame's
 * seconds of network time do not freeze the page. Requests are answered one at a time, in order.
 */
import type { FramePixels } from '../inference/frameInput';
import type { ModelConfig } from '../model/config';

export type NetworkRequest =
  /**
   * Use this model from now on; answered by 'ready'. Its weights by PyTorch name in TensorFlow.js
   * layout, as the page's backend holds them (`LinkNetModel.readTfWeights`): the worker permutes and folds them.
   */
  | { type: 'model'; key: number; backend: string; config: ModelConfig; weights: [string, Float32Array][] }
  /** The crop-sized probabilities of a frame under model `key`; answered by 'probabilities'. */
  | { type: 'run'; key: number; frame: FramePixels };

export type NetworkReply =
  | { type: 'ready'; key: number }
  /** [rows, width, classes] values (HWC) of the crop; `networkMs`: the network and its read-back in the worker. */
  | { type: 'probabilities'; values: Float32Array; shape: [number, number, number]; networkMs: number }
  /** `backend`: the worker could not start the backend (the page then runs the network itself). */
  | { type: 'failed'; error: string; backend?: true };
