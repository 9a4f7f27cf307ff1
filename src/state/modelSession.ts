/**
 * The studio's current LinkNet model (the weights, not just the settings) and what can be done
 * with it: create one (seeded), import files, export, save to / load from the browser. Plain
 * TypeScript, no React: the store calls it and shows the results. A model is replaced only after
 * its successor is fully built, then the old one is disposed, so a failed import changes nothing.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config';
import { LinkNetModel } from '../model/linkNetModel';
import { readSafetensorsModel, type LoadedModelFile } from '../weights/modelFile';
import { ModelFileError } from '../weights/modelFileError';
import { configToMetadata } from '../weights/modelMetadata';
import { artifactsFromModelJson, loadedFromArtifacts } from '../weights/tfjsFormat';
import type { ExportTarget } from '../weights/exportFiles';
import type { BlobFile, DownloadFile } from '../util/browserDownload';
import { ModelFiles } from '../worker/modelFilesClient';
import { browserModelUrl, deleteBrowserModel, listBrowserModels, rememberSavedModel, type SavedModelInfo } from '../weights/browserModelStore';

/** A file the user picked, read into memory. */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

export type ModelOrigin =
  | { kind: 'new'; seed: number }
  | { kind: 'file'; file: string; format: 'safetensors' | 'tfjs' }
  | { kind: 'encoder'; file: string; seed: number }
  | { kind: 'browser'; name: string }
  | { kind: 'training'; run: string };

/** What the UI shows about the current model (plain data). */
export interface CurrentModelInfo {
  config: ModelConfig;
  origin: ModelOrigin;
  /** Trainable parameters and BatchNorm buffers actually held. */
  parameters: number;
  buffers: number;
  /** A one-line description: where the weights came from. */
  label: string;
}

export { EXPORT_TARGETS, type ExportTarget } from '../weights/exportFiles';

