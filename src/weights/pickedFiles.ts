/**
 * Reading the model files a user picked: one `.safetensors` file (a LinkNet, or a torchvision
 * ResNet's encoder weights), or a TensorFlow.js model.json with its weight files. Files that are
 * recognisably something else (an image, a PyTorch zip, a lone .bin) are refused with a message
 * saying what they are. Pure: runs in the model-files worker, and in this thread where there is none.
 */
import type * as tf from '@tensorflow/tfjs';
import { readSafetensorsModel, type LoadedModelFile } from './modelFile';
import { ModelFileError, NamedModelError, namedError } from './modelFileError';
import { artifactsFromModelJson, loadedFromArtifacts } from './tfjsFormat';
import { errorMessage } from '../util/errorMessage';

/** A file the user picked, read into memory. */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
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
    throw new ModelFileError(`not valid JSON (${errorMessage(e)}), so not a TensorFlow.js model.json`);
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
