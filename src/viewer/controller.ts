/**
 * The Viewer tab's work, outside React: holds the dropped files, the current frame's pixels and
 * ground truth, the engine (kept probabilities), the video being played, and draws on the canvas
 * the panel attaches. Settings changes re-render from the kept probabilities; a new frame or a new
 * model runs the network. Every failure is reported in the store naming its file; what was loaded
 * stays.
 */
import type { HoodMask } from '../data/hoodFile';
import { hoodFromPng } from '../data/hoodFile';
import { AnswerFileWriter, scoreAnswerAgainstTruth } from '../io/answerFile';
import { decodePng, type DecodedImage } from '../io/png';
import type { LinkNetModel } from '../model/linkNetModel';
import { useDatasetStore } from '../state/datasetStore';
import { modelSession } from '../state/modelSession';
import type { PostprocessSettings } from '../postprocess/settings';
import { useViewerStore, type FrameReport, type ViewerEntry } from '../state/viewerStore';
import { AnswerFrameEncoder } from '../worker/answerEncodeClient';
import { openDecodedVideoInWorker } from '../worker/videoDecodeClient';
import { loadedAhead, OneAhead } from '../util/loadedAhead';
import { datasetFrameList, loadDatasetFrame } from './datasetFrames';
import { decodeImageFile, fitFrame, grabVideoFrame, type DecodedFrame, type FrameSize } from './decodeFrame';
import { labelAtSize } from './labelFit';
import { FrameProblemError, ViewerEngine, type PixelProbe, type ProbabilityRanges, type RenderResult } from './engine';
import { downloadFile, downloadFiles } from '../util/browserDownload';
import { binaryMaskFiles, colouredMaskFile, exportStem, frameExportStem, overlayFile, type ExportFile } from './exports';
import { clearCanvas, drawPath, drawRgbaFrame, type DrawPath } from './canvasDraw';
import { FrameScores } from './frameScores';
import { viewerItemsFromFiles, type ListedFile, type ViewerItem } from './frameSources';
import { truthFromLabelPixels, type TruthMasks } from './groundTruth';
import { emptyTimings, RateMeter, singleFrameRate, type StageTimings } from './timings';
import { isDecodedVideo, type DecodedVideo, type DecodedVideoFrame, type UndecodableVideo } from './decodedVideo';
import { OverlayVideoWriter } from './overlayVideo';
import { everyFrame, EXPORT_PLAYBACK_RATE } from './videoFrames';
import { ViewerVideo } from './viewerVideo';
import { nextTask } from '../util/nextTask';
import { errorMessage } from '../util/errorMessage';

export const NO_MODEL_MESSAGE = 'There is no model yet: create one with "New model" in the model panel, import a model file or load a saved one.';

/** A frame of the Dataset panel's dataset (decoded by its worker, with its label). */
interface DatasetItem {
  kind: 'dataset';
  path: string;
  pairIndex: number;
}

interface CurrentFrame {
  key: string;
  path: string;
  pixels: DecodedFrame;
  label: DecodedImage | null;
  labelPath: string | null;
}

/** One pixel of the current frame: the network's probabilities and masks there, and the label's classes (null without a label). */
export interface PixelReport extends PixelProbe {
  x: number;
  y: number;
  truth: { car: boolean; road: boolean } | null;
}

/** An answer file and how it was made (`method`: how a video's frames were read). */
interface AnswerExport {
  json: string;
  frames: number;
  /** Frames the <video> element skipped (0 when decoded frame by frame). */
  missed: number;
  source: string;
  method: string | null;
  /** Frames drawn at the model's frame size (`to`) from another size (the first such: `from`). */
  resized: { frames: number; from: FrameSize; to: FrameSize } | null;
}

/** How the frames of an answer file were read (`frames`: as counted by the reader, else null). */
type FramesRead = Omit<AnswerExport, 'json' | 'frames' | 'resized'> & { frames: number | null };

/** Answer-file frames whose masks may wait for their encoding at once. */
const MAX_ENCODINGS_WAITING = 3;

/** Adds the rendered frame's masks to the answer file (`what` names the frame in a failure). */
type AddFrame = (r: RenderResult | null, what: string, total: number | null) => Promise<void>;

