/**
 * The studio's current LinkNet model (the weights, not just the settings) and what can be done
 * with it: create one (seeded), import files, export, save to / load from the browser. Plain
 * TypeScript, no React: the store calls it and shows the results. A model is replaced only after
 * its successor is fully built, then the old one is disposed, so a failed import changes nothing.
 */
import type { ModelConfig } from '../model/config';
import { LinkNetModel } from '../model/linkNetModel';
import { namedError } from '../weights/modelFileError';
import type { PickedFile } from '../weights/pickedFiles';
import { configToMetadata } from '../weights/modelMetadata';
import { postprocessFromMetadata } from '../weights/postprocessMetadata';
import type { PostprocessSettings } from '../postprocess/settings';
import type { ExportTarget } from '../weights/exportFiles';
import type { BlobFile, DownloadFile } from '../util/browserDownload';
import { ModelFiles } from '../worker/modelFilesClient';
import { browserModelUrl, deleteBrowserModel, listBrowserModels, rememberSavedModel, type SavedModelInfo } from '../weights/browserModelStore';

export type ModelOrigin =
  | { kind: 'new'; seed: number }
  | { kind: 'file'; file: string; format: 'safetensors' | 'tfjs' }
  | { kind: 'encoder'; file: string; seed: number }
  | { kind: 'browser'; name: string }
  /** `run`: its name; `runId` and `step`: which run and which of its steps the weights are. */
  | { kind: 'training'; run: string; runId: string | null; step: number };

/** What the UI shows about the current model (plain data). */
export interface CurrentModelInfo {
  config: ModelConfig;
  origin: ModelOrigin;
  /** Trainable parameters and BatchNorm buffers actually held. */
  parameters: number;
  buffers: number;
  /** A one-line description: where the weights came from. */
  label: string;
  /** The post-processing its file carried (metadata `postprocess`), or null. */
  postprocess: PostprocessSettings | null;
  /** Why the file's post-processing entry was left unused, or null. */
  postprocessProblem: string | null;
}

export { EXPORT_TARGETS, type ExportTarget } from '../weights/exportFiles';

function countOf(model: LinkNetModel): { parameters: number; buffers: number } {
  let parameters = 0;
  let buffers = 0;
  for (const s of model.specs) {
    const n = s.torchShape.reduce((a, b) => a * b, 1);
    if (s.trainable) parameters += n;
    else buffers += n;
  }
  return { parameters, buffers };
}

function describeOrigin(origin: ModelOrigin): string {
  switch (origin.kind) {
    case 'new':
      return `new, initialised with seed ${origin.seed}`;
    case 'file':
      return `imported from ${origin.file}`;
    case 'encoder':
      return `encoder from ${origin.file}, decoder initialised (seed ${origin.seed})`;
    case 'browser':
      return `loaded from the browser: ${origin.name}`;
    case 'training':
      return `trained in this tab: ${origin.run}, step ${origin.step}`;
  }
}