/** An error about one file or saved model, its message starting with that name. */
export class NamedModelError extends Error {
  constructor(readonly subject: string, readonly problem: string, readonly tensor?: string) {
    super(`${subject}: ${problem}`);
    this.name = 'NamedModelError';
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Prefixes a failure with the file (or saved model) it concerns. */
export function namedError(subject: string, e: unknown): NamedModelError {
  if (e instanceof NamedModelError) return e;
  return new NamedModelError(subject, errorText(e), e instanceof ModelFileError ? e.tensor : undefined);
}

function lower(name: string): string {
  return name.toLowerCase();
}

function startsWith(bytes: Uint8Array, ...magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Refuses files that are recognisably something else, with a message saying what they are. */
function recogniseOther(file: PickedFile): string | null {
  const b = file.bytes;
  if (b.length === 0) return 'the file is empty';
  if (startsWith(b, 0x89, 0x50, 0x4e, 0x47)) return 'this is a PNG image, not a model file';
  if (startsWith(b, 0xff, 0xd8, 0xff)) return 'this is a JPEG image, not a model file';
  if (startsWith(b, 0x50, 0x4b, 0x03, 0x04)) {
    return 'this is a zip archive (a PyTorch .pt/.pth checkpoint?); save the state_dict as .safetensors and import that';
  }
  if (lower(file.name).endsWith('.bin')) {
    return 'TensorFlow.js weights need their model.json: pick model.json and its .bin file together';
  }
  return null;
}

function looksLikeJson(file: PickedFile): boolean {
  if (lower(file.name).endsWith('.json')) return true;
  let i = 0;
  while (i < file.bytes.length && i < 64 && (file.bytes[i] === 0x20 || file.bytes[i] === 0x0a || file.bytes[i] === 0x0d || file.bytes[i] === 0x09)) i++;
  return file.bytes[i] === 0x7b; // '{' (a safetensors file starts with its 8-byte header length)
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** TensorFlow.js artifacts from a picked model.json and the weight files it lists (also picked). */
export function artifactsFromPickedFiles(json: PickedFile, others: readonly PickedFile[]): tf.io.ModelArtifacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(json.bytes));
  } catch (e) {
    throw new ModelFileError(`not valid JSON (${errorText(e)}), so not a TensorFlow.js model.json`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ModelFileError('not a TensorFlow.js model.json (expected a JSON object)');
  const doc = parsed as Record<string, unknown>;
  const manifest = doc.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) throw new ModelFileError('no "weightsManifest": not a TensorFlow.js model.json');
  const byName = new Map(others.map((f) => [baseName(f.name), f]));
  return artifactsFromModelJson(doc, manifest, (p) => {
    const file = byName.get(baseName(p));
    if (!file) {
      throw new ModelFileError(`it lists the weights file "${baseName(p)}", which was not picked; choose model.json and ${baseName(p)} together`);
    }
    return file.bytes;
  });
}

export interface PickedModel {
  /** The file named in messages (model.json for a TensorFlow.js model). */
  subject: string;
  format: 'safetensors' | 'tfjs';
  loaded: LoadedModelFile;
}

/**
 * Reads and validates the picked files: one `.safetensors` file (a LinkNet, or a torchvision
 * ResNet's encoder weights), or a TensorFlow.js model.json with its weight files.
 * Throws NamedModelError (message "file: problem").
 */
export function readPickedFiles(files: readonly PickedFile[]): PickedModel {
  if (files.length === 0) throw new ModelFileError('no file was chosen');
  const jsons = files.filter(looksLikeJson);
  if (jsons.length > 1) {
    throw new NamedModelError(jsons.map((f) => f.name).join(', '), 'pick one model.json at a time (with its weight files)');
  }
  if (jsons.length === 1) {
    const json = jsons[0]!;
    const others = files.filter((f) => f !== json);
    const stray = others.find((f) => !lower(f.name).endsWith('.bin'));
    if (stray) throw new NamedModelError(stray.name, `picked together with ${json.name}; a TensorFlow.js model is a model.json with .bin weight files only`);
    try {
      return { subject: json.name, format: 'tfjs', loaded: loadedFromArtifacts(artifactsFromPickedFiles(json, others)) };
    } catch (e) {
      throw namedError(json.name, e);
    }
  }
  if (files.length > 1) {
    throw new NamedModelError(
      files.map((f) => f.name).join(', '),
      'pick one .safetensors file, or a TensorFlow.js model.json together with its .bin weight files',
    );
  }
  const file = files[0]!;
  const other = recogniseOther(file);
  if (other) throw new NamedModelError(file.name, other);
  try {
    return { subject: file.name, format: 'safetensors', loaded: readSafetensorsModel(file.bytes) };
  } catch (e) {
    if (e instanceof ModelFileError && e.tensor === undefined && !lower(file.name).endsWith('.safetensors')) {
      throw new NamedModelError(file.name, `not a model file (.safetensors, or model.json with its weights): ${e.message}`);
    }
    throw namedError(file.name, e);
  }
}

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
      return `trained in this tab: ${origin.run}`;
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
    this.info = { config: model.config, origin, ...countOf(model), label: describeOrigin(origin) };
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
    const picked = readPickedFiles(files);
    const { loaded, subject } = picked;
    try {
      if (loaded.kind === 'encoder-only') {
        const config: ModelConfig = { ...panelConfig, encoder: loaded.config.encoder };
        const build = async () => {
          const model = await LinkNetModel.createInSteps(config, seed);
          try {
            model.assignTorchWeights(loaded.weights);
          } catch (e) {
            model.dispose();
            throw e;
          }
          return model;
        };
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

  /** The current model's file(s) of `target` (made off the page: see ModelFiles). */
  async exportFiles(target: ExportTarget): Promise<(DownloadFile | BlobFile)[]> {
    const { model, info } = this.require();
    return this.files.exportFiles(model, target, exportStem(info), this.extraMetadata);
  }

  /** Saves the current model in this browser (IndexedDB) under `name` (replacing one of that name). */
  async saveToBrowser(name: string): Promise<SavedModelInfo> {
    const { model } = this.require();
    try {
      browserModelUrl(name); // refuse a bad name before reading the weights
      const saved = await this.files.save(name, model, this.extraMetadata);
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
  async adoptTrainedWeights(config: ModelConfig, weights: Record<string, Float32Array>, run: string): Promise<CurrentModelInfo> {
    return this.buildAndReplace(() => LinkNetModel.fromTorchWeightsInSteps(config, new Map(Object.entries(weights))), { kind: 'training', run }, {});
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
