/**
 * The dataset worker: decodes the pairs of one dataset off the page's thread and answers with what
 * the Dataset panel shows (see datasetProtocol.ts). Per pair: header checks (format, size, a
 * complete file, at most 8192 px a side), the label's size against its frame's, the label decoded
 * bit-exactly (our PNG decoder: a browser decoder may colour-manage or premultiply, which would
 * change class ids) and the frame by the browser (createImageBitmap, any format), class counts,
 * the near-duplicate signature, thumbnails, and the hood-value mask for the hood estimate. Files
 * are only read.
 */
import { analyseLabel, classOverlayRgba, hoodOverlaps, maskRuns, noClassReason, type HoodValueRuns } from '../data/labelAnalysis';
import { sizeMismatchReason, type DatasetProblem, type ProblemKind } from '../data/datasetModel';
import { HoodEstimator } from '../data/hoodMask';
import { formatName, HEAD_BYTES, sniffImage, sniffImageEnds, TAIL_BYTES, type ImageFormat, type ImageInfo, type ImageSniff } from '../data/imageHeader';
import type { LabelScheme } from '../data/labelScheme';
import { thumbnailSignature } from '../data/nearDuplicates';
import { generateSampleFrame } from '../data/sample/generateFrame';
import { decodePng, encodeRgbaPng, ImageDecodeError, toRgba, type DecodedImage } from '../io/png';
import {
  HOOD_AGREEMENT,
  type FilePairJob,
  type FromWorker,
  type HoodEstimateMessage,
  type IndexRequest,
  type PairResult,
  type ToWorker,
} from './datasetProtocol';
import { errorMessage } from '../util/errorMessage';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let job: IndexRequest | null = null;
/** Per pair index: the hood-value runs of its label (for hood overlaps when the hood changes). */
let hoodRuns: (HoodValueRuns | null)[] = [];
const estimators = new Map<string, HoodEstimator>();
const MAX_HOOD_SIZES = 4;
/** Pairs indexed at the same time. */
const LANES = 4;
/** How often results are posted while indexing. */
const BATCH_MS = 120;