/** An export stopped by the user after `frames` frames. */
class ExportCancelled extends Error {
  constructor(
    readonly frames: number,
    what = 'answer-file',
  ) {
    super(`The ${what} export was cancelled after ${frames} frames; nothing was downloaded.`);
  }
}

/** `file` opened for frame-by-frame decoding in a worker, or why not (a worker that fails to start included). */
function decodeFrameByFrame(file: Blob, size: FrameSize | null): Promise<DecodedVideo | UndecodableVideo> {
  return openDecodedVideoInWorker(file, size).catch((e: unknown) => ({ reason: errorMessage(e) }));
}

function sizeText({ width, height }: FrameSize): string {
  return `${width}x${height}`;
}

/** The frame size `model` takes (frames of another size are drawn at it). */
function frameSizeOf(model: LinkNetModel): FrameSize {
  return { width: model.config.input.frameWidth, height: model.config.input.frameHeight };
}

/** The current model's frame size, or null without a model. */
function modelFrameSize(): FrameSize | null {
  return modelSession.linkNet ? frameSizeOf(modelSession.linkNet) : null;
}

/**
 * `label` for `pixels` (decoded at the model's frame size, perhaps from another): it must have the
 * size of the source image, and is fitted with it.
 */
function labelFor(pixels: DecodedFrame, label: DecodedImage, labelPath: string | null): DecodedImage {
  const source = pixels.resizedFrom ?? pixels;
  if (label.width !== source.width || label.height !== source.height) {
    throw new Error(`${labelPath ?? 'label'}: the label is ${label.width}x${label.height}, its frame ${source.width}x${source.height}`);
  }
  return labelAtSize(label, pixels);
}

/** The model session's network, or the message that there is none. */
function currentModel(): LinkNetModel {
  if (!modelSession.linkNet) throw new Error(NO_MODEL_MESSAGE);
  return modelSession.linkNet;
}

export class ViewerController {
  private readonly engine = new ViewerEngine();
  private items: (ViewerItem<File> | DatasetItem)[] = [];
  private current: CurrentFrame | null = null;
  private video: ViewerVideo | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private importedHood: HoodMask | null = null;
  private truthCache: { hood: HoodMask | null; key: string; truth: TruthMasks } | null = null;
  private readonly scores = new FrameScores();
  private readonly meter = new RateMeter();
  private timings: StageTimings = emptyTimings();
  private ranges: ProbabilityRanges | null = null;
  private rendering = false;
  private renderAgain = false;
  private openRequest = 0;
  /** The last render of the current frame (its masks and image are kept by the engine). */
  private last: RenderResult | null = null;
  private exporting = false;
  private cancelRequested = false;
  /** The next image of the list, decoded while the current one runs (stepping forward then skips the decode). */
  private readonly nextImage = new OneAhead<File, DecodedFrame>();

  constructor() {
    useViewerStore.subscribe((s, prev) => {
      if (s.settings !== prev.settings || s.view !== prev.view || s.hoodChoice !== prev.hoodChoice) this.scheduleRender();
    });
    useDatasetStore.subscribe((s, prev) => {
      if (s.hood.mask !== prev.hood.mask && useViewerStore.getState().hoodChoice === 'dataset') this.scheduleRender();
    });
    modelSession.onChange((_info, restored) => {
      // Restored after a lost GPU device: everything kept on the old backend went with it.
      if (restored) this.engine.dropLostBackend();
      else this.engine.clear();
      this.scores.clear();
      if (restored) this.store.setState({ error: null });
      if (this.current) void this.runCurrent();
    });
  }

  private store = useViewerStore;

  attachCanvas(canvas: HTMLCanvasElement | null): void {
    this.canvas = canvas;
    if (canvas && this.last && this.engine.hasOverlay) {
      this.engine.draw(canvas).catch((e: unknown) => this.store.setState({ error: errorMessage(e) }));
    }
  }

  // ------------------------------------------------------------------ hood

  /** The hood mask in use for removal and ground truth, or null. */
  activeHood(): HoodMask | null {
    const choice = this.store.getState().hoodChoice;
    if (choice === 'imported') return this.importedHood;
    if (choice === 'dataset') return useDatasetStore.getState().hood.mask;
    return null;
  }