/** The file name stem for exports: the source file's or saved model's name, else linknetNN. */
function exportStem(info: CurrentModelInfo): string {
  const depth = info.config.encoder.replace('resnet', '');
  const fallback = `linknet${depth}`;
  const source = info.origin.kind === 'file' || info.origin.kind === 'encoder' ? info.origin.file : info.origin.kind === 'browser' ? info.origin.name : '';
  const stem = source
    .replace(/\.(safetensors|json)$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return stem === '' || stem === 'model' ? fallback : stem;
}

/** `restored`: the same model rebuilt on a new backend (restore()); what was made on the old one is gone. */
export type SessionListener = (info: CurrentModelInfo | null, restored: boolean) => void;

/** Disposes a model whose backend may have been removed (a lost device): nothing is left to free there then. */
function disposeOnLostBackend(model: LinkNetModel): void {
  try {
    model.dispose();
  } catch {
    // its tensors went with the lost device's backend
  }
}

/** Builds the current model again from what it was made of (page memory, not the device). */
type Rebuild = () => Promise<LinkNetModel>;

export class ModelSession {
  /** `files`: where export files, saves and loads are made (default: a worker where there are workers). */
  constructor(private readonly files: ModelFiles = new ModelFiles()) {}

  private model: LinkNetModel | null = null;
  private info: CurrentModelInfo | null = null;
  /**
   * How to build the current model again after its backend lost its tensors (a lost GPU device):
   * its seed, or the weights it was built from, kept in page memory. Session models never change
   * in place, so these stay their weights.
   */
  private rebuild: Rebuild | null = null;
  /** Metadata the source carried beyond the model description (training notes...), kept on export. */
  private extraMetadata: Record<string, string> = {};
  private readonly listeners = new Set<SessionListener>();
  /** The last build that will replace the current model: builds take turns, so they apply in the order asked. */
  private lastBuild: Promise<unknown> = Promise.resolve();

  /** The current model (owned by the session: do not dispose it). */
  get linkNet(): LinkNetModel | null {
    return this.model;
  }

  get current(): CurrentModelInfo | null {
    return this.info;
  }

  /** Called whenever the current model is replaced or dropped. */
  onChange(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Builds a model (in steps: the page stays responsive while LinkNet34's 86 MB are made) after
   * every build asked before it, and makes it the current one.
   */
  private buildAndReplace(build: Rebuild, origin: ModelOrigin, extraMetadata: Record<string, string>, restored = false): Promise<CurrentModelInfo> {
    const turn = this.lastBuild.then(
      () => build(),
      () => build(),
    );
    this.lastBuild = turn.catch(() => undefined);
    return turn.then((model) => this.replace(model, origin, extraMetadata, build, restored));
  }

  private replace(model: LinkNetModel, origin: ModelOrigin, extraMetadata: Record<string, string>, rebuild: Rebuild, restored = false): CurrentModelInfo {
    const old = this.model;
    this.model = model;
    this.rebuild = rebuild;
    this.extraMetadata = extraMetadata;
    const carried = postprocessFromMetadata(extraMetadata);
    this.info = { config: model.config, origin, ...countOf(model), label: describeOrigin(origin), postprocess: carried.settings, postprocessProblem: carried.problem };
    if (old && old !== model) disposeOnLostBackend(old);
    for (const l of this.listeners) l(this.info, restored);
    return this.info;
  }

  /**
   * After the backend was made anew (a lost GPU device took the model's tensors): builds the
   * current model again on the active backend, from its seed or the weights it came from, with
   * the same origin and metadata. Returns null when there is no model.
   */
  async restore(): Promise<CurrentModelInfo | null> {
    if (!this.model || !this.info || !this.rebuild) return null;
    return this.buildAndReplace(this.rebuild, this.info.origin, this.extraMetadata, true);
  }

  /** A freshly initialised model with the given settings. */
  async createNew(config: ModelConfig, seed: number): Promise<CurrentModelInfo> {
    return this.buildAndReplace(() => LinkNetModel.createInSteps(config, seed), { kind: 'new', seed }, {});
  }

  /**
   * Imports picked files. A LinkNet replaces the current model with its own settings; a
   * torchvision ResNet becomes the encoder of a new model with `panelConfig` (its encoder set to
   * the file's) and a decoder initialised with `seed`. Throws NamedModelError; nothing changes then.
   */
  async importFiles(files: readonly PickedFile[], panelConfig: ModelConfig, seed: number): Promise<{ info: CurrentModelInfo; notice: string }> {
    const picked = await this.files.read(files);
    const { loaded, subject } = picked;
    try {
      if (loaded.kind === 'encoder-only') {
        const config: ModelConfig = { ...panelConfig, encoder: loaded.config.encoder };
        const build = () => LinkNetModel.createWithInSteps(config, seed, loaded.weights);
        const info = await this.buildAndReplace(build, { kind: 'encoder', file: subject, seed }, {});
        return { info, notice: `${subject}: ${loaded.config.encoder} encoder weights imported, decoder initialised (seed ${seed})` };
      }
      const build = () => LinkNetModel.fromTorchWeightsInSteps(loaded.config, loaded.weights);
      const own = new Set(Object.keys(configToMetadata(loaded.config)));
      const extra = Object.fromEntries(Object.entries(loaded.metadata).filter(([k]) => !own.has(k)));
      const info = await this.buildAndReplace(build, { kind: 'file', file: subject, format: picked.format }, extra);
      return { info, notice: `${subject}: ${loaded.config.encoder.replace('resnet', 'LinkNet')} with ${loaded.config.classes.length} classes imported` };
    } catch (e) {
      throw namedError(subject, e);
    }
  }

  private require(): { model: LinkNetModel; info: CurrentModelInfo } {
    if (!this.model || !this.info) throw new Error('there is no model yet: create one (New model), import a file or load a saved one');
    return { model: this.model, info: this.info };
  }

  /**
   * The current model's file(s) of `target` (made off the page: see ModelFiles); `extra` metadata
   * (the viewer's post-processing) goes in beside what the model carries.
   */
  async exportFiles(target: ExportTarget, extra: Record<string, string> = {}): Promise<(DownloadFile | BlobFile)[]> {
    const { model, info } = this.require();
    return this.files.exportFiles(model, target, exportStem(info), { ...this.extraMetadata, ...extra });
  }

  /** Saves the current model in this browser (IndexedDB) under `name` (replacing one of that name), with `extra` metadata as in exportFiles. */
  async saveToBrowser(name: string, extra: Record<string, string> = {}): Promise<SavedModelInfo> {
    const { model } = this.require();
    try {
      browserModelUrl(name); // refuse a bad name before reading the weights
      const saved = await this.files.save(name, model, { ...this.extraMetadata, ...extra });
      return rememberSavedModel(saved, { encoder: model.config.encoder, classes: model.config.classes.length });
    } catch (e) {
      throw namedError(name.trim() || 'save', e);
    }
  }

  /** Loads a saved model; it replaces the current one only when it is valid. */
  async loadFromBrowser(name: string): Promise<CurrentModelInfo> {
    try {
      const loaded = await this.files.load(name);
      const build = () => LinkNetModel.fromTorchWeightsInSteps(loaded.config, loaded.weights);
      const own = new Set(Object.keys(configToMetadata(loaded.config)));
      const extra = Object.fromEntries(Object.entries(loaded.metadata).filter(([k]) => !own.has(k)));
      return await this.buildAndReplace(build, { kind: 'browser', name: name.trim() }, extra);
    } catch (e) {
      throw namedError(name.trim(), e);
    }
  }

  async listSaved(): Promise<SavedModelInfo[]> {
    return listBrowserModels();
  }

  async deleteSaved(name: string): Promise<void> {
    try {
      await deleteBrowserModel(name);
    } catch (e) {
      throw namedError(name.trim(), e);
    }
  }

  /** Weights from the training worker (PyTorch names) become the current model. */
  async adoptTrainedWeights(config: ModelConfig, weights: Record<string, Float32Array>, run: { name: string; runId: string | null; step: number }): Promise<CurrentModelInfo> {
    const origin: ModelOrigin = { kind: 'training', run: run.name, runId: run.runId, step: run.step };
    return this.buildAndReplace(() => LinkNetModel.fromTorchWeightsInSteps(config, new Map(Object.entries(weights))), origin, {});
  }

  /** Drops the current model. */
  clear(): void {
    const old = this.model;
    this.model = null;
    this.info = null;
    this.rebuild = null;
    this.extraMetadata = {};
    if (old) disposeOnLostBackend(old);
    for (const l of this.listeners) l(null, false);
  }
}

/** The app's session (one current model). */
export const modelSession = new ModelSession();

/** Reads browser File objects into memory. */
export async function readBrowserFiles(files: readonly File[]): Promise<PickedFile[]> {
  return Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}
