/**
 * LinkNet models saved in this browser (IndexedDB), through TensorFlow.js's `indexeddb://` handlers,
 * under `indexeddb://segstudio/<name>`. What is stored is the TensorFlow.js format of tfjsFormat.ts
 * (weights by PyTorch name, the LinkNet metadata in userDefinedMetadata), so loading goes through
 * the same validation as a model.json file. TensorFlow.js lists a saved model only with its size and
 * date; a small index in localStorage adds its encoder and classes for the list (optional: a model
 * missing from the index is still listed and loads).
 */
import * as tf from '@tensorflow/tfjs';
import type { LinkNetModel } from '../model/linkNetModel';
import type { LoadedModelFile, ReadOptions } from './modelFile';
import { ModelFileError } from './modelFileError';
import { loadedFromArtifacts, modelToArtifacts } from './tfjsFormat';
import { errorMessage } from '../util/errorMessage';
import { readStored, writeStored } from '../util/browserStorage';

export const BROWSER_MODEL_SCHEME = 'indexeddb://';
export const BROWSER_MODEL_PREFIX = `${BROWSER_MODEL_SCHEME}segstudio/`;
export const MAX_MODEL_NAME_LENGTH = 80;
const INDEX_KEY = 'segmentation-studio.browser-models.v1';

export interface SavedModelInfo {
  name: string;
  url: string;
  /** ISO date of the save. */
  savedAt: string;
  /** Bytes of weights stored. */
  bytes: number;
  /** From the index (absent when the index lost track of it). */
  encoder?: string;
  classes?: number;
}

/** What the index keeps of a saved model. */
export interface SavedModelDetails {
  encoder: string;
  classes: number;
}

