/**
 * What the model-files worker does for one request, as a plain function: the worker runs it, and
 * so does the page where no worker can start (Node, tests). Never throws: a failure is a 'failed'
 * reply.
 */
import { loadModelFromBrowser, saveArtifactsToBrowser } from '../weights/browserModelStore';
import { modelExportFiles } from '../weights/exportFiles';
import { ModelFileError, NamedModelError } from '../weights/modelFileError';
import { readPickedFiles } from '../weights/pickedFiles';
import { artifactsFromTfWeights } from '../weights/tfjsFormat';
import type { ModelFilesReply, ModelFilesRequest } from './modelFilesProtocol';
import { errorMessage } from '../util/errorMessage';

/** The distinct buffers under these arrays (a view's buffer once, however many views share it). */
export function buffersOf(arrays: Iterable<ArrayBufferView>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}

function failedReply(e: unknown): ModelFilesReply & { type: 'failed' } {
  if (e instanceof NamedModelError) {
    const reply: ModelFilesReply = { type: 'failed', error: e.problem, fileError: true, subject: e.subject };
    if (e.tensor !== undefined) reply.tensor = e.tensor;
    return reply;
  }
  const reply: ModelFilesReply = { type: 'failed', error: errorMessage(e), fileError: e instanceof ModelFileError };
  if (e instanceof ModelFileError && e.tensor !== undefined) reply.tensor = e.tensor;
  return reply;
}

/** `asBlobs`: export files as Blobs (in the worker: the page then makes no Blob of its own). */
export async function runModelFilesRequest(request: ModelFilesRequest, asBlobs = false): Promise<{ reply: ModelFilesReply; transfer: Transferable[] }> {
  try {
    switch (request.type) {
      case 'export': {
        const files = modelExportFiles(request.target, request.stem, request.config, new Map(request.weights), request.extraMetadata);
        if (asBlobs) return { reply: { type: 'files', files: files.map((f) => ({ name: f.name, blob: new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.type }) })) }, transfer: [] };
        return { reply: { type: 'files', files }, transfer: [] };
      }
      case 'save': {
        const info = await saveArtifactsToBrowser(request.name, artifactsFromTfWeights(request.config, new Map(request.weights), request.extraMetadata));
        return { reply: { type: 'saved', info }, transfer: [] };
      }
      case 'load': {
        const loaded = await loadModelFromBrowser(request.name);
        return { reply: { type: 'loaded', loaded }, transfer: buffersOf(loaded.weights.values()) };
      }
      case 'read': {
        const picked = readPickedFiles(request.files);
        return { reply: { type: 'picked', picked }, transfer: buffersOf(picked.loaded.weights.values()) };
      }
    }
  } catch (e) {
    return { reply: failedReply(e), transfer: [] };
  }
}
