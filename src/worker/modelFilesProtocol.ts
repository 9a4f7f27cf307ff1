/**
 * Messages between the page and its model-files worker: writing a model's export files and
 * saving it to or loading it from this browser's storage are whole-model passes over tens of MB
 * (LinkNet34: 86 MB; each 0.5-2.8 s on a slow CPU), done there so the page never waits on them.
 * Weights go over in TensorFlow.js layout (as the page's backend holds them) with their buffers
 * transferred. Picked model files are read and checked there too. Requests are answered one at a
 * time, in order.
 */
import type { ModelConfig } from '../model/config';
import type { BlobFile, DownloadFile } from '../util/browserDownload';
import type { SavedModelInfo } from '../weights/browserModelStore';
import type { ExportTarget } from '../weights/exportFiles';
import type { LoadedModelFile } from '../weights/modelFile';
import type { PickedFile, PickedModel } from '../weights/pickedFiles';

/** A model as the worker gets it: settings, metadata beyond them, weights by PyTorch name in TensorFlow.js layout. */
export interface ModelForFiles {
  config: ModelConfig;
  extraMetadata: Record<string, string>;
  weights: [string, Float32Array][];
}

export type ModelFilesRequest =
  /** The file(s) of `target`, named from `stem`; answered by 'files'. */
  | ({ type: 'export'; target: ExportTarget; stem: string } & ModelForFiles)
  /** Saves the model in this browser under `name`; answered by 'saved'. */
  | ({ type: 'save'; name: string } & ModelForFiles)
  /** Reads and validates the saved model `name`; answered by 'loaded' (weights in PyTorch layout). */
  | { type: 'load'; name: string }
  /** Reads and validates picked model files (their bytes transferred); answered by 'picked'. */
  | { type: 'read'; files: PickedFile[] };

export type ModelFilesReply =
  /** Blobs from the worker (cloning a Blob into a message copies no bytes), bytes in this thread. */
  | { type: 'files'; files: (DownloadFile | BlobFile)[] }
  | { type: 'saved'; info: SavedModelInfo }
  | { type: 'loaded'; loaded: LoadedModelFile }
  | { type: 'picked'; picked: PickedModel }
  /**
   * `fileError`: a ModelFileError (its message names the problem, `tensor` the tensor where there
   * is one); with `subject`, a NamedModelError about that file (`error` is then its problem alone).
   */
  | { type: 'failed'; error: string; fileError: boolean; tensor?: string; subject?: string };
