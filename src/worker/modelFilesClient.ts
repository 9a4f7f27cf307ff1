/**
 * The page's side of the model-files worker (src/worker/modelFilesWorker.ts): a model's export
 * files, saving it in this browser, reading a saved one back and reading picked model files,
 * computed off the page. The page only reads the weights from its backend (a few MB per task) and
 * hands them over. Where no worker can start (Node, tests) the same work runs in this thread.
 */
import type { LinkNetModel } from '../model/linkNetModel';
import type { BlobFile, DownloadFile } from '../util/browserDownload';
import type { SavedModelInfo } from '../weights/browserModelStore';
import type { ExportTarget } from '../weights/exportFiles';
import type { LoadedModelFile } from '../weights/modelFile';
import { ModelFileError, NamedModelError } from '../weights/modelFileError';
import type { PickedFile, PickedModel } from '../weights/pickedFiles';
import type { ModelFilesReply, ModelFilesRequest } from './modelFilesProtocol';
import { buffersOf, runModelFilesRequest } from './modelFilesWork';
import { OrderedWorkerChannel } from './orderedChannel';
import { readWeightsForTransfer } from './weightsForTransfer';

/** Runs one request somewhere and answers it. */
export type ModelFilesRunner = (request: ModelFilesRequest, transfer: Transferable[]) => Promise<ModelFilesReply>;

/** The work in this thread (no worker). */
export const inThreadModelFiles: ModelFilesRunner = async (request) => (await runModelFilesRequest(request)).reply;

/** The work in a worker, started on first use and again after it stopped. */
export class ModelFilesWorker {
  private channel: OrderedWorkerChannel<ModelFilesRequest, ModelFilesReply> | null = null;

  constructor(private readonly makeWorker: () => Worker = () => new Worker(new URL('./modelFilesWorker.ts', import.meta.url), { type: 'module', name: 'model files' })) {}

  readonly run: ModelFilesRunner = (request, transfer) => {
    if (!this.channel || this.channel.stopped) this.channel = new OrderedWorkerChannel(this.makeWorker(), 'model files', 'the model files worker was closed');
    return this.channel.ask(request, transfer);
  };

  dispose(): void {
    this.channel?.stop();
    this.channel = null;
  }
}

let shared: ModelFilesWorker | null = null;

/** A worker where workers exist, else this thread. */
export function defaultModelFilesRunner(): ModelFilesRunner {
  if (typeof Worker === 'undefined') return inThreadModelFiles;
  shared ??= new ModelFilesWorker();
  return shared.run;
}

function failure(reply: ModelFilesReply & { type: 'failed' }): Error {
  if (reply.subject !== undefined) return new NamedModelError(reply.subject, reply.error, reply.tensor);
  return reply.fileError ? new ModelFileError(reply.error, reply.tensor) : new Error(reply.error);
}

/** The reply of the expected type, or the error a 'failed' reply carries. */
function expect<T extends ModelFilesReply['type']>(reply: ModelFilesReply, type: T): ModelFilesReply & { type: T } {
  if (reply.type === 'failed') throw failure(reply);
  if (reply.type !== type) throw new Error(`the model files worker answered '${reply.type}' where '${type}' was due`);
  return reply as ModelFilesReply & { type: T };
}

export class ModelFiles {
  constructor(private readonly run: ModelFilesRunner = defaultModelFilesRunner()) {}

  /** `model`'s file(s) of `target`, named from `stem`. */
  async exportFiles(model: LinkNetModel, target: ExportTarget, stem: string, extraMetadata: Record<string, string>): Promise<(DownloadFile | BlobFile)[]> {
    const { weights, transfer } = await readWeightsForTransfer(model);
    const reply = await this.run({ type: 'export', target, stem, config: model.config, extraMetadata, weights }, transfer);
    return expect(reply, 'files').files;
  }

  /** Saves `model` in this browser under `name` (replacing one of that name). */
  async save(name: string, model: LinkNetModel, extraMetadata: Record<string, string>): Promise<SavedModelInfo> {
    const { weights, transfer } = await readWeightsForTransfer(model);
    const reply = await this.run({ type: 'save', name, config: model.config, extraMetadata, weights }, transfer);
    return expect(reply, 'saved').info;
  }

  /**
   * The picked files read and validated (weights in PyTorch layout). Their bytes go to the worker
   * transferred: `files` are unusable afterwards. Throws NamedModelError.
   */
  async read(files: readonly PickedFile[]): Promise<PickedModel> {
    const transfer = buffersOf(files.map((f) => f.bytes));
    return expect(await this.run({ type: 'read', files: [...files] }, transfer), 'picked').picked;
  }

  /** The saved model `name`, validated, its weights in PyTorch layout. */
  async load(name: string): Promise<LoadedModelFile> {
    return expect(await this.run({ type: 'load', name }, []), 'loaded').loaded;
  }
}
