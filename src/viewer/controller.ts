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
import { useDatasetStore } from '../state/datasetStore';
import { modelSession } from '../state/modelSession';
import type { PostprocessSettings } from '../postprocess/settings';
import { useViewerStore, type FrameReport } from '../state/viewerStore';
import { datasetFrameList, loadDatasetFrame } from './datasetFrames';
import { decodeImageFile, grabVideoFrame, type DecodedFrame } from './decodeFrame';
import { FrameProblemError, ViewerEngine, type ProbabilityRanges, type RenderResult } from './engine';
import { binaryMaskFiles, colouredMaskFile, download, exportStem, overlayFile, type ExportFile } from './exports';
import { frameCounts, FrameScores } from './frameScores';
import { viewerItemsFromFiles, type ListedFile, type ViewerItem } from './frameSources';
import { truthFromLabelPixels, type TruthMasks } from './groundTruth';
import { composeErrors, composeHeat, composeMasks, sideBySide } from './overlay';
import { emptyTimings, RateMeter, singleFrameRate, type StageTimings } from './timings';
import { closeVideo, DropCounter, everyFrame, openVideo, playLive, stepBack, stepForward } from './videoFrames';

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

interface VideoState {
  element: HTMLVideoElement;
  path: string;
  drops: DropCounter;
  frame: number;
  playing: boolean;
  stop: (() => void) | null;
  /** Seconds per frame, measured from presented frames (1/30 until known). */
  frameSeconds: number;
  lastMediaTime: number | null;
}

interface LastDrawn {
  render: RenderResult;
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

export class ViewerController {
  private readonly engine = new ViewerEngine();
  private items: (ViewerItem<File> | DatasetItem)[] = [];
  private current: CurrentFrame | null = null;
  private video: VideoState | null = null;
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
  private last: LastDrawn | null = null;
  private exporting = false;

  constructor() {
    useViewerStore.subscribe((s, prev) => {
      if (s.settings !== prev.settings || s.view !== prev.view || s.hoodChoice !== prev.hoodChoice) this.scheduleRender();
    });
    useDatasetStore.subscribe((s, prev) => {
      if (s.hood.mask !== prev.hood.mask && useViewerStore.getState().hoodChoice === 'dataset') this.scheduleRender();
    });
    modelSession.onChange(() => {
      this.engine.clear();
      this.scores.clear();
      if (this.current) void this.runCurrent();
    });
  }

  private store = useViewerStore;

  attachCanvas(canvas: HTMLCanvasElement | null): void {
    this.canvas = canvas;
    if (canvas && this.last) this.draw(this.last.rgba, this.last.width, this.last.height);
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
      this.store.setState({ error: message(e).startsWith(file.name) ? message(e) : `${file.name}: ${message(e)}` });
    }
  }

  // ------------------------------------------------------------------ files

  /** Adds dropped or picked files (paths relative to what was dropped); opens the first new one. */
  async addFiles(listed: readonly ListedFile<File>[]): Promise<void> {
    const { items, problems } = viewerItemsFromFiles(listed);
    const first = this.items.length;
    this.items = [...this.items, ...items];
    this.store.setState((s) => ({
      entries: this.items.map((i) => ({ kind: i.kind, path: i.path, hasLabel: i.kind === 'dataset' || i.label !== null })),
      problems: [...s.problems, ...problems],
      error: items.length === 0 && problems.length > 0 ? `${problems[0]!.path}: ${problems[0]!.reason}` : s.error,
    }));
    if (items.length > 0) await this.open(first);
  }

