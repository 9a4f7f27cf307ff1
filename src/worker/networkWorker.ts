/**
 * The viewer's network off the page (src/worker/networkProtocol.ts): the page's backend (wasm or
 * CPU) started here once, one folded model kept at a time, each frame's crop-sized probabilities
 * computed and read back here and handed over with their buffer.
 */
/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initialiseBackend } from '../backend/initialiseBackend';
import { configureWasm } from '../backend/wasmSetup';
import { framesToInput } from '../inference/frameInput';
import { probabilitiesAtCropSize } from '../inference/frameMasks';
import { FoldedLinkNet } from '../model/foldedLinkNet';
import { torchWeightsFromTfLayout } from '../weights/pytorchLayout';
import type { NetworkReply, NetworkRequest } from './networkProtocol';
import { errorMessage } from '../util/errorMessage';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const BACKEND_TIMEOUT_MS = 60_000;

class BackendFailure extends Error {}

let backend: { name: string; ready: Promise<void> } | null = null;
let model: { key: number; net: FoldedLinkNet } | null = null;
let queue: Promise<void> = Promise.resolve();

function reply(message: NetworkReply, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function startBackend(name: string): Promise<void> {
  if (backend?.name !== name) {
    configureWasm();
    const ready = initialiseBackend(name, BACKEND_TIMEOUT_MS).then((problem) => {
      if (problem) throw new BackendFailure(`the network worker could not start ${name}: ${problem}`);
    });
    backend = { name, ready };
    ready.catch(() => {
      if (backend?.ready === ready) backend = null;
    });
  }
  return backend.ready;
}

async function handle(request: NetworkRequest): Promise<void> {
  if (request.type === 'model') {
    await startBackend(request.backend);
    model?.net.dispose();
    model = null;
    model = { key: request.key, net: FoldedLinkNet.fromTorchWeights(request.config, torchWeightsFromTfLayout(request.config, new Map(request.weights))) };
    return reply({ type: 'ready', key: request.key });
  }
  const kept = model;
  if (!kept || kept.key !== request.key) throw new Error(`internal: model ${request.key} was not sent to the network worker`);
  const spec = kept.net.config.input;
  const t0 = performance.now();
  const probs = tf.tidy(() => tf.squeeze(probabilitiesAtCropSize(kept.net.predict(framesToInput([request.frame], spec)), spec), [0]) as tf.Tensor3D);
  let values: Float32Array;
  try {
    values = (await probs.data()) as Float32Array;
  } finally {
    probs.dispose();
  }
  const [rows, width, classes] = probs.shape;
  // The values' own buffer goes over without a copy (a view into a larger one is copied).
  const own = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
  reply({ type: 'probabilities', values, shape: [rows, width, classes], networkMs: performance.now() - t0 }, own ? [values.buffer as ArrayBuffer] : []);
}

scope.onmessage = (e: MessageEvent<NetworkRequest>) => {
  queue = queue
    .then(() => handle(e.data))
    .catch((error: unknown) => reply({ type: 'failed', error: errorMessage(error), ...(error instanceof BackendFailure ? { backend: true as const } : {}) }));
};
