/**
 * Model files on disk (Node only): a `.safetensors` file, or a TensorFlow.js model folder
 * (model.json + weights.bin), read with the same validation as in the browser.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LinkNetModel } from '../model/linkNetModel';
import { readSafetensorsModel, type LoadedModelFile, type ReadOptions } from '../weights/modelFile';
import { ModelFileError } from '../weights/modelFileError';
import { artifactsFromModelJson, loadedFromArtifacts, TFJS_WEIGHTS_FILE, tfjsModelFiles } from '../weights/tfjsFormat';
import { errorMessage } from '../util/errorMessage';

export type ModelFileFormat = 'safetensors' | 'tfjs';

export interface LoadedModelOnDisk extends LoadedModelFile {
  format: ModelFileFormat;
  /** The file that was read (model.json for a TensorFlow.js model). */
  path: string;
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelFileError(`${what} ${path} does not exist`);
    if (code === 'EISDIR') throw new ModelFileError(`${what} ${path} is a folder, not a file`);
    throw new ModelFileError(`cannot read ${what} ${path}: ${errorMessage(e)}`);
  }
}

/** Where a path points: a safetensors file, or a TensorFlow.js model.json (a folder holding one, or the file). */
export function resolveModelPath(path: string): { format: ModelFileFormat; file: string } {
  const full = resolve(path);
  if (!existsSync(full)) throw new ModelFileError(`model file ${path} does not exist`);
  if (statSync(full).isDirectory()) {
    const json = join(full, 'model.json');
    if (!existsSync(json)) {
      throw new ModelFileError(`${path} is a folder without a model.json; give a .safetensors file or a TensorFlow.js model folder`);
    }
    return { format: 'tfjs', file: json };
  }
  if (full.toLowerCase().endsWith('.json')) return { format: 'tfjs', file: full };
  return { format: 'safetensors', file: full };
}

function parseModelJson(path: string, bytes: Uint8Array): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelFileError(`${path} is not valid JSON (${errorMessage(e)}), so not a TensorFlow.js model.json`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFileError(`${path} is not a TensorFlow.js model.json (expected a JSON object)`);
  }
  return json as Record<string, unknown>;
}

/** Reads model.json and its weight files into TensorFlow.js model artifacts. */
export function readTfjsArtifacts(modelJsonPath: string): tf.io.ModelArtifacts {
  const json = parseModelJson(modelJsonPath, readBytes(modelJsonPath, 'model.json'));
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new ModelFileError(`${modelJsonPath} has no "weightsManifest": not a TensorFlow.js model.json`);
  }
  const dir = dirname(modelJsonPath);
  return artifactsFromModelJson(
    json,
    manifest,
    (p) => readBytes(join(dir, p), `weights file (listed in ${basename(modelJsonPath)})`),
    `${modelJsonPath}: `,
  );
}

/**
 * Reads and validates a model file: a `.safetensors` file (LinkNet, or a torchvision ResNet as
 * encoder-only weights), a TensorFlow.js model folder, or the path of its model.json.
 * Throws ModelFileError with a readable message for anything that is not a usable model.
 */
export function loadModelFile(path: string, options: ReadOptions = {}): LoadedModelOnDisk {
  const { format, file } = resolveModelPath(path);
  if (format === 'tfjs') {
    return { ...loadedFromArtifacts(readTfjsArtifacts(file), options), format, path: file };
  }
  const bytes = readBytes(file, 'model file');
  if (bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    throw new ModelFileError(`${path} is a PNG image, not a model file (.safetensors, or a TensorFlow.js model folder)`);
  }
  if (bytes.length > 0 && bytes[0] === 0x7b /* '{' */) {
    // A model.json under another name.
    const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
    if (head.includes('"weightsManifest"')) {
      return { ...loadedFromArtifacts(readTfjsArtifacts(file), options), format: 'tfjs', path: file };
    }
  }
  try {
    return { ...readSafetensorsModel(bytes, options), format, path: file };
  } catch (e) {
    if (e instanceof ModelFileError) {
      throw new ModelFileError(`${path} is not a usable model: ${e.message}`, e.tensor);
    }
    throw e;
  }
}

/** Writes TensorFlow.js artifacts as `dir/model.json` + `dir/weights.bin`; returns both paths. */
export function saveTfjsModelDir(dir: string, artifacts: tf.io.ModelArtifacts): { modelJson: string; weights: string } {
  const files = tfjsModelFiles(artifacts);
  mkdirSync(dir, { recursive: true });
  const weights = join(dir, TFJS_WEIGHTS_FILE);
  const modelJson = join(dir, 'model.json');
  writeFileSync(weights, files.weights);
  writeFileSync(modelJson, files.modelJson);
  return { modelJson, weights };
}

export interface LoadModelOptions extends ReadOptions {
  /** Receives notes about the file (e.g. encoder-only weights); default: stderr. */
  onNotice?: (message: string) => void;
  /** Seed of the decoder's initial values for encoder-only files. */
  seed?: number;
}

/** A LinkNetModel from a file, plus what the file said. */
export function loadModelWithFile(path: string, options: LoadModelOptions = {}): { model: LinkNetModel; file: LoadedModelOnDisk } {
  const file = loadModelFile(path, options);
  if (file.kind === 'encoder-only') {
    const notice = options.onNotice ?? ((m: string) => process.stderr.write(`note: ${m}\n`));
    notice(
      `${path} holds only a torchvision ${file.config.encoder} encoder: the decoder and head are freshly initialised ` +
        `(seed ${options.seed ?? 0}), so its predictions mean nothing until it is trained`,
    );
    const model = LinkNetModel.create(file.config, options.seed ?? 0);
    model.assignTorchWeights(file.weights);
    return { model, file };
  }
  return { model: LinkNetModel.fromTorchWeights(file.config, file.weights), file };
}

/** A LinkNetModel from a `.safetensors` file or a TensorFlow.js model folder (see loadModelFile). */
export function loadModel(path: string, options: LoadModelOptions = {}): LinkNetModel {
  return loadModelWithFile(path, options).model;
}
