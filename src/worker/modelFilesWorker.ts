/**
 * The model-files worker (src/worker/modelFilesProtocol.ts): export files, saves to and loads
 * from this browser's storage (IndexedDB, through TensorFlow.js's handlers, as on the page), one
 * request at a time; what it makes goes back with its buffers transferred.
 */
/// <reference lib="webworker" />
import { runModelFilesRequest } from './modelFilesWork';
import type { ModelFilesReply, ModelFilesRequest } from './modelFilesProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (e: MessageEvent<ModelFilesRequest>) => {
  const request = e.data;
  queue = queue.then(async () => {
    const { reply, transfer } = await runModelFilesRequest(request, true);
    scope.postMessage(reply satisfies ModelFilesReply, transfer);
  });
};