  async importHood(file: File): Promise<void> {
    try {
      const size = this.current ? { width: this.current.pixels.width, height: this.current.pixels.height } : null;
      this.importedHood = hoodFromPng(new Uint8Array(await file.arrayBuffer()), file.name, size);
      this.store.setState({ importedHoodName: file.name, hoodChoice: 'imported', error: null, notice: `Hood imported from ${file.name}` });
      this.scheduleRender();
    } catch (e) {
      this.store.setState({ error: errorMessage(e).startsWith(file.name) ? errorMessage(e) : `${file.name}: ${errorMessage(e)}` });
    }
  }

  // ------------------------------------------------------------------ files

  /** The list as the store shows it (a video never has a label; a dataset frame always has). */
  private listEntries(): ViewerEntry[] {
    return this.items.map((i) => ({ kind: i.kind, path: i.path, hasLabel: i.kind === 'dataset' || i.label !== null }));
  }

  /** Adds dropped or picked files (paths relative to what was dropped); opens the first new one. */
  async addFiles(listed: readonly ListedFile<File>[]): Promise<void> {
    const { items, problems } = viewerItemsFromFiles(listed);
    const first = this.items.length;
    this.items = [...this.items, ...items];
    // A notice (an export's, an import's) is about what was there before: it goes.
    this.store.setState((s) => ({
      entries: this.listEntries(),
      notice: null,
      problems: [...s.problems, ...problems],
      error: items.length === 0 && problems.length > 0 ? `${problems[0]!.path}: ${problems[0]!.reason}` : s.error,
    }));
    if (items.length > 0) await this.open(first);
  }

  clearFiles(): void {
    this.stopVideo();
    this.items = [];
    this.nextImage.clear();
    this.current = null;
    this.last = null;
    this.engine.clear();
    this.scores.clear();
    this.meter.reset();
    this.store.setState({ entries: [], index: 0, report: null, problems: [], error: null, notice: null });
    if (this.canvas) clearCanvas(this.canvas);
  }

  /** Opens item `index` (an image: decode and run; a video: open and run its first frame). */
  async open(index: number): Promise<void> {
    const item = this.items[index];
    if (!item) return;
    const request = ++this.openRequest;
    this.stopVideo();
    this.store.setState({ index, busy: `Opening ${item.path}`, error: null });
    try {
      if (item.kind === 'video') {
        const video = await ViewerVideo.open(item.file, item.path, {
          show: (frame) => this.showVideoFrame(video, frame),
          changed: () => this.publishVideo(video),
        });
        if (request !== this.openRequest) return video.close();
        this.video = video;
        this.meter.reset();
        await video.showFrame(1);
        return;
      }
      if (item.kind === 'dataset') {
        const t0 = performance.now();
        const loaded = await loadDatasetFrame(item.pairIndex, item.path);
        const size = modelFrameSize();
        const pixels = size ? await fitFrame(loaded.pixels, size) : loaded.pixels;
        const label = labelFor(pixels, loaded.label, item.path);
        if (request !== this.openRequest) return;
        this.timings = { ...emptyTimings(), decode: performance.now() - t0 };
        this.current = { key: `dataset:${item.path}`, path: item.path, pixels, label, labelPath: item.path };
        await this.runCurrent();
        return;
      }
      const t0 = performance.now();
      const [pixels, source] = await Promise.all([
        this.nextImage.take(item.file, () => decodeImageFile(item.file, item.path, modelFrameSize())),
        item.label ? this.readLabel(item.label, item.labelPath ?? 'label') : null,
      ]);
      const label = source && labelFor(pixels, source, item.labelPath);
      if (request !== this.openRequest) return;
      this.timings = { ...emptyTimings(), decode: performance.now() - t0 };
      this.current = { key: item.path, path: item.path, pixels, label, labelPath: item.labelPath };
      const next = this.items[index + 1];
      if (next?.kind === 'image') this.nextImage.start(next.file, () => decodeImageFile(next.file, next.path, modelFrameSize()));
      await this.runCurrent();
    } catch (e) {
      if (request === this.openRequest) this.store.setState({ error: errorMessage(e) });
    } finally {
      if (request === this.openRequest) this.store.setState({ busy: null });
    }
  }

  private async readLabel(file: File, path: string): Promise<DecodedImage> {
    try {
      return decodePng(new Uint8Array(await file.arrayBuffer()));
    } catch (e) {
      throw new Error(`${path}: ${errorMessage(e)}`);
    }
  }