/** Time spent per stage of the current job (ms), reported with 'done'. */
let stages: Record<string, number> = {};
function timed<T>(stage: string, t0: number, value: T): T {
  stages[stage] = (stages[stage] ?? 0) + performance.now() - t0;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Canvases (reused)

const canvases = new Map<string, OffscreenCanvas>();

function canvas(name: string, width: number, height: number): OffscreenCanvasRenderingContext2D {
  let c = canvases.get(name);
  if (!c || c.width !== width || c.height !== height) {
    c = new OffscreenCanvas(width, height);
    canvases.set(name, c);
  }
  const ctx = c.getContext('2d', { willReadFrequently: name === 'full' || name === 'label' });
  if (!ctx) throw new Error('no 2D canvas in this worker');
  return ctx;
}

function thumbSize(width: number, height: number, thumbWidth: number): { tw: number; th: number } {
  const tw = Math.min(thumbWidth, width);
  return { tw, th: Math.max(1, Math.round((tw * height) / width)) };
}

async function frameThumb(source: CanvasImageSource, tw: number, th: number): Promise<Blob> {
  const ctx = canvas('thumb', tw, th);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.clearRect(0, 0, tw, th);
  ctx.drawImage(source, 0, 0, tw, th);
  return ctx.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}

/** A small RGBA image as a PNG blob, encoded here (no round trip to the browser). */
async function rgbaBlob(rgba: Uint8ClampedArray, width: number, height: number): Promise<Blob> {
  return new Blob([encodeRgbaPng(rgba, width, height) as Uint8Array<ArrayBuffer>], { type: 'image/png' });
}

function rgbToRgba(rgb: Uint8Array, n: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 3, o += 4) {
    out[o] = rgb[s];
    out[o + 1] = rgb[s + 1];
    out[o + 2] = rgb[s + 2];
    out[o + 3] = 255;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

function decodeProblemKind(e: unknown): ProblemKind {
  if (e instanceof ImageDecodeError) {
    if (e.reason === 'truncated') return 'truncated';
    if (e.reason === 'unsupported') return 'unsupported';
    if (e.reason === 'empty') return 'empty';
  }
  return 'corrupt';
}

const BITMAP_OPTIONS: ImageBitmapOptions = { colorSpaceConversion: 'none', premultiplyAlpha: 'none' };

/**
 * Whether the browser's decoder gives a label's values exactly: 8-bit gray or RGB PNGs (no alpha to
 * premultiply, no palette transparency; colour management is off). Others go through decodePng.
 */
function browserDecodesExactly(info: ImageInfo): boolean {
  return info.format === 'png' && info.bitDepth === 8 && (info.colorType === 0 || info.colorType === 2);
}

/** Why the browser could not decode a file, as precisely as we can tell (our PNG decoder names the damage). */
async function decodeProblem(file: File, path: string, format: ImageFormat, e: unknown): Promise<DatasetProblem> {
  if (format === 'png') {
    try {
      decodePng(new Uint8Array(await file.arrayBuffer()));
    } catch (pngError) {
      return { path, kind: decodeProblemKind(pngError), reason: errorMessage(pngError) };
    }
  }
  return { path, kind: 'corrupt', reason: `corrupt ${formatName(format)}: the browser cannot decode it (${errorMessage(e)})` };
}

function refused(index: number, problems: DatasetProblem[]): PairResult {
  return { index, ok: false, problems };
}

/** RGBA pixels of a bitmap (drawn on a reused canvas). */
function bitmapPixels(bitmap: ImageBitmap, canvasName: string): Uint8ClampedArray {
  const { width, height } = bitmap;
  const ctx = canvas(canvasName, width, height);
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, width, height).data;
}

/** The label's analysis, shared by files and sample frames; a refusal when the label is empty. */
async function finishPair(
  index: number,
  labelPath: string,
  label: DecodedImage,
  scheme: LabelScheme,
  thumbWidth: number,
  signature: Float32Array,
  thumbSource: CanvasImageSource,
): Promise<PairResult> {
  const { width, height } = label;
  let t0 = performance.now();
  const analysis = timed('label analysis', t0, analyseLabel(label.data, label.channels, width, height, scheme));
  if (analysis.foreground === 0) return refused(index, [{ path: labelPath, kind: 'no-class', reason: noClassReason(scheme) }]);
  t0 = performance.now();
  if (analysis.hoodValueMask) {
    const key = `${width}x${height}`;
    let est = estimators.get(key);
    if (!est && estimators.size < MAX_HOOD_SIZES) {
      est = new HoodEstimator(width, height);
      estimators.set(key, est);
    }
    est?.addVehicleMask(analysis.hoodValueMask);
    hoodRuns[index] = { runs: maskRuns(analysis.hoodValueMask), width, height };
  }
  timed('hood votes', t0, 0);
  t0 = performance.now();
  const { tw, th } = thumbSize(width, height, thumbWidth);
  // Both start now: the frame thumbnail is drawn from thumbSource before anything else can draw on it.
  const [thumb, labelThumb] = await Promise.all([
    frameThumb(thumbSource, tw, th),
    rgbaBlob(classOverlayRgba(analysis.classMap, width, height, scheme, tw, th, 255), tw, th),
  ]);
  timed('thumbnails', t0, 0);
  return { index, ok: true, width, height, counts: analysis.counts, signature, thumb, labelThumb };
}

/**
 * Files up to this size are read whole and, when PNG, decoded here in JavaScript: one read instead
 * of several round trips to the browser, which dominate for small images (a 15,000-pair set of
 * small frames indexes several times faster). Larger files: only their ends are read for the
 * checks, and the browser decodes them.
 */
const SMALL_FILE = 96 * 1024;

interface CheckedFile {
  file: File;
  path: string;
  info: ImageInfo;
  /** The whole file when it is small (SMALL_FILE), else null. */
  bytes: Uint8Array | null;
}

/** The header checks of a file; null (and a problem) when it cannot be read or is no usable image. */
async function checkFile(file: File, path: string, problems: DatasetProblem[]): Promise<CheckedFile | null> {
  try {
    let bytes: Uint8Array | null = null;
    let sniff: ImageSniff | null = null;
    if (file.size > SMALL_FILE) {
      const [head, tail] = await Promise.all([file.slice(0, HEAD_BYTES).arrayBuffer(), file.slice(file.size - TAIL_BYTES).arrayBuffer()]);
      sniff = sniffImageEnds(new Uint8Array(head), new Uint8Array(tail), file.size);
    }
    if (!sniff) {
      bytes = new Uint8Array(await file.arrayBuffer());
      sniff = sniffImage(bytes);
      if (file.size > SMALL_FILE) bytes = null; // read only to find a JPEG's header: do not keep it
    }
    if (!sniff.ok) {
      problems.push({ path, kind: sniff.kind, reason: sniff.reason });
      return null;
    }
    return { file, path, info: sniff, bytes };
  } catch (e) {
    problems.push({ path, kind: 'read-error', reason: `cannot read the file: ${errorMessage(e)}` });
    return null;
  }
}

/** A decode in progress: pixels (any channel count) or the problem that stopped it. */
type Decoding = () => Promise<DecodedImage | DatasetProblem>;

function pngProblem(path: string, e: unknown): DatasetProblem {
  return { path, kind: decodeProblemKind(e), reason: errorMessage(e) };
}

/**
 * Starts decoding a checked file. PNGs read whole are decoded in JavaScript when asked; others go
 * to the browser now (it decodes on its own threads meanwhile), except labels the browser would
 * not give exactly (browserDecodesExactly), which our PNG decoder reads.
 */
function startDecode(c: CheckedFile, role: 'frame' | 'label'): Decoding {
  const { file, path, info, bytes } = c;
  if (bytes && info.format === 'png') {
    return async () => {
      try {
        return decodePng(bytes);
      } catch (e) {
        return pngProblem(path, e);
      }
    };
  }
  if (role === 'label' && !browserDecodesExactly(info)) {
    return async () => {
      try {
        return decodePng(bytes ?? new Uint8Array(await file.arrayBuffer()));
      } catch (e) {
        return pngProblem(path, e);
      }
    };
  }
  const bitmap = createImageBitmap(bytes ? new Blob([bytes as Uint8Array<ArrayBuffer>]) : file, BITMAP_OPTIONS);
  bitmap.catch(() => undefined); // reported when awaited
  return async () => {
    let b: ImageBitmap;
    try {
      b = await bitmap;
    } catch (e) {
      return decodeProblem(file, path, info.format, e);
    }
    try {
      const rgba = bitmapPixels(b, role === 'frame' ? 'full' : 'label');
      return { width: b.width, height: b.height, channels: 4, data: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length) };
    } finally {
      b.close();
    }
  };
}