  clearFiles(): void {
    this.stopVideo();
    this.items = [];
    this.current = null;
    this.last = null;
    this.engine.clear();
    this.scores.clear();
    this.meter.reset();
    this.store.setState({ entries: [], index: 0, report: null, problems: [], error: null, notice: null });
    const ctx = this.canvas?.getContext('2d');
    if (ctx && this.canvas) ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
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
        const element = await openVideo(item.file, item.path);
        if (request !== this.openRequest) return closeVideo(element);
        this.video = { element, path: item.path, drops: new DropCounter(), frame: 1, playing: false, stop: null, frameSeconds: 1 / 30, lastMediaTime: null };
        this.meter.reset();
        await this.showVideoFrame(1);
        return;
      }
      if (item.kind === 'dataset') {
        const t0 = performance.now();
        const { pixels, label } = await loadDatasetFrame(item.pairIndex, item.path);
        if (request !== this.openRequest) return;
        this.timings = { ...emptyTimings(), decode: performance.now() - t0 };
        this.current = { key: `dataset:${item.path}`, path: item.path, pixels, label, labelPath: item.path };
        await this.runCurrent();
        return;
      }
      const t0 = performance.now();
      const [pixels, label] = await Promise.all([decodeImageFile(item.file, item.path), item.label ? this.readLabel(item.label, item.labelPath ?? 'label') : null]);
      if (label && (label.width !== pixels.width || label.height !== pixels.height)) {
        throw new Error(`${item.labelPath}: the label is ${label.width}x${label.height}, its frame ${pixels.width}x${pixels.height}`);
      }
      if (request !== this.openRequest) return;
      this.timings = { ...emptyTimings(), decode: performance.now() - t0 };
      this.current = { key: item.path, path: item.path, pixels, label, labelPath: item.labelPath };
      await this.runCurrent();
    } catch (e) {
      if (request === this.openRequest) this.store.setState({ error: message(e) });
    } finally {
      if (request === this.openRequest) this.store.setState({ busy: null });
    }
  }

  private async readLabel(file: File, path: string): Promise<DecodedImage> {
    try {
      return decodePng(new Uint8Array(await file.arrayBuffer()));
    } catch (e) {
      throw new Error(`${path}: ${message(e)}`);
    }
  }

  /** Adds the Dataset panel's usable frames (with their labels) to the list; opens the first. */
  async addDatasetFrames(): Promise<void> {
    const list = datasetFrameList();
    if (list.length === 0) {
      this.store.setState({ error: 'the Dataset panel has no decoded frames yet: load a dataset there first' });
      return;
    }
    const first = this.items.length;
    this.items = [...this.items, ...list.map((f) => ({ kind: 'dataset' as const, path: f.path, pairIndex: f.index }))];
    this.store.setState({ entries: this.items.map((i) => ({ kind: i.kind, path: i.path, hasLabel: i.kind !== 'video' && (i.kind === 'dataset' || i.label !== null) })) });
    await this.open(first);
  }

  /** Left/right: the previous/next item, or the previous/next frame of a video. */
  async step(delta: number): Promise<void> {
    if (this.video && !this.video.playing) {
      const v = this.video;
      if (delta > 0) {
        if (await stepForward(v.element)) await this.showVideoFrame(v.frame + 1);
      } else if (v.frame > 1) {
        await stepBack(v.element, v.frameSeconds);
        await this.showVideoFrame(v.frame - 1);
      }
      return;
    }
    const { index } = this.store.getState();
    const next = index + delta;
    if (next >= 0 && next < this.items.length) await this.open(next);
  }

  // ------------------------------------------------------------------ running

  /** Runs the network on the current frame, then renders. */
  private async runCurrent(): Promise<void> {
    const frame = this.current;
    if (!frame) return;
    const model = modelSession.linkNet;
    if (!model) {
      this.last = null;
      this.draw(frame.pixels.data, frame.pixels.width, frame.pixels.height);
      this.store.setState({ error: NO_MODEL_MESSAGE });
      return;
    }
    try {
      const { ranges, ...t } = await this.engine.infer(model, frame.pixels, frame.path);
      this.ranges = ranges;
      this.timings = { ...this.timings, ...t };
    } catch (e) {
      this.engine.clear();
      this.last = null;
      this.draw(frame.pixels.data, frame.pixels.width, frame.pixels.height);
      this.store.setState({ error: e instanceof FrameProblemError ? message(e) : `${frame.path}: ${message(e)}` });
      return;
    }
    if (this.store.getState().error === NO_MODEL_MESSAGE) this.store.setState({ error: null });
    await this.renderNow(true);
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
        const r = await this.engine.render(settings, settings.hood ? hood : null, view.mode === 'heat' ? view.focus : null);
        const t0 = performance.now();
        const truth = this.truthFor(frame, hood);
        const { rgba, width } = this.compose(frame, r, truth);
        this.draw(rgba, width, r.height);
        this.last = { render: r, rgba, width, height: r.height };
        const drawMs = performance.now() - t0;
        this.timings = fresh ? { ...this.timings, postprocess: r.ms, draw: drawMs } : { ...emptyTimings(), postprocess: r.ms, draw: drawMs };
        if (fresh) this.meter.add(this.timings, performance.now());
        this.report(frame, r, truth, fresh, settings);
        fresh = false;
        result = r;
      } while (this.renderAgain);
      return result;
    } catch (e) {
      this.store.setState({ error: `${frame.path}: ${message(e)}` });
      return null;
    } finally {
      this.rendering = false;
    }
  }

  private compose(frame: CurrentFrame, r: RenderResult, truth: TruthMasks | null): { rgba: Uint8ClampedArray; width: number } {
    const { view } = this.store.getState();
    const layers = { car: view.showCar ? r.car : null, road: view.showRoad ? r.road : null };
    const base = frame.pixels.data;
    switch (view.mode) {
      case 'heat':
        return { rgba: r.heat ? composeHeat(base, r.heat, view.opacity) : composeMasks(base, layers, view.opacity), width: r.width };
      case 'errors':
        if (!truth) return { rgba: composeMasks(base, layers, view.opacity), width: r.width };
        return { rgba: composeErrors(base, r[view.focus], truth[view.focus], view.opacity), width: r.width };
      case 'side-by-side': {
        const left = composeMasks(base, layers, view.opacity);
        const right = truth ? composeMasks(base, { car: view.showCar ? truth.car : null, road: view.showRoad ? truth.road : null }, view.opacity) : Uint8ClampedArray.from(base);
        return { rgba: sideBySide(left, right, r.width, r.height), width: r.width * 2 };
      }
      default:
        return { rgba: composeMasks(base, layers, view.opacity), width: r.width };
    }
  }

  private draw(rgba: Uint8ClampedArray, width: number, height: number): void {
    const canvas = this.canvas;
    if (!canvas) return;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext('2d');
    ctx?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  }

  private report(frame: CurrentFrame, r: RenderResult, truth: TruthMasks | null, fresh: boolean, settings: PostprocessSettings): void {
    let frameScore = null;
    if (truth) frameScore = this.scores.set(frame.key, frameCounts({ car: r.car, road: r.road }, truth));
    const rates = this.video?.playing ? this.meter.rates() : { model: this.timings.network > 0 ? 1000 / this.timings.network : 0, endToEnd: singleFrameRate(this.timings) };
    const prev = this.store.getState().report;
    const report: FrameReport = {
      path: frame.path,
      width: r.width,
      height: r.height,
      timings: fresh || !prev ? this.timings : { ...prev.timings, postprocess: this.timings.postprocess, draw: this.timings.draw },
      rates: fresh || !prev ? rates : prev.rates,
      networkRuns: this.engine.runs,
      ranges: this.ranges,
      settings,
      carPixels: count(r.car),
      roadPixels: count(r.road),
      frameScore,
      cumulativeScore: this.scores.cumulative(),
      video: this.video ? { frame: this.video.frame, dropped: this.video.drops.dropped, playing: this.video.playing } : null,
    };
    this.store.setState({ report });
  }

  // ------------------------------------------------------------------ video

  private async showVideoFrame(frameNumber: number): Promise<void> {
    const v = this.video;
    if (!v) return;
    const t0 = performance.now();
    const pixels = grabVideoFrame(v.element);
    v.frame = frameNumber;
    this.timings = { ...emptyTimings(), decode: performance.now() - t0 };
    this.current = { key: `${v.path}#${frameNumber}`, path: `${v.path} frame ${frameNumber}`, pixels, label: null, labelPath: null };
    await this.runCurrent();
  }

  /** Plays the current video with the overlay computed live (frames that arrive while busy are dropped). */
  play(): void {
    const v = this.video;
    if (!v || v.playing) return;
    if (v.element.ended) v.element.currentTime = 0;
    v.playing = true;
    v.drops.reset();
    this.meter.reset();
    v.stop = playLive(
      v.element,
      async (meta) => {
        if (v.lastMediaTime !== null && meta.mediaTime > v.lastMediaTime) {
          const frames = Math.max(1, meta.presentedFrames - (v.frame || 0));
          v.frameSeconds = (meta.mediaTime - v.lastMediaTime) / frames;
        }
        v.lastMediaTime = meta.mediaTime;
        await this.showVideoFrame(meta.presentedFrames);
      },
      v.drops,
      () => this.pause(),
    );
    this.store.setState((s) => ({ report: s.report && { ...s.report, video: { frame: v.frame, dropped: v.drops.dropped, playing: true } } }));
  }

  pause(): void {
    const v = this.video;
    if (!v) return;
    v.stop?.();
    v.stop = null;
    v.playing = false;
    this.store.setState((s) => ({ report: s.report && { ...s.report, video: { frame: v.frame, dropped: v.drops.dropped, playing: false } } }));
  }

  private stopVideo(): void {
    if (!this.video) return;
    this.video.stop?.();
    closeVideo(this.video.element);
    this.video = null;
  }

  get hasVideo(): boolean {
    return this.video !== null;
  }

  // ------------------------------------------------------------------ exports

  /** The current frame's masks: 0/1 per class and coloured. */
  maskFiles(): ExportFile[] {
    const last = this.last;
    const frame = this.current;
    if (!last || !frame) throw new Error('nothing to export yet: open a frame and run the model');
    const { car, road, width, height } = last.render;
    const stem = exportStem(frame.path.replace(/ frame (\d+)$/, '_$1'));
    return [...binaryMaskFiles(stem, car, road, width, height), colouredMaskFile(stem, car, road, width, height)];
  }

  overlayFile(): ExportFile {
    const last = this.last;
    const frame = this.current;
    if (!last || !frame) throw new Error('nothing to export yet: open a frame and run the model');
    return overlayFile(exportStem(frame.path.replace(/ frame (\d+)$/, '_$1')), last.rgba, last.width, last.height);
  }

  exportMasks(): void {
    this.guard(() => this.maskFiles().forEach(download));
  }

  exportOverlay(): void {
    this.guard(() => download(this.overlayFile()));
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.store.setState({ error: message(e) });
    }
  }

  /**
   * The answer file ({"1": [car, road], ...}) of the current video (every frame) or of every image
   * in the list (in list order), with the current settings. Returns its JSON text.
   */
  async answerFile(): Promise<{ json: string; frames: number; missed: number; source: string }> {
    if (this.exporting) throw new Error('an export is already running');
    if (!modelSession.linkNet) throw new Error(NO_MODEL_MESSAGE);
    this.exporting = true;
    const writer = new AnswerFileWriter();
    const add = (r: RenderResult | null, what: string) => {
      if (!r) throw new Error(`${what}: the frame could not be processed (${this.store.getState().error ?? 'see above'})`);
      writer.addFrame(r.car, r.road, r.width, r.height);
      this.store.setState({ exportProgress: { done: writer.frameCount, total: this.video ? null : this.items.filter((i) => i.kind === 'image').length } });
    };
    try {
      if (this.video) {
        const v = this.video;
        this.pause();
        const { frames, missed } = await everyFrame(
          v.element,
          async (n) => {
            await this.showVideoFrameForExport(n);
            add(this.last?.render ?? null, `${v.path} frame ${n}`);
          },
          () => !this.exporting,
        );
        return { json: writer.toJSON(), frames, missed, source: v.path };
      }
      const images = this.items.filter((i): i is ViewerItem<File> => i.kind === 'image');
      if (images.length === 0) throw new Error('no frames to export: drop images, a folder or a video first');
      for (const item of images) {
        const pixels = await decodeImageFile(item.file, item.path);
        const model = modelSession.linkNet;
        if (!model) throw new Error(NO_MODEL_MESSAGE);
        await this.engine.infer(model, pixels, item.path);
        this.current = { key: item.path, path: item.path, pixels, label: null, labelPath: null };
        add(await this.renderNow(true), item.path);
      }
      return { json: writer.toJSON(), frames: writer.frameCount, missed: 0, source: `${images.length} images` };
    } finally {
      this.exporting = false;
      this.store.setState({ exportProgress: null });
    }
  }

  private async showVideoFrameForExport(n: number): Promise<void> {
    this.last = null;
    await this.showVideoFrame(n);
  }

  async exportAnswerFile(): Promise<void> {
    this.store.setState({ busy: 'Writing the answer file', error: null });
    try {
      const r = await this.answerFile();
      download({ name: `${exportStem(r.source)}_answer.json`, bytes: new TextEncoder().encode(r.json), type: 'application/json' });
      this.store.setState({ notice: `Answer file: ${r.frames} frames from ${r.source}${r.missed ? ` (${r.missed} frames skipped by the decoder)` : ''}` });
      (globalThis as { __lastAnswerFile?: string }).__lastAnswerFile = r.json;
    } catch (e) {
      this.store.setState({ error: message(e) });
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
      await new Promise((r) => setTimeout(r, 0));
      let score;
      try {
        score = scoreAnswerAgainstTruth(a, t);
      } catch (e) {
        const m = message(e);
        throw new Error(m.startsWith('answer:') ? `${answer.name}: ${m.slice(8)}` : m.startsWith('truth:') ? `${truth.name}: ${m.slice(7)}` : `${answer.name} / ${truth.name}: ${m}`);
      }
      this.store.setState({ answerScore: score });
    } catch (e) {
      this.store.setState({ error: message(e) });
    } finally {
      this.store.setState({ busy: null });
    }
  }
}

export const viewerController = new ViewerController();