  /** Adds the Dataset panel's usable frames (with their labels) to the list; opens the first of them, or pair `openPair`. */
  async addDatasetFrames(openPair?: number): Promise<void> {
    const list = datasetFrameList();
    if (list.length === 0) {
      this.store.setState({ error: 'the Dataset panel has no decoded frames yet: load a dataset there first' });
      return;
    }
    const first = this.items.length;
    this.items = [...this.items, ...list.map((f) => ({ kind: 'dataset' as const, path: f.path, pairIndex: f.index }))];
    this.store.setState({ entries: this.listEntries(), notice: null });
    const wanted = openPair === undefined ? -1 : this.items.findIndex((i, at) => at >= first && i.kind === 'dataset' && i.pairIndex === openPair);
    await this.open(wanted >= 0 ? wanted : first);
  }

  /**
   * Makes the list these dataset pairs, in this order (a ranking's, worst first), and opens the
   * first, so ←/→ walk them in that order. The frames listed before are dropped from the list.
   */
  async showDatasetPairs(pairs: readonly { index: number; path: string }[]): Promise<void> {
    if (pairs.length === 0) return;
    this.stopVideo();
    this.nextImage.clear();
    this.scores.clear();
    this.meter.reset();
    this.items = pairs.map((p) => ({ kind: 'dataset' as const, path: p.path, pairIndex: p.index }));
    this.store.setState({ entries: this.listEntries(), problems: [], notice: null });
    await this.open(0);
  }

  /** Opens the Dataset panel's pair `pairIndex`, adding the dataset's frames to the list when it is not there yet. */
  async openDatasetPair(pairIndex: number): Promise<void> {
    const at = this.items.findIndex((i) => i.kind === 'dataset' && i.pairIndex === pairIndex);
    if (at < 0) return this.addDatasetFrames(pairIndex);
    if (this.store.getState().index !== at || !this.current) await this.open(at);
  }

  /** Left/right: the previous/next item, or the previous/next frame of a video. */
  async step(delta: number): Promise<void> {
    // An export shows its own frames; the open one comes back when it ends.
    if (this.exporting) return;
    if (this.video && !this.video.playing) {
      await this.video.step(delta);
      return;
    }
    const { index } = this.store.getState();
    const next = index + delta;
    if (next >= 0 && next < this.items.length) await this.open(next);
  }

  // ------------------------------------------------------------------ running

  /** Runs the network on the current frame, then renders. */
  private async runCurrent(): Promise<void> {
    let frame = this.current;
    if (!frame) return;
    const model = modelSession.linkNet;
    if (!model) {
      this.last = null;
      // The frame alone; the panel's note says there is no model and how to get one.
      this.drawFrameOnly(frame);
      return;
    }
    try {
      // Opened before this model (with none, or one of another frame size): drawn at its size now.
      frame = await this.fittedToModel(frame, model);
      const { ranges, ...t } = await this.engine.infer(model, frame.pixels, frame.path);
      this.ranges = ranges;
      this.timings = { ...this.timings, ...t };
    } catch (e) {
      this.engine.clear();
      this.last = null;
      this.drawFrameOnly(frame);
      this.store.setState({ error: e instanceof FrameProblemError ? errorMessage(e) : `${frame.path}: ${errorMessage(e)}` });
      return;
    }
    if (this.store.getState().error === NO_MODEL_MESSAGE) this.store.setState({ error: null });
    await this.renderNow(true);
  }

  private async fittedToModel(frame: CurrentFrame, model: LinkNetModel): Promise<CurrentFrame> {
    const size = frameSizeOf(model);
    if (frame.pixels.width === size.width && frame.pixels.height === size.height) return frame;
    const pixels = await fitFrame(frame.pixels, size);
    const fitted = { ...frame, key: `${frame.key}@${sizeText(size)}`, pixels, label: frame.label && labelAtSize(frame.label, size) };
    if (this.current === frame) this.current = fitted;
    return fitted;
  }

  private scheduleRender(): void {
    if (!this.engine.hasProbabilities || !this.current) return;
    if (this.rendering) {
      this.renderAgain = true;
      return;
    }
    void this.renderNow(false);
  }