interface PreparedPair {
  pair: FilePairJob;
  problems: DatasetProblem[];
  frame: Decoding | null;
  label: Decoding | null;
}

/** Checks both files' headers and starts decoding when all is well. */
async function prepare(pair: FilePairJob): Promise<PreparedPair> {
  const problems: DatasetProblem[] = [];
  const t0 = performance.now();
  const [fc, lc] = await Promise.all([checkFile(pair.frame, pair.framePath, problems), checkFile(pair.label, pair.labelPath, problems)]);
  timed('read and check files', t0, 0);
  const out: PreparedPair = { pair, problems, frame: null, label: null };
  if (lc && lc.info.format !== 'png') {
    problems.push({
      path: pair.labelPath,
      kind: 'label-not-png',
      reason: `label holds ${formatName(lc.info.format)} data: labels must be PNG (lossy formats change the class ids)`,
    });
  }
  if (fc && lc && problems.length === 0 && (fc.info.width !== lc.info.width || fc.info.height !== lc.info.height)) {
    problems.push({ path: pair.labelPath, kind: 'size-mismatch', reason: sizeMismatchReason(lc.info.width, lc.info.height, fc.info.width, fc.info.height) });
  }
  if (fc && lc && problems.length === 0) {
    out.label = startDecode(lc, 'label');
    out.frame = startDecode(fc, 'frame');
  }
  return out;
}

async function indexPrepared(p: PreparedPair, scheme: LabelScheme, thumbWidth: number): Promise<PairResult> {
  const { pair } = p;
  if (p.problems.length > 0 || !p.frame || !p.label) return refused(pair.index, p.problems);
  let t0 = performance.now();
  const label = await p.label();
  timed('decode label', t0, 0);
  t0 = performance.now();
  const frame = await p.frame();
  timed('decode frame', t0, 0);
  if (!('data' in frame)) return refused(pair.index, [frame]);
  if (!('data' in label)) return refused(pair.index, [label]);
  const { width, height } = frame;
  if (width !== label.width || height !== label.height) {
    return refused(pair.index, [{ path: pair.labelPath, kind: 'size-mismatch', reason: sizeMismatchReason(label.width, label.height, width, height) }]);
  }
  t0 = performance.now();
  const signature = thumbnailSignature(frame.data, width, height, frame.channels);
  timed('signature', t0, 0);
  // The thumbnail is drawn from the 'full' canvas; from here to that draw nothing awaits, so no
  // other pair in flight can draw on it in between.
  const rgba = frame.channels === 4 ? new Uint8ClampedArray(frame.data.buffer, frame.data.byteOffset, frame.data.length) : toRgba(frame);
  const ctx = canvas('full', width, height);
  ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return finishPair(pair.index, pair.labelPath, label, scheme, thumbWidth, signature, ctx.canvas);
}

// ---------------------------------------------------------------------------------------------
// Jobs

