/**
 * What the Training tab sends the worker about the data: the source (the sample generator's
 * parameters, or each pair's File objects), the train/val pair indices of the Dataset panel's
 * split, the input spec from its crop/scale geometry, the label scheme, the hood, and a
 * fingerprint that names this exact dataset (source, pair names, split, geometry, hood) so a saved
 * run or checkpoint can tell whether the loaded data is the one it was trained on. Pure.
 */
import type { FrameGeometry } from '../../data/frameGeometry';
import type { LabelScheme } from '../../data/labelScheme';
import { originalInputSpec, type InputSpec } from '../../model/config';
import type { TrainingData, TrainingSource } from '../../worker/trainingProtocol';

export interface DatasetForTraining {
  source: { kind: 'sample'; count: number; seed: number; width: number; height: number } | { kind: 'files'; root: string };
  /** Every pair of the pairing, in pair-index order. */
  pairs: { name: string; framePath: string; labelPath: string }[];
  train: number[];
  val: number[];
  geometry: FrameGeometry;
  scheme: LabelScheme;
  /** Full-frame 0/1 hood, or null. */
  hood: { mask: Uint8Array; width: number; height: number } | null;
}

/** 32-bit FNV-1a over a string's UTF-16 code units, as 8 hex digits. */
export function fnv1a(text: string, seed = 0x811c9dc5): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** FNV-1a over bytes (the hood mask). */
export function fnv1aBytes(bytes: Uint8Array, seed = 0x811c9dc5): string {
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The network input spec for the panel's geometry (the original's channel order and scaling). */
export function inputSpecFromGeometry(g: FrameGeometry): InputSpec {
  return {
    ...originalInputSpec(),
    frameWidth: g.frameWidth,
    frameHeight: g.frameHeight,
    cropTop: g.cropTop,
    cropBottom: g.cropBottom,
    inputHeight: g.inputHeight,
    inputWidth: g.inputWidth,
  };
}

/**
 * 'sample-<hash>' or 'files-<hash>' (the kind first, so a resume can tell a sample run, which the
 * page can regenerate by itself, from a folder the person has to choose again), then the input
 * size for people reading it: e.g. 'sample-1a2b3c4d5e6f7a8b-96x192'.
 */
export function datasetFingerprint(d: DatasetForTraining): string {
  const spec = inputSpecFromGeometry(d.geometry);
  const text = JSON.stringify({
    source: d.source.kind === 'sample' ? d.source : { kind: 'files' },
    pairs: d.pairs.map((p) => p.name),
    train: d.train,
    val: d.val,
    spec: [spec.frameWidth, spec.frameHeight, spec.cropTop, spec.cropBottom, spec.inputHeight, spec.inputWidth],
    scheme: d.scheme,
    hood: d.hood ? `${d.hood.width}x${d.hood.height}:${fnv1aBytes(d.hood.mask)}` : null,
  });
  // Two differently seeded 32-bit hashes: 64 bits make an accidental match negligible.
  return `${d.source.kind}-${fnv1a(text)}${fnv1a(text, 0x01234567)}-${spec.inputHeight}x${spec.inputWidth}`;
}

/** The fingerprint's source kind ('sample' or 'files'), or null for a foreign string. */
export function fingerprintKind(fingerprint: string): 'sample' | 'files' | null {
  const kind = fingerprint.split('-')[0];
  return kind === 'sample' || kind === 'files' ? kind : null;
}

/**
 * The worker's TrainingData. `fileOf` returns the File for a path of a 'files' source (the Dataset
 * panel keeps them); a pair whose files are gone is an error naming it.
 */
export function buildTrainingData(d: DatasetForTraining, fileOf: (path: string) => File | undefined): TrainingData {
  if (d.train.length === 0) throw new Error('the training split is empty: load more pairs or lower the validation share in the Dataset tab');
  let source: TrainingSource;
  if (d.source.kind === 'sample') {
    const { count, seed, width, height } = d.source;
    source = { kind: 'sample', count, seed, width, height };
  } else {
    const pairs = d.pairs.map((p) => {
      const frame = fileOf(p.framePath);
      const label = fileOf(p.labelPath);
      if (!frame || !label) throw new Error(`${!frame ? p.framePath : p.labelPath}: the file is no longer available; choose the folder again in the Dataset tab`);
      return { name: p.name, frame, label };
    });
    source = { kind: 'files', pairs };
  }
  return {
    source,
    train: [...d.train],
    val: [...d.val],
    spec: inputSpecFromGeometry(d.geometry),
    scheme: d.scheme,
    hood: d.hood && d.hood.width === d.geometry.frameWidth && d.hood.height === d.geometry.frameHeight ? d.hood.mask : null,
    fingerprint: datasetFingerprint(d),
  };
}