  private truthFor(frame: CurrentFrame, hood: HoodMask | null): TruthMasks | null {
    if (!frame.label) return null;
    if (this.truthCache && this.truthCache.key === frame.key && this.truthCache.hood === hood) return this.truthCache.truth;
    const l = frame.label;
    const h = hood && hood.width === l.width && hood.height === l.height ? hood.mask : null;
    const truth = truthFromLabelPixels(l.data, l.channels, l.width, l.height, h);
    this.truthCache = { key: frame.key, hood, truth };
    return truth;
  }

  /** What the current frame has at frame pixel (`x`, `y`) as last rendered; null off the frame or before a render. */
  async probe(x: number, y: number): Promise<PixelReport | null> {
    const frame = this.current;
    if (!frame || !this.last) return null;
    const probe = await this.engine.probe(x, y);
    if (!probe || frame !== this.current) return null;
    // The label as the frame is scored against it (the hood's pixels are no vehicle).
    const truth = this.truthFor(frame, this.activeHood());
    const i = y * frame.pixels.width + x;
    return { x, y, ...probe, truth: truth && { car: truth.car[i] === 1, road: truth.road[i] === 1 } };
  }

  /** Post-processes the kept probabilities and draws; `fresh` when the network just ran. */
  private async renderNow(fresh: boolean): Promise<RenderResult | null> {
    const frame = this.current;
    if (!frame) return null;
    this.rendering = true;
    try {
      let result: RenderResult | null = null;
      do {
        this.renderAgain = false;
        const { settings, view } = this.store.getState();
        const hood = this.activeHood();
        const truth = this.truthFor(frame, hood);
        const r = await this.engine.render(settings, settings.hood ? hood : null, view, truth);
        const drawn = this.canvas ? await this.engine.draw(this.canvas) : null;
        const drawMs = drawn?.ms ?? 0;
        this.last = r;
        this.timings = fresh ? { ...this.timings, postprocess: r.ms, draw: drawMs } : { ...emptyTimings(), postprocess: r.ms, draw: drawMs };
        if (fresh) this.meter.add(this.timings, performance.now());
        this.report(frame, r, fresh, settings, drawn?.path ?? null);
        fresh = false;
        result = r;
      } while (this.renderAgain);
      return result;
    } catch (e) {
      this.store.setState({ error: `${frame.path}: ${errorMessage(e)}` });
      return null;
    } finally {
      this.rendering = false;
    }
  }

  /** The frame alone (no model, or the model failed on it). */
  private drawFrameOnly(frame: CurrentFrame): void {
    const { data, width, height } = frame.pixels;
    if (this.canvas) drawRgbaFrame(this.canvas, data, width, height).catch((e: unknown) => this.store.setState({ error: errorMessage(e) }));
  }

  /** `drawnBy`: how the frame reached the canvas (null: no canvas). */
  private report(frame: CurrentFrame, r: RenderResult, fresh: boolean, settings: PostprocessSettings, drawnBy: DrawPath | null): void {
    const frameScore = r.counts ? this.scores.set(frame.key, r.counts) : null;
    const rates = this.video?.playing ? this.meter.rates() : { model: this.timings.network > 0 ? 1000 / this.timings.network : 0, endToEnd: singleFrameRate(this.timings) };
    const prev = this.store.getState().report;
    const report: FrameReport = {
      path: frame.path,
      width: r.width,
      height: r.height,
      timings: fresh || !prev ? this.timings : { ...prev.timings, postprocess: this.timings.postprocess, draw: this.timings.draw },
      drawPath: drawnBy ?? drawPath(),
      composeMethod: r.composeMethod,
      rates: fresh || !prev ? rates : prev.rates,
      networkRuns: this.engine.runs,
      ranges: this.ranges,
      settings,
      carPixels: r.carPixels,
      roadPixels: r.roadPixels,
      resizedFrom: frame.pixels.resizedFrom ?? null,
      frameScore,
      cumulativeScore: this.scores.cumulative(),
      video: this.video ? this.video.report() : null,
    };
    this.store.setState({ report });
  }

  // ------------------------------------------------------------------ video

