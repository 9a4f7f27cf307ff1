/**
 * The viewer's tensors: runs the network on one frame and keeps the crop-sized probabilities and
 * the frame itself on the backend, so post-processing settings and views can change and the frame
 * be drawn again without running the network. Post-processing, the overlay and the scores stay on
 * the backend: a render reads back only a few numbers (pixel counts and the grader's counts), and
 * drawing reads back nothing on WebGPU, the drawn frame's RGBA bytes once elsewhere
 * (`canvasDraw.ts`). The masks are read back only when asked for (exports, answer files). Where the
 * tensors live in page memory (wasm, CPU: JavaScript composition) the probabilities are read once
 * per frame instead, and every render (each slider move) is plain JavaScript over them; on those
 * backends the network itself runs in a worker (`src/worker/networkClient.ts`), since their
 * kernels run on the calling thread and would freeze the page for the network's seconds. The
 * network's time is measured with a four-value fence read (in the worker: its own clock).
 */
import * as tf from '@tensorflow/tfjs';
import type { HoodMask } from '../data/hoodFile';
import { frameProblem, framesToInput, writeRgbFloats, type FramePixels } from '../inference/frameInput';
import { backendConvertsFrames, framePixelsAttrs, pixelsOnBackend, uploadFrameBytes } from '../inference/framePixelsKernel';
import { challengeChannels, probabilitiesAtCropSize } from '../inference/frameMasks';
import { FoldedLinkNet } from '../model/foldedLinkNet';
import type { LinkNetModel } from '../model/linkNetModel';
import { channelInFrame, probabilitiesToMasks, probabilitiesToMasksCpu, splitMaskValues, type CpuMasks } from '../postprocess/masks';
import type { PostprocessSettings } from '../postprocess/settings';
import type { ViewSettings } from '../state/viewerStore';
import { drawImage, drawPath, readImageRgba, type DrawPath } from './canvasDraw';
import { FoldedNetCache } from './foldedNetCache';
import { NetworkWorkerUnavailable, offPageNetworkFor, type OffPageNetwork } from '../worker/networkClient';
import { composeMethod, composePacked, isPacked, type ComposeMethod, type ComposedImage } from './composePacked';
import { frameCounts, type FrameCounts } from './frameScores';
import type { TruthMasks } from './groundTruth';
import { composeView } from './overlay';
import { maskStatsFromValues, maskStatsGpu, type MaskStats } from './overlayGpu';

export interface InferenceTimings {
  upload: number;
  network: number;
  /** The lowest and highest probability of each class over the crop (from the fence read). */
  ranges: ProbabilityRanges;
}

export interface ProbabilityRanges {
  car: [number, number];
  road: [number, number];
}

export interface RenderResult {
  /** The frame's size (the masks' size). */
  width: number;
  height: number;
  /** The composed image's width (twice the frame's side by side). */
  drawnWidth: number;
  carPixels: number;
  roadPixels: number;
  /** The grader's counts of this frame against its ground truth, or null without one. */
  counts: FrameCounts | null;
  /** How the image was composed. */
  composeMethod: ComposeMethod;
  /** Post-processing, overlay composition and the read of the counts (ms). */
  ms: number;
}

/** The frame's pixels as a [H, W, 3] float32 tensor of byte values. */
function frameTensor(frame: FramePixels, uploaded: tf.Tensor1D | null): tf.Tensor3D {
  if (uploaded) {
    return tf.tidy(() => tf.reshape(pixelsOnBackend(uploaded, framePixelsAttrs(frame, 1, 0, frame.height)), [frame.height, frame.width, 3]));
  }
  const values = new Float32Array(frame.width * frame.height * 3);
  writeRgbFloats(frame, 0, frame.width * frame.height, values, 0);
  return tf.tensor3d(values, [frame.height, frame.width, 3], 'float32');
}

/** A tensor made from a CPU value, remade only when the value (by identity) changes. */
class KeptUpload<S> {
  private kept: { source: S; tensor: tf.Tensor } | null = null;

  get<T extends tf.Tensor>(source: S, make: (s: S) => T): T {
    if (this.kept?.source !== source) {
      this.kept?.tensor.dispose();
      this.kept = { source, tensor: make(source) };
    }
    return this.kept.tensor as T;
  }