/** Why a name cannot be used, or null when it can. */
export function modelNameProblem(name: string): string | null {
  const n = name.trim();
  if (n === '') return 'give the model a name';
  if (n.length > MAX_MODEL_NAME_LENGTH) return `the name is ${n.length} characters long; at most ${MAX_MODEL_NAME_LENGTH}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(n)) return 'the name contains control characters';
  return null;
}

export function browserModelUrl(name: string): string {
  const problem = modelNameProblem(name);
  if (problem) throw new ModelFileError(problem);
  return BROWSER_MODEL_PREFIX + name.trim();
}

/** The encoder and class count noted for each saved model, by name (empty where localStorage is absent). */
export function savedModelIndex(): Record<string, SavedModelDetails> {
  const raw = readStored(INDEX_KEY);
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, SavedModelDetails>) : {};
  } catch {
    return {};
  }
}

/** (Where storage is unavailable or full, the list shows sizes and dates only.) */
function writeIndex(index: Record<string, SavedModelDetails>): void {
  writeStored(INDEX_KEY, JSON.stringify(index));
}

function handlerFor(url: string, kind: 'save' | 'load'): tf.io.IOHandler {
  const handlers = kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
  const handler = handlers[0];
  if (!handler) throw new ModelFileError('this browser offers no IndexedDB storage (private window or a locked-down profile?)');
  return handler;
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name ?? '';
  return name === 'QuotaExceededError' || /quota/i.test(errorMessage(e));
}

/** Stores TensorFlow.js artifacts (from modelToArtifacts) under a name; an existing model of that name is replaced. */
export async function saveArtifactsToBrowser(name: string, artifacts: tf.io.ModelArtifacts, details?: SavedModelDetails): Promise<SavedModelInfo> {
  const url = browserModelUrl(name);
  const handler = handlerFor(url, 'save');
  if (!handler.save) throw new ModelFileError('the IndexedDB handler cannot save');
  let result: tf.io.SaveResult;
  try {
    result = await handler.save(artifacts);
  } catch (e) {
    throw new ModelFileError(
      isQuotaError(e) ? `not enough browser storage to save "${name.trim()}" (${errorMessage(e)})` : `saving "${name.trim()}" in the browser failed: ${errorMessage(e)}`,
    );
  }
  const info = result.modelArtifactsInfo;
  const saved: SavedModelInfo = {
    name: name.trim(),
    url,
    savedAt: new Date(info?.dateSaved ?? Date.now()).toISOString(),
    bytes: info?.weightDataBytes ?? 0,
  };
  return details ? rememberSavedModel(saved, details) : saved;
}

/**
 * Notes a saved model's encoder and class count in the index the list shows (localStorage: on the
 * page, where a worker saved the model); returns the info with them.
 */
export function rememberSavedModel(saved: SavedModelInfo, details: SavedModelDetails): SavedModelInfo {
  rememberModelDetails(saved.name, details);
  return { ...saved, ...details };
}

/** Notes a saved model's encoder and class count by name (for a model a worker saved). */
export function rememberModelDetails(name: string, details: SavedModelDetails): void {
  writeIndex({ ...savedModelIndex(), [name.trim()]: { encoder: details.encoder, classes: details.classes } });
}

/** Saves a LinkNet model (weights and metadata) under a name. */
export async function saveModelToBrowser(name: string, model: LinkNetModel, extraMetadata: Record<string, string> = {}): Promise<SavedModelInfo> {
  browserModelUrl(name); // refuse a bad name before reading the weights
  const artifacts = await modelToArtifacts(model, extraMetadata);
  return saveArtifactsToBrowser(name, artifacts, { encoder: model.config.encoder, classes: model.config.classes.length });
}

/** The stored TensorFlow.js artifacts of a saved model. */
export async function loadArtifactsFromBrowser(name: string): Promise<tf.io.ModelArtifacts> {
  const url = browserModelUrl(name);
  const handler = handlerFor(url, 'load');
  if (!handler.load) throw new ModelFileError('the IndexedDB handler cannot load');
  try {
    return await handler.load();
  } catch (e) {
    if (/cannot find model/i.test(errorMessage(e))) throw new ModelFileError(`no model named "${name.trim()}" is saved in this browser`);
    throw new ModelFileError(`reading "${name.trim()}" from the browser failed: ${errorMessage(e)}`);
  }
}

/** Loads and validates a saved model (same checks as a model file; nothing half-loads). */
export async function loadModelFromBrowser(name: string, options: ReadOptions = {}): Promise<LoadedModelFile> {
  return loadedFromArtifacts(await loadArtifactsFromBrowser(name), options);
}

/** Models saved by the studio in this browser, newest first. */
export async function listBrowserModels(): Promise<SavedModelInfo[]> {
  let all: Record<string, tf.io.ModelArtifactsInfo>;
  try {
    all = await tf.io.listModels();
  } catch (e) {
    throw new ModelFileError(`cannot list the models saved in this browser: ${errorMessage(e)}`);
  }
  const index = savedModelIndex();
  const out: SavedModelInfo[] = [];
  for (const [url, info] of Object.entries(all)) {
    if (!url.startsWith(BROWSER_MODEL_PREFIX)) continue;
    const name = url.slice(BROWSER_MODEL_PREFIX.length);
    const details = index[name];
    out.push({
      name,
      url,
      savedAt: new Date(info.dateSaved ?? 0).toISOString(),
      bytes: info.weightDataBytes ?? 0,
      ...(details && typeof details.encoder === 'string' && typeof details.classes === 'number' ? { encoder: details.encoder, classes: details.classes } : {}),
    });
  }
  return out.sort((a, b) => b.savedAt.localeCompare(a.savedAt) || a.name.localeCompare(b.name));
}

/** Deletes a saved model. */
export async function deleteBrowserModel(name: string): Promise<void> {
  const url = browserModelUrl(name);
  try {
    await tf.io.removeModel(url);
  } catch (e) {
    if (/cannot find model/i.test(errorMessage(e))) throw new ModelFileError(`no model named "${name.trim()}" is saved in this browser`);
    throw new ModelFileError(`deleting "${name.trim()}" failed: ${errorMessage(e)}`);
  }
  const index = savedModelIndex();
  if (name.trim() in index) {
    delete index[name.trim()];
    writeIndex(index);
  }
}