  /** Runs and draws the picture `v`'s element shows, as its frame `frameNumber`. */
  private async showVideoFrame(v: ViewerVideo, frameNumber: number): Promise<void> {
    if (this.video !== v) return;
    const t0 = performance.now();
    const pixels = grabVideoFrame(v.element, modelFrameSize());
    this.timings = { ...emptyTimings(), decode: performance.now() - t0 };
    this.current = { key: `${v.path}#${frameNumber}`, path: `${v.path} frame ${frameNumber}`, pixels, label: null, labelPath: null };
    await this.runCurrent();
  }

  /** Plays the current video with the overlay computed live (frames that arrive while busy are dropped). */
  play(): void {
    if (!this.video || this.video.playing || this.exporting) return;
    this.meter.reset();
    this.video.play();
  }

  pause(): void {
    this.video?.pause();
  }

  setSpeed(speed: number): void {
    this.video?.setSpeed(speed);
  }

  togglePlay(): void {
    if (this.video?.playing) this.pause();
    else this.play();
  }

  /** Shows frame `frame` (from 1) of the open video, exactly (where its timeline is known). */
  async seekFrame(frame: number): Promise<void> {
    if (!this.exporting) await this.video?.seekFrame(frame);
  }

  private publishVideo(v: ViewerVideo): void {
    if (this.video !== v) return;
    this.store.setState((s) => ({ report: s.report && { ...s.report, video: v.report() } }));
  }

  private stopVideo(): void {
    this.video?.close();
    this.video = null;
  }

  get hasVideo(): boolean {
    return this.video !== null;
  }

  // ------------------------------------------------------------------ exports

  /** The current frame's masks: 0/1 per class and coloured. */
  async maskFiles(): Promise<ExportFile[]> {
    const frame = this.current;
    if (!this.last || !frame) throw new Error('nothing to export yet: open a frame and run the model');
    const { car, road, width, height } = await this.engine.readMasks();
    const stem = frameExportStem(frame.path);
    return [...binaryMaskFiles(stem, car, road, width, height), colouredMaskFile(stem, car, road, width, height)];
  }

  async overlayFile(): Promise<ExportFile> {
    const frame = this.current;
    if (!this.last || !frame) throw new Error('nothing to export yet: open a frame and run the model');
    const { rgba, width, height } = await this.engine.readOverlay();
    return overlayFile(frameExportStem(frame.path), rgba, width, height);
  }

  exportMasks(): Promise<void> {
    return this.guard(async () => downloadFiles(await this.maskFiles()));
  }

  exportOverlay(): Promise<void> {
    return this.guard(async () => downloadFile(await this.overlayFile()));
  }