  dispose(): void {
    const kept = this.kept;
    this.kept = null;
    kept?.tensor.dispose();
  }
}

export class FrameProblemError extends Error {}

/** RGBA bytes of a frame (a copy when it has another channel count). */
function rgbaOf(frame: FramePixels): Uint8ClampedArray {
  if (frame.channels === 4) return frame.data instanceof Uint8ClampedArray ? frame.data : new Uint8ClampedArray(frame.data);
  const n = frame.width * frame.height;
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = frame.data[frame.channels * i + k]!;
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

/** 0/1 car and road masks of a frame, with the frame's size. */
export type FrameMasks = CpuMasks & { width: number; height: number };

/** What the last frame has at one pixel: each class's probability (null outside the crop, where the network does not look) and mask bit. */
export interface PixelProbe {
  car: { p: number | null; mask: boolean };
  road: { p: number | null; mask: boolean };
}

/** The lowest and highest value of channel `c` of HWC values with `channels` channels. */
export function channelRange(values: Float32Array, channels: number, c: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = c; i < values.length; i += channels) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

export class ViewerEngine {
  private probs: tf.Tensor3D | null = null;
  /** The frame's pixels: [H, W, 3] on the backend for a backend composition, RGBA bytes for JavaScript's. */
  private frame: tf.Tensor3D | Uint8ClampedArray | null = null;
  /** The kept probabilities' values, read once per frame (JavaScript composition, threshold search). */
  private probValues: { of: tf.Tensor3D; values: Float32Array } | null = null;
  private model: LinkNetModel | null = null;
  /**
   * The last render's masks: [H, W, 2] on the backend (backend composition), or in page memory
   * with their size (JavaScript composition, so exports need no read).
   */
  private masks: tf.Tensor3D | FrameMasks | null = null;
  /** The last render's composed image. */
  private overlay: ComposedImage | null = null;
  private readonly hood = new KeptUpload<HoodMask>();
  private readonly truth = new KeptUpload<TruthMasks>();
  /** The network each frame runs: the model with BatchNorm folded and conv + bias + ReLU fused. */
  private readonly nets = new FoldedNetCache<LinkNetModel, FoldedLinkNet>((model) => FoldedLinkNet.fromModelInSteps(model));
  /** Network runs so far (a settings change must not add one). */
  runs = 0;

  /**
   * `method`: how renders compose the image (default: the backend's best, `composeMethod()`).
   * `offPage`: where the network runs instead of the page's thread, for the page's backend (default:
   * a worker for wasm and CPU, `offPageNetworkFor`), or null to run it here.
   */
  constructor(
    private readonly method: ComposeMethod | null = null,
    private readonly offPage: (backend: string) => OffPageNetwork | null = offPageNetworkFor,
  ) {}

  /** Set when the network worker could not start the backend: the page runs the network from then on. */
  private offPageFailed = false;

  private get composeWith(): ComposeMethod {
    return this.method ?? composeMethod();
  }

  /** True when a frame's probabilities are kept. */
  get hasProbabilities(): boolean {
    return this.probs !== null;
  }

  /** The kept crop-sized probabilities [rows, W, C] (owned by the engine: do not dispose). */
  get probabilities(): tf.Tensor3D | null {
    return this.probs;
  }

  /** True when a rendered image is kept (it can be drawn again). */
  get hasOverlay(): boolean {
    return this.overlay !== null;
  }

  /**
   * Runs the network on a frame; keeps its probabilities and (unless `keepPixels` is false: no
   * render will follow, as in the threshold search) its pixels, replacing the previous frame's.
   * The model's first frame also folds it (FoldedNetCache; not counted in the timings).
   */
  async infer(model: LinkNetModel, frame: FramePixels, name: string, { keepPixels = true } = {}): Promise<InferenceTimings> {
    const spec = model.config.input;
    const problem = frameProblem(frame, spec);
    if (problem) throw new FrameProblemError(`${name}: ${problem}`);
    const offPage = this.offPageFailed ? null : this.offPage(tf.getBackend());
    if (offPage) {
      try {
        return await this.inferOffPage(offPage, model, frame, keepPixels);
      } catch (e) {
        if (!(e instanceof NetworkWorkerUnavailable)) throw e;
        this.offPageFailed = true;
        console.warn(`${e.message}: the viewer runs the network on the page`);
      }
    }
    const roles = challengeChannels(model.config.classes);
    const net = await this.nets.get(model);
    const t0 = performance.now();
    // Where the backend converts frames, their bytes go up once for both the input and the pixels.
    const uploaded = backendConvertsFrames() ? uploadFrameBytes([frame]) : null;
    let input: tf.Tensor4D;
    let pixels: tf.Tensor3D | Uint8ClampedArray | null;
    try {
      input = framesToInput([frame], spec, uploaded ?? undefined);
      pixels = !keepPixels ? null : this.composeWith === 'javascript' ? rgbaOf(frame) : frameTensor(frame, uploaded);
    } finally {
      uploaded?.dispose();
    }
    const t1 = performance.now();
    let probs: tf.Tensor3D;
    try {
      probs = tf.tidy(() => {
        const p = net.predict(input);
        return tf.squeeze(probabilitiesAtCropSize(p, spec), [0]) as tf.Tensor3D;
      });
    } catch (e) {
      if (pixels instanceof tf.Tensor) pixels.dispose();
      throw e;
    } finally {
      input.dispose();
    }
    // A four-value fence (each class's lowest and highest probability): the network's time,
    // without reading its output back.
    const fence = tf.tidy(() => {
      const [rows, width] = probs.shape;
      const channel = (c: number) => tf.slice(probs, [0, 0, c], [rows, width, 1]);
      return tf.stack([tf.min(channel(roles.car)), tf.max(channel(roles.car)), tf.min(channel(roles.road)), tf.max(channel(roles.road))]);
    });
    const range = await fence.data();
    fence.dispose();
    const t2 = performance.now();
    this.clear();
    this.probs = probs;
    this.frame = pixels;
    this.runs++;
    this.model = model;
    return { upload: t1 - t0, network: t2 - t1, ranges: { car: [range[0]!, range[1]!], road: [range[2]!, range[3]!] } };
  }

  /** `infer` with the network elsewhere: the probabilities come back as values, kept as a tensor and as the values (read once already). */
  private async inferOffPage(offPage: OffPageNetwork, model: LinkNetModel, frame: FramePixels, keepPixels: boolean): Promise<InferenceTimings> {
    const t0 = performance.now();
    const { values, shape, networkMs, setupMs } = await offPage.run(model, frame);
    const roles = challengeChannels(model.config.classes);
    const ranges = { car: channelRange(values, shape[2], roles.car), road: channelRange(values, shape[2], roles.road) };
    const probs = tf.tensor3d(values, shape, 'float32');
    const pixels = !keepPixels ? null : this.composeWith === 'javascript' ? rgbaOf(frame) : frameTensor(frame, null);
    this.clear();
    this.probs = probs;
    this.probValues = { of: probs, values };
    this.frame = pixels;
    this.runs++;
    this.model = model;
    // The time that is not the network's: the pixels going over, the values coming back, the
    // tensor (a new model's hand-over, like its fold on the page, is not counted).
    return { upload: performance.now() - t0 - setupMs - networkMs, network: networkMs, ranges };
  }

  /**
   * Post-processes the kept probabilities with `settings`, composes the image `view` asks for and
   * counts pixels (and, with `truth`, the grader's counts); keeps masks and image for drawing and
   * exports.
   */
  async render(settings: PostprocessSettings, hood: HoodMask | null, view: ViewSettings, truth: TruthMasks | null): Promise<RenderResult> {
    const { probs, frame, model } = this;
    if (!probs || !model) throw new Error('no frame has been run through the model yet');
    if (!frame) throw new Error('the frame was run without keeping its pixels: nothing to render');
    const spec = model.config.input;
    const channels = challengeChannels(model.config.classes);
    const placement = { frameWidth: spec.frameWidth, frameHeight: spec.frameHeight, cropTop: spec.cropTop, cropBottom: spec.cropBottom };
    const { frameWidth: w, frameHeight: h } = placement;
    const t0 = performance.now();
    const hoodOfFrame = hood && hood.width === w && hood.height === h ? hood : null;
    const truthMasks = truth && truth.width === w && truth.height === h ? truth : null;
    // The truth on the backend, for a backend composition's counts (uploaded once per truth).
    const truthTensor = () =>
      truthMasks
        ? this.truth.get(truthMasks, (t) => tf.tidy(() => tf.stack([tf.tensor2d(Float32Array.from(t.car), [h, w]), tf.tensor2d(Float32Array.from(t.road), [h, w])], 2) as tf.Tensor3D))
        : null;
    const heatOf = (): tf.Tensor2D | null => {
      if (view.mode !== 'heat') return null;
      const rows = spec.cropBottom - spec.cropTop;
      return tf.pad(tf.slice(probs, [0, 0, channels[view.focus]], [rows, w, 1]).reshape([rows, w]), [
        [spec.cropTop, h - spec.cropBottom],
        [0, 0],
      ]) as tf.Tensor2D;
    };
    const method = this.composeWith;
    let overlay: ComposedImage;
    let stats: MaskStats;
    if (method === 'javascript' || !(frame instanceof tf.Tensor)) {
      // The tensors live in page memory: the probabilities are read once per frame; thresholds,
      // morphology, hood, counts and the image are JavaScript over them.
      if (frame instanceof tf.Tensor) throw new Error('the frame was kept for a backend composition');
      const values = await this.probabilityValues(probs);
      const c = probs.shape[2];
      const predicted = probabilitiesToMasksCpu(values, c, channels, placement, settings, hoodOfFrame?.mask ?? null);
      const heat = view.mode === 'heat' ? channelInFrame(values, c, channels[view.focus], placement) : null;
      const counts = truthMasks ? frameCounts(predicted, truthMasks) : null;
      stats = { carPixels: count(predicted.car), roadPixels: count(predicted.road), counts: counts && { car: counts.car, road: counts.road } };
      const composed = composeView(frame, predicted, truthMasks, heat, view, w, h);
      overlay = { rgba: composed.rgba, width: composed.width, height: h };
      this.replaceRender({ ...predicted, width: w, height: h }, overlay);
    } else {
      const truthT = truthTensor();
      // The hood on the backend (uploaded once per hood).
      const hoodT = hoodOfFrame && this.hood.get(hoodOfFrame, (m) => tf.tensor2d(Float32Array.from(m.mask), [h, w], 'float32'));
      const kept = tf.tidy(() => {
        const masks = probabilitiesToMasks(probs, channels, placement, settings, hoodT);
        const { packed, width } = composePacked({ frame, masks, heat: heatOf(), truth: truthT }, view, method);
        return { masks, packed, width, stats: maskStatsGpu(masks, truthT) };
      });
      overlay = { packed: kept.packed, width: kept.width, height: h };
      this.replaceRender(kept.masks, overlay);
      const values = await kept.stats.data();
      kept.stats.dispose();
      stats = maskStatsFromValues(values);
    }
    return { width: w, height: h, drawnWidth: overlay.width, composeMethod: method, carPixels: stats.carPixels, roadPixels: stats.roadPixels, counts: stats.counts, ms: performance.now() - t0 };
  }

  /** Keeps a render's result: its masks on the backend or in page memory, and its image. */
  private replaceRender(masks: tf.Tensor3D | FrameMasks, overlay: ComposedImage): void {
    if (this.masks instanceof tf.Tensor) this.masks.dispose();
    this.disposeOverlay();
    this.masks = masks;
    this.overlay = overlay;
  }

  /** The values of `probs` (the kept probabilities), read back at most once. */
  private async probabilityValues(probs: tf.Tensor3D): Promise<Float32Array> {
    if (this.probValues?.of !== probs) {
      const values = (await probs.data()) as Float32Array;
      this.probValues = { of: probs, values };
    }
    return this.probValues.values;
  }

  private disposeOverlay(): void {
    if (this.overlay && isPacked(this.overlay)) this.overlay.packed.dispose();
    this.overlay = null;
  }

  /** Draws the last rendered image on the canvas; returns the time taken (ms). */
  async draw(canvas: HTMLCanvasElement, path: DrawPath = drawPath()): Promise<{ ms: number; path: DrawPath }> {
    if (!this.overlay) throw new Error('nothing has been rendered yet');
    const t0 = performance.now();
    const taken = await drawImage(this.overlay, canvas, path);
    return { ms: performance.now() - t0, path: taken };
  }

  /** The last render's 0/1 masks, read back (for exports and answer files). */
  async readMasks(): Promise<FrameMasks> {
    const masks = this.masks;
    if (!masks) throw new Error('nothing has been rendered yet');
    if (!(masks instanceof tf.Tensor)) return masks;
    const [height, width] = masks.shape;
    return { ...splitMaskValues(await masks.data(), width * height), width, height };
  }

  /** The last rendered image's RGBA bytes (for the overlay export). */
  async readOverlay(): Promise<{ rgba: Uint8ClampedArray; width: number; height: number }> {
    const overlay = this.overlay;
    if (!overlay) throw new Error('nothing has been rendered yet');
    return { rgba: await readImageRgba(overlay), width: overlay.width, height: overlay.height };
  }

  /**
   * The probabilities and masks of the last render at frame pixel (`x`, `y`) (null outside the
   * frame, or before a render). Reads back only that pixel's values where they live on a backend.
   */
  async probe(x: number, y: number): Promise<PixelProbe | null> {
    const { probs, masks, model } = this;
    if (!probs || !masks || !model) return null;
    const spec = model.config.input;
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= spec.frameWidth || y >= spec.frameHeight) return null;
    const roles = challengeChannels(model.config.classes);
    const [rows, width, channels] = probs.shape;
    const row = y - spec.cropTop;
    const inCrop = row >= 0 && row < rows;
    // The pixel's values cut out at once (the frame may be replaced while they are read back).
    const kept = this.probValues?.of === probs ? this.probValues.values : null;
    const pSlice = inCrop && !kept ? tf.slice(probs, [row, x, 0], [1, 1, channels]) : null;
    const maskSlice = masks instanceof tf.Tensor ? tf.slice(masks, [y, x, 0], [1, 1, 2]) : null;
    let p: ArrayLike<number> | null = null;
    let bits: [boolean, boolean];
    try {
      if (inCrop) p = kept ? kept.subarray((row * width + x) * channels, (row * width + x + 1) * channels) : await pSlice!.data();
      if (maskSlice) {
        const v = await maskSlice.data();
        bits = [v[0]! > 0.5, v[1]! > 0.5];
      } else {
        const m = masks as FrameMasks;
        bits = [m.car[y * m.width + x] === 1, m.road[y * m.width + x] === 1];
      }
    } finally {
      pSlice?.dispose();
      maskSlice?.dispose();
    }
    return { car: { p: p ? p[roles.car]! : null, mask: bits[0] }, road: { p: p ? p[roles.road]! : null, mask: bits[1] } };
  }

  /** The kept crop-sized probabilities read back (HWC), with their shape (for the threshold search). */
  async readProbabilities(): Promise<{ values: Float32Array; rows: number; width: number; channels: number }> {
    const probs = this.probs;
    if (!probs) throw new Error('no frame has been run through the model yet');
    const [rows, width, channels] = probs.shape;
    return { values: await this.probabilityValues(probs), rows, width, channels };
  }

  /** Drops the kept frame, probabilities and renders (e.g. when the model changes). */
  clear(): void {
    const kept = [this.probs, this.frame, this.masks, this.overlay && isPacked(this.overlay) ? this.overlay.packed : null];
    this.probValues = null;
    this.probs = null;
    this.frame = null;
    this.masks = null;
    this.overlay = null;
    this.model = null;
    for (const t of kept) if (t instanceof tf.Tensor) t.dispose();
  }

  dispose(): void {
    this.clear();
    this.hood.dispose();
    this.truth.dispose();
    this.nets.dispose();
  }

  /**
   * Forgets everything kept on a backend that is gone (its GPU device was lost and the backend
   * made anew): the frame, renders, hood and truth uploads and the folded network are made again
   * on the new backend when next needed.
   */
  dropLostBackend(): void {
    for (const drop of [() => this.clear(), () => this.hood.dispose(), () => this.truth.dispose(), () => this.nets.dispose()]) {
      try {
        drop();
      } catch {
        // the tensors belonged to the lost device's backend
      }
    }
  }
}
