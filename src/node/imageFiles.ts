/**
 * Image files on disk (Node only): PNG frames in a folder, the challenge's CameraRGB/CameraSeg
 * pairs, and 0/1 mask images (a hood).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { decodePng, type DecodedImage } from '../io/png';
import { maskFromImage } from '../data/hoodFile';
import { errorMessage } from '../util/errorMessage';

/** Problems with files the user named (missing, unreadable, wrong kind): the message is enough. */
export class FileProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileProblem';
  }
}

/** Natural order: 2.png before 10.png. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}

const isPngName = (name: string) => name.toLowerCase().endsWith('.png');

/** A PNG file, or every `*.png` directly in a folder (natural order). */
export function listPngInputs(path: string): string[] {
  const full = resolve(path);
  if (!existsSync(full)) throw new FileProblem(`input ${path} does not exist`);
  if (!statSync(full).isDirectory()) return [full];
  const files = readdirSync(full, { withFileTypes: true })
    .filter((d) => d.isFile() && isPngName(d.name))
    .map((d) => d.name)
    .sort(naturalCompare);
  if (files.length === 0) throw new FileProblem(`input folder ${path} holds no .png files`);
  return files.map((f) => join(full, f));
}

/** The file name without its extension. */
export function stemOf(path: string): string {
  return basename(path).replace(/\.[^.]*$/, '');
}

/** Reads and decodes a PNG; file-system problems become FileProblem, decoding ones ImageDecodeError. */
export function readPng(path: string): DecodedImage {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileProblem(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${errorMessage(e)}`);
  }
  return decodePng(bytes);
}

/** Reads a 0/1 mask PNG (e.g. a hood) that must be width x height. */
export function readMaskPng(path: string, width: number, height: number, what: string): Uint8Array {
  let img: DecodedImage;
  try {
    img = readPng(path);
  } catch (e) {
    throw new FileProblem(`${what} ${path}: ${errorMessage(e)}`);
  }
  if (img.width !== width || img.height !== height) {
    throw new FileProblem(`${what} ${path} is ${img.width}x${img.height}, but the frames are ${width}x${height}`);
  }
  return maskFromImage(img);
}

export interface ChallengePair {
  /** Name shown in messages: the RGB file relative to the data folder. */
  name: string;
  rgb: string;
  seg: string;
}

export interface ChallengePairs {
  pairs: ChallengePair[];
  /** RGB frames without a label of the same name (relative names). */
  unpaired: string[];
}

const SKIP_DIRS = new Set(['node_modules', '.git']);
const MAX_DEPTH = 6;

/**
 * Every CameraRGB/NAME.png with a CameraSeg/NAME.png beside it, in `dir` itself or in its
 * subfolders (train/, val/, ...), in natural order of folder then name.
 */
export function findChallengePairs(dir: string): ChallengePairs {
  const root = resolve(dir);
  if (!existsSync(root)) throw new FileProblem(`data folder ${dir} does not exist`);
  if (!statSync(root).isDirectory()) throw new FileProblem(`data path ${dir} is not a folder`);
  const pairs: ChallengePair[] = [];
  const unpaired: string[] = [];
  const visit = (folder: string, depth: number) => {
    const entries = readdirSync(folder, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort(naturalCompare);
    if (entries.includes('CameraRGB')) {
      const rgbDir = join(folder, 'CameraRGB');
      const segDir = join(folder, 'CameraSeg');
      const labels = entries.includes('CameraSeg') ? new Set(readdirSync(segDir).filter(isPngName)) : new Set<string>();
      for (const name of readdirSync(rgbDir).filter(isPngName).sort(naturalCompare)) {
        const rel = relative(root, join(rgbDir, name));
        if (labels.has(name)) pairs.push({ name: rel, rgb: join(rgbDir, name), seg: join(segDir, name) });
        else unpaired.push(rel);
      }
    }
    if (depth >= MAX_DEPTH) return;
    for (const name of entries) {
      if (name === 'CameraRGB' || name === 'CameraSeg' || name.startsWith('.') || SKIP_DIRS.has(name)) continue;
      visit(join(folder, name), depth + 1);
    }
  };
  visit(root, 0);
  return { pairs, unpaired };
}