  private async guard(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.store.setState({ error: errorMessage(e) });
    }
  }

  /**
   * The answer file ({"1": [car, road], ...}) of the current video (every frame) or of every image
   * in the list (in list order), with the current settings. Returns its JSON text.
   */
  async answerFile(): Promise<AnswerExport> {
    if (this.exporting) throw new Error('an export is already running');
    if (!modelSession.linkNet) throw new Error(NO_MODEL_MESSAGE);
    this.exporting = true;
    const writer = new AnswerFileWriter();
    // Masks are encoded as PNGs in a worker while the next frame runs; at most a few frames wait.
    const encoder = new AnswerFrameEncoder();
    const encodings: Promise<number>[] = [];
    let resized: AnswerExport['resized'] = null;
    const add: AddFrame = async (r, what, total) => {
      if (!r) throw new Error(`${what}: the frame could not be processed (${this.store.getState().error ?? 'see above'})`);
      const pixels = this.current?.pixels;
      if (pixels?.resizedFrom) resized = { frames: (resized?.frames ?? 0) + 1, from: resized?.from ?? pixels.resizedFrom, to: { width: pixels.width, height: pixels.height } };
      const masks = await this.engine.readMasks();
      const added = writer.addFrameEncoding(encoder.encode(masks.car, masks.road, masks.width, masks.height));
      added.catch(() => undefined); // awaited below; a failure surfaces there
      encodings.push(added);
      if (encodings.length > MAX_ENCODINGS_WAITING) await encodings.shift();
      this.store.setState({ exportProgress: { done: writer.frameCount, total } });
    };
    this.cancelRequested = false;
    try {
      const read = this.video ? await this.videoAnswerFile(this.video, add) : await this.imagesAnswerFile(add);
      await Promise.all(encodings);
      if (this.cancelRequested) throw new ExportCancelled(writer.frameCount);
      return { ...read, json: writer.toJSON(), frames: read.frames ?? writer.frameCount, resized };
    } finally {
      encoder.close();
      this.exporting = false;
      this.store.setState({ exportProgress: null });
    }
  }

  /** Stops a running export (answer file, overlay video) after the frame in hand; nothing is downloaded. */
  cancelExport(): void {
    if (this.exporting) this.cancelRequested = true;
  }

  /** Every image of the list into `writer`, in list order, the next one decoded while this one runs. */
  private async imagesAnswerFile(add: AddFrame): Promise<FramesRead> {
    const images = this.items.filter((i): i is ViewerItem<File> => i.kind === 'image');
    if (images.length === 0) throw new Error('no frames to export: drop images, a folder or a video first');
    const size = modelFrameSize();
    for await (const [item, pixels] of loadedAhead(images, (i) => decodeImageFile(i.file, i.path, size))) {
      if (this.cancelRequested) break;
      await this.engine.infer(currentModel(), pixels, item.path);
      this.current = { key: item.path, path: item.path, pixels, label: null, labelPath: null };
      await add(await this.renderNow(true), item.path, images.length);
    }
    return { frames: null, missed: 0, source: `${images.length} images`, method: null };
  }

  /**
   * Every frame of a video into `writer`: decoded frame by frame with WebCodecs in a worker where
   * the browser can (each frame once, the next one decoded while the backend runs this one), else played through the <video>
   * element, pausing on each presented frame (capped by EXPORT_PLAYBACK_RATE, and a frame the
   * decoder skips is missed). The video is left showing the frame it showed before.
   */
  private async videoAnswerFile(v: ViewerVideo, add: AddFrame): Promise<FramesRead> {
    this.pause();
    // A video that cannot be decoded frame by frame is played instead.
    const decoded = await decodeFrameByFrame(v.file, modelFrameSize());
    if (isDecodedVideo(decoded)) {
      await this.eachDecodedFrame(v, decoded, (r, path) => add(r, path, decoded.frameCount));
      return { frames: null, missed: 0, source: v.path, method: `decoded frame by frame (${decoded.codec})` };
    }
    const { frames, missed } = await everyFrame(
      v.element,
      async (n) => {
        await this.showVideoFrameForExport(v, n);
        await add(this.last, `${v.path} frame ${n}`, null);
      },
      () => this.cancelRequested,
    );
    return { frames, missed, source: v.path, method: `played at ${EXPORT_PLAYBACK_RATE}x speed: ${decoded.reason}` };
  }

  /**
   * Runs and renders every frame of `decoded` (the open video `v`, read again frame by frame),
   * calling `onFrame` with each render, until the end or a cancel; closes `decoded`. The stats show
   * the frame being processed; afterwards (also after a failure) the element's frame is shown again.
   */
  private async eachDecodedFrame(
    v: ViewerVideo,
    decoded: DecodedVideo,
    onFrame: (r: RenderResult | null, path: string, frame: DecodedVideoFrame) => Promise<void>,
  ): Promise<void> {
    const shownFrame = v.frame;
    try {
      let n = 0;
      for await (const pixels of decoded.frames()) {
        if (this.cancelRequested) break;
        v.frame = ++n;
        const path = `${v.path} frame ${n}`;
        await this.engine.infer(currentModel(), pixels, path);
        this.current = { key: `${v.path}#${n}`, path, pixels, label: null, labelPath: null };
        await onFrame(await this.renderNow(true), path, pixels);
      }
    } finally {
      decoded.close();
      await v.showFrame(shownFrame).catch(() => undefined);
    }
  }

  /**
   * The overlay of every frame of the open video, as drawn now (view, thresholds, morphology, hood),
   * as a WebM video with the source's timing; needs the frame-by-frame decoding. Downloads it.
   */
  async exportOverlayVideo(): Promise<void> {
    const v = this.video;
    if (!v) return this.store.setState({ error: 'open a video first: the overlay video is made from a video' });
    if (this.exporting) return this.store.setState({ error: 'an export is already running' });
    this.store.setState({ busy: 'Writing the overlay video', error: null });
    this.exporting = true;
    this.cancelRequested = false;
    this.pause();
    let writer: OverlayVideoWriter | null = null;
    try {
      currentModel();
      const decoded = await decodeFrameByFrame(v.file, modelFrameSize());
      if (!isDecodedVideo(decoded)) throw new Error(`${v.path}: the overlay video needs the video decoded frame by frame, and ${decoded.reason}`);
      const t0 = performance.now();
      let frames = 0;
      await this.eachDecodedFrame(v, decoded, async (r, path, frame) => {
        if (!r) throw new Error(`${path}: the frame could not be processed (${this.store.getState().error ?? 'see above'})`);
        const { rgba, width, height } = await this.engine.readOverlay();
        writer ??= await OverlayVideoWriter.create(width, height, frame.duration > 0 ? 1 / frame.duration : 30);
        await writer.add(rgba, width, height, frame.timestamp, frame.duration);
        this.store.setState({ exportProgress: { done: ++frames, total: decoded.frameCount } });
      });
      if (this.cancelRequested) throw new ExportCancelled(frames, 'overlay video');
      if (!writer) throw new Error(`${v.path}: no frame could be decoded`);
      const w: OverlayVideoWriter = writer;
      const video = await w.finish();
      writer = null;
      downloadFile({ name: `${exportStem(v.path)}_overlay.webm`, bytes: new Uint8Array(await video.arrayBuffer()), type: 'video/webm' });
      const rate = (frames / (performance.now() - t0)) * 1000;
      this.store.setState({ notice: `Overlay video: ${frames} frames of ${v.path} (${w.codec} WebM, ${(video.size / 1e6).toFixed(1)} MB; ${rate.toFixed(1)} frames/s)` });
    } catch (e) {
      if (e instanceof ExportCancelled) this.store.setState({ notice: e.message });
      else this.store.setState({ error: errorMessage(e) });
    } finally {
      await (writer as OverlayVideoWriter | null)?.cancel().catch(() => undefined);
      this.exporting = false;
      this.store.setState({ busy: null, exportProgress: null });
    }
  }

  private async showVideoFrameForExport(v: ViewerVideo, n: number): Promise<void> {
    this.last = null;
    await v.showFrame(n);
  }

  async exportAnswerFile(): Promise<void> {
    this.store.setState({ busy: 'Writing the answer file', error: null });
    try {
      const t0 = performance.now();
      const r = await this.answerFile();
      const rate = (r.frames / (performance.now() - t0)) * 1000;
      downloadFile({ name: `${exportStem(r.source)}_answer.json`, bytes: new TextEncoder().encode(r.json), type: 'application/json' });
      const resized = r.resized && `${r.resized.frames === r.frames ? 'frames' : `${r.resized.frames} frames`} drawn at the model's ${sizeText(r.resized.to)} from ${sizeText(r.resized.from)}`;
      const how = [r.method, `${rate.toFixed(1)} frames/s`, r.missed ? `${r.missed} frames skipped by the decoder` : null, resized].filter(Boolean).join('; ');
      this.store.setState({ notice: `Answer file: ${r.frames} frames from ${r.source} (${how})` });
      (globalThis as { __lastAnswerFile?: string }).__lastAnswerFile = r.json;
    } catch (e) {
      if (e instanceof ExportCancelled) this.store.setState({ notice: e.message });
      else this.store.setState({ error: errorMessage(e) });
    } finally {
      this.store.setState({ busy: null });
    }
  }

  /** Scores an answer file against a truth file (same format) with the challenge grader. */
  async scoreFiles(answer: File, truth: File): Promise<void> {
    this.store.setState({ busy: `Scoring ${answer.name} against ${truth.name}`, error: null, answerScore: null });
    try {
      const [a, t] = await Promise.all([answer.text(), truth.text()]);
      // Let the busy state paint before the (synchronous) decoding.
      await nextTask();
      let score;
      try {
        score = scoreAnswerAgainstTruth(a, t);
      } catch (e) {
        const m = errorMessage(e);
        throw new Error(m.startsWith('answer:') ? `${answer.name}: ${m.slice(8)}` : m.startsWith('truth:') ? `${truth.name}: ${m.slice(7)}` : `${answer.name} / ${truth.name}: ${m}`);
      }
      this.store.setState({ answerScore: score });
    } catch (e) {
      this.store.setState({ error: errorMessage(e) });
    } finally {
      this.store.setState({ busy: null });
    }
  }
}

export const viewerController = new ViewerController();