async function runIndex(request: IndexRequest): Promise<void> {
  job = request;
  stages = {};
  estimators.clear();
  const started = performance.now();
  const { jobId, scheme, thumbWidth, source } = request;
  const total = source.kind === 'files' ? source.pairs.length : source.count;
  const pairCount = source.kind === 'files' ? source.pairs.reduce((m, p) => Math.max(m, p.index + 1), 0) : source.count;
  hoodRuns = new Array<HoodValueRuns | null>(pairCount).fill(null);
  let pending: PairResult[] = [];
  let done = 0;
  let lastPost = performance.now();
  const flush = () => {
    if (pending.length === 0) return;
    const transfer: Transferable[] = [];
    for (const r of pending) if (r.ok) transfer.push(r.signature.buffer as ArrayBuffer);
    scope.postMessage({ type: 'results', jobId, results: pending, done, total }, transfer);
    pending = [];
    lastPost = performance.now();
  };
  const add = (r: PairResult) => {
    pending.push(r);
    done++;
    if (performance.now() - lastPost >= BATCH_MS) flush();
  };

  if (source.kind === 'files') {
    // A few pairs in flight: file reads and the browser's decoding wait on other threads, so
    // their waits overlap; the JavaScript parts still run one at a time. Results are by index,
    // so the order they finish in changes nothing.
    let next = 0;
    const lane = async () => {
      while (next < total) {
        const pair = source.pairs[next++];
        try {
          add(await indexPrepared(await prepare(pair), scheme, thumbWidth));
        } catch (e) {
          add(refused(pair.index, [{ path: pair.framePath, kind: 'corrupt', reason: `cannot be indexed: ${errorMessage(e)}` }]));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, total) }, lane));
  } else {
    for (let i = 0; i < source.count; i++) {
      const t0 = performance.now();
      const f = timed('generate sample', t0, generateSampleFrame(i, { seed: source.seed, width: source.width, height: source.height }));
      const n = f.width * f.height;
      const ctx = canvas('full', f.width, f.height);
      ctx.putImageData(new ImageData(rgbToRgba(f.rgb, n), f.width, f.height), 0, 0);
      const signature = thumbnailSignature(f.rgb, f.width, f.height, 3);
      const label: DecodedImage = { width: f.width, height: f.height, channels: 3, data: f.label };
      add(await finishPair(i, `sample ${i}`, label, scheme, thumbWidth, signature, ctx.canvas));
    }
  }
  flush();

  let hood: HoodEstimateMessage | null = null;
  let best: [string, HoodEstimator] | null = null;
  for (const e of estimators) if (!best || e[1].frameCount > best[1].frameCount) best = e;
  if (best) {
    const est = best[1];
    hood = { width: est.width, height: est.height, frames: est.frameCount, mask: est.result(HOOD_AGREEMENT), agreement: HOOD_AGREEMENT };
  }
  const overlaps = hood?.mask ? hoodOverlaps(hoodRuns, { mask: hood.mask, width: hood.width, height: hood.height }) : null;
  scope.postMessage({ type: 'done', jobId, hood, hoodOverlaps: overlaps, elapsedMs: performance.now() - started, stages });
}

async function preview(requestId: number, index: number): Promise<void> {
  if (!job) throw new Error('no dataset loaded');
  const { scheme, source } = job;
  let label: DecodedImage;
  let frame: ImageBitmap;
  if (source.kind === 'files') {
    const pair = source.pairs.find((p) => p.index === index);
    if (!pair) throw new Error(`no pair ${index}`);
    const [frameBitmap, labelBytes] = await Promise.all([createImageBitmap(pair.frame, BITMAP_OPTIONS), pair.label.arrayBuffer()]);
    frame = frameBitmap;
    label = decodePng(new Uint8Array(labelBytes));
  } else {
    const f = generateSampleFrame(index, { seed: source.seed, width: source.width, height: source.height });
    frame = await createImageBitmap(new ImageData(rgbToRgba(f.rgb, f.width * f.height), f.width, f.height));
    label = { width: f.width, height: f.height, channels: 3, data: f.label };
  }
  const { classMap } = analyseLabel(label.data, label.channels, label.width, label.height, scheme);
  const overlay = classOverlayRgba(classMap, label.width, label.height, scheme) as Uint8ClampedArray<ArrayBuffer>;
  const labelBitmap = await createImageBitmap(new ImageData(overlay, label.width, label.height));
  scope.postMessage({ type: 'preview', requestId, index, width: frame.width, height: frame.height, frame, label: labelBitmap }, [frame, labelBitmap]);
}

scope.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'index') {
    runIndex(m).catch((e) => scope.postMessage({ type: 'failed', jobId: m.jobId, message: errorMessage(e) }));
  } else if (m.type === 'preview') {
    preview(m.requestId, m.index).catch((e) => scope.postMessage({ type: 'preview-failed', requestId: m.requestId, message: errorMessage(e) }));
  } else if (m.type === 'hood-overlaps') {
    const overlaps = hoodOverlaps(hoodRuns, m.hood);
    scope.postMessage({ type: 'hood-overlaps', requestId: m.requestId, overlaps }, [overlaps.buffer]);
  }
};
