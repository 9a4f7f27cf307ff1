/**
 * The Dataset panel's state: where the files came from, their pairing, what the worker found per
 * pair, the problems, the hood, and the person's settings; `derived` is the clean set for those
 * settings (datasetModel.ts). Listing and pairing happen here at once (counts show before any
 * decoding); decoding runs in the dataset worker, one per loaded dataset.
 */
import { create } from 'zustand';
import {
  classifyUnpaired,
  consecutiveFrameDifferences,
  DEFAULT_DERIVE_SETTINGS,
  deriveDataset,
  sortProblems,
  type DatasetProblem,
  type DeriveSettings,
  type DerivedDataset,
  type IndexedPair,
} from '../data/datasetModel';
import type { ListedFiles } from '../data/fileSources';
import { defaultCropRows, frameGeometry, frameGeometryProblems, type FrameGeometry } from '../data/frameGeometry';
import { hoodFromPng, hoodStats, hoodToPng, type HoodMask } from '../data/hoodFile';
import type { MaskStats } from '../data/hoodMask';
import { CARLA_SCHEME, type LabelScheme } from '../data/labelScheme';
import { DEFAULT_DUPLICATE_THRESHOLD, type ThinMode } from '../data/nearDuplicates';
import { pairFiles, type PairingResult, type UnpairedFile } from '../data/pairing';
import { DatasetWorkerClient } from '../worker/datasetClient';
import type { DoneMessage, FilePairJob, HoodEstimateMessage, IndexSource, PreviewMessage, ResultsMessage } from '../worker/datasetProtocol';
import { errorMessage } from '../util/errorMessage';

export type DatasetPhase = 'idle' | 'listing' | 'indexing' | 'done' | 'failed';
export type SourceKind = 'folder' | 'drop' | 'picker' | 'sample';

/** The built-in sample: procedural CARLA-style frames, generated in the worker. */
export const SAMPLE_DATASET = { count: 24, seed: 7, width: 800, height: 600 } as const;
export const THUMB_WIDTH = 128;

export interface HoodState {
  source: 'estimated' | 'imported' | 'off';
  /** The hood in use (null when off or none was found). */
  mask: HoodMask | null;
  stats: MaskStats | null;
  /** The imported file's name. */
  fileName: string | null;
}

export interface DatasetSettings extends DeriveSettings {
  /** Crop rows; null = the default for the frame height. */
  cropTop: number | null;
  cropBottom: number | null;
  scale: number;
  /** k of "keep every k-th" (thinning). */
  thinEvery: number;
}

export interface PreviewState {
  index: number;
  status: 'loading' | 'ready' | 'failed';
  width: number;
  height: number;
  frame: ImageBitmap | null;
  label: ImageBitmap | null;
  error: string | null;
}

export interface Thumbs {
  thumb: Blob;
  label: Blob;
}

export interface DatasetState {
  phase: DatasetPhase;
  error: string | null;
  source: { kind: SourceKind; name: string; files: number } | null;
  scheme: LabelScheme;
  pairing: PairingResult | null;
  /** Broken or clashing files (pairing and decoding), sorted by path. */
  problems: DatasetProblem[];
  /** Files without a partner or outside the layout (not problems in themselves). */
  unpaired: UnpairedFile[];
  /** Per pair index: undefined = not decoded yet, null = refused (see problems). */
  records: (IndexedPair | null | undefined)[];
  thumbs: (Thumbs | undefined)[];
  progress: { done: number; total: number };
  timings: { listMs: number; indexMs: number | null; stages?: Record<string, number> };
  estimatedHood: HoodEstimateMessage | null;
  hood: HoodState;
  /** Per pair: hood-value pixels inside the hood in use (class fractions count them as background). */
  hoodOverlaps: Float64Array | null;
  hoodError: string | null;
  settings: DatasetSettings;
  derived: DerivedDataset | null;
  /** Usable pairs and the difference of each to the next (near-duplicate plot); null until indexing is done. */
  diffs: { usable: number[]; differences: number[] } | null;
  /** Pair shown in the preview. */
  selected: number | null;
  preview: PreviewState | null;
  /** Layers drawn on the preview frame. */
  view: PreviewLayers;

  loadListed(listed: ListedFiles, kind: Exclude<SourceKind, 'sample'>, listMs?: number): void;
  loadSample(): void;
  setListing(): void;
  setListFailed(message: string): void;
  setThreshold(threshold: number): void;
  thin(mode: ThinMode | null): void;
  setThinEvery(k: number): void;
  setSplit(patch: Partial<Pick<DatasetSettings, 'valRatio' | 'seed' | 'splitMode'>>): void;
  setCrop(top: number | null, bottom: number | null): void;
  setScale(scale: number): void;
  setHoodSource(source: 'estimated' | 'off'): void;
  importHood(file: File): Promise<void>;
  hoodPng(): Uint8Array | null;
  select(index: number | null): void;
  setView(patch: Partial<PreviewLayers>): void;
  /** Uses another label scheme; a loaded dataset is indexed again with it (files are not re-listed). */
  setScheme(scheme: LabelScheme): void;
  reset(): void;
}

export interface PreviewLayers {
  labels: boolean;
  hood: boolean;
  crop: boolean;
}

const INITIAL_SETTINGS: DatasetSettings = {
  ...DEFAULT_DERIVE_SETTINGS,
  threshold: DEFAULT_DUPLICATE_THRESHOLD,
  cropTop: null,
  cropBottom: null,
  scale: 1,
  thinEvery: 4,
};

const NO_HOOD: HoodState = { source: 'estimated', mask: null, stats: null, fileName: null };

/** The state of a store with no dataset loaded (at start and after reset; scheme, settings and view are kept). */
function nothingLoaded() {
  return {
    phase: 'idle',
    error: null,
    source: null,
    pairing: null,
    problems: [],
    unpaired: [],
    records: [],
    thumbs: [],
    progress: { done: 0, total: 0 },
    timings: { listMs: 0, indexMs: null },
    estimatedHood: null,
    hood: NO_HOOD,
    hoodOverlaps: null,
    hoodError: null,
    derived: null,
    diffs: null,
    selected: null,
    preview: null,
  } satisfies Partial<DatasetState>;
}

let client: DatasetWorkerClient | null = null;
let estimatedOverlaps: Float64Array | null = null;
let deriveTimer: ReturnType<typeof setTimeout> | null = null;
let previewRequest = 0;
/** The last load (files and how they were paired), so a new label scheme can index them again. */
let lastLoad: { listed: ListedFiles; kind: SourceKind; listMs: number; source: IndexSource } | null = null;

/** What the dataset worker indexed last (File objects of each pair, or the sample's parameters); null before a load. */
export function currentIndexSource(): IndexSource | null {
  return lastLoad?.source ?? null;
}

/**
 * Pair `index` decoded by the dataset's worker (the full-size frame and its class overlay) for
 * work of its own (the viewer, its search and ranking), leaving the panel's selection and preview
 * alone. The caller closes the bitmaps. Fails when no dataset is loaded, or when another is
 * loaded (or the scheme changed) before the pair came.
 */
export function decodeDatasetPair(index: number): Promise<PreviewMessage> {
  if (!client) return Promise.reject(new Error('no dataset is loaded'));
  return client.preview(index);
}

function closeClient(): void {
  client?.dispose();
  client = null;
  estimatedOverlaps = null;
  if (deriveTimer) clearTimeout(deriveTimer);
  deriveTimer = null;
}

function closePreview(p: PreviewState | null): void {
  p?.frame?.close();
  p?.label?.close();
}

function derive(s: DatasetState): DerivedDataset | null {
  if (!s.pairing) return null;
  // While indexing, runs are not known yet: every difference counts as a change of scene.
  const d = s.diffs ?? (() => {
    const usable: number[] = [];
    s.records.forEach((r, i) => r && usable.push(i));
    return { usable, differences: new Array<number>(Math.max(0, usable.length - 1)).fill(Infinity) };
  })();
  return deriveDataset({
    pairs: s.pairing.pairs,
    records: s.records,
    usable: d.usable,
    differences: d.differences,
    scheme: s.scheme,
    hoodOverlaps: s.hood.mask ? s.hoodOverlaps : null,
    settings: s.settings,
  });
}

function sampleListing(): ListedFiles {
  const files = new Map<string, File>();
  const entries = [];
  for (let i = 0; i < SAMPLE_DATASET.count; i++) {
    const name = `frame_${String(i).padStart(3, '0')}.png`;
    entries.push({ path: `sample/CameraRGB/${name}`, size: 1 }, { path: `sample/CameraSeg/${name}`, size: 1 });
  }
  return { root: 'sample', entries, files };
}

export const useDatasetStore = create<DatasetState>()((set, get) => {
  const update = (patch: Partial<DatasetState>) => {
    set(patch);
    set({ derived: derive(get()) });
  };

  const scheduleDerive = () => {
    if (deriveTimer) return;
    deriveTimer = setTimeout(() => {
      deriveTimer = null;
      set({ derived: derive(get()) });
    }, 200);
  };

  const onResults = (m: ResultsMessage) => {
    const s = get();
    const records = s.records.slice();
    const thumbs = s.thumbs.slice();
    const problems: DatasetProblem[] = [];
    for (const r of m.results) {
      if (r.ok) {
        records[r.index] = { width: r.width, height: r.height, counts: r.counts, signature: r.signature };
        thumbs[r.index] = { thumb: r.thumb, label: r.labelThumb };
      } else {
        records[r.index] = null;
        problems.push(...r.problems);
      }
    }
    const patch: Partial<DatasetState> = { records, thumbs, progress: { done: m.done, total: m.total } };
    if (problems.length > 0) patch.problems = sortProblems([...s.problems, ...problems]);
    if (s.selected === null) {
      const first = m.results.find((r) => r.ok);
      if (first) patch.selected = first.index;
    }
    set(patch);
    scheduleDerive();
    if (patch.selected !== undefined && patch.selected !== null) get().select(patch.selected);
  };

  const onDone = (m: DoneMessage, started: number) => {
    const s = get();
    const diffs = consecutiveFrameDifferences(s.pairing?.pairs ?? [], s.records);
    estimatedOverlaps = m.hoodOverlaps;
    const mask = m.hood?.mask ? { mask: m.hood.mask, width: m.hood.width, height: m.hood.height } : null;
    const hood: HoodState = s.hood.source === 'estimated' ? { source: 'estimated', mask, stats: mask ? hoodStats(mask) : null, fileName: null } : s.hood;
    if (deriveTimer) clearTimeout(deriveTimer);
    deriveTimer = null;
    update({
      phase: 'done',
      diffs,
      estimatedHood: m.hood,
      hood,
      hoodOverlaps: hood.source === 'estimated' ? m.hoodOverlaps : s.hoodOverlaps,
      timings: { ...s.timings, indexMs: performance.now() - started, stages: m.stages },
    });
  };

  const start = (listed: ListedFiles, kind: SourceKind, listMs: number, sourceFor: (pairing: PairingResult) => IndexSource) => {
    closeClient();
    closePreview(get().preview);
    const pairing = pairFiles(listed.entries);
    const { problems, unpaired } = classifyUnpaired(pairing.unpaired);
    const n = pairing.pairs.length;
    set({
      phase: n > 0 ? 'indexing' : 'done',
      error: n > 0 ? null : 'no frame/label pairs found in this folder',
      source: { kind, name: listed.root, files: listed.entries.length },
      pairing,
      problems: sortProblems(problems),
      unpaired,
      records: new Array(n).fill(undefined),
      thumbs: new Array(n).fill(undefined),
      progress: { done: 0, total: n },
      timings: { listMs, indexMs: null },
      estimatedHood: null,
      hood: NO_HOOD,
      hoodOverlaps: null,
      hoodError: null,
      settings: { ...get().settings, thin: null },
      selected: null,
      preview: null,
      diffs: null,
    });
    set({ derived: derive(get()) });
    if (n === 0) return;
    const started = performance.now();
    const c = new DatasetWorkerClient();
    client = c;
    const source = sourceFor(pairing);
    lastLoad = { listed, kind, listMs, source };
    c.index(source, get().scheme, THUMB_WIDTH, {
      onResults,
      onDone: (m) => onDone(m, started),
      onFailed: (message) => set({ phase: 'failed', error: `indexing failed: ${message}` }),
    });
  };

  return {
    ...nothingLoaded(),
    scheme: CARLA_SCHEME,
    settings: INITIAL_SETTINGS,
    view: { labels: true, hood: true, crop: true },

    setListing: () => set({ phase: 'listing', error: null }),
    setListFailed: (message) => set({ phase: 'failed', error: message }),

    loadListed: (listed, kind, listMs = 0) =>
      start(listed, kind, listMs, (pairing) => {
        const pairs: FilePairJob[] = [];
        pairing.pairs.forEach((p, index) => {
          const frame = listed.files.get(p.framePath);
          const label = listed.files.get(p.labelPath);
          if (frame && label) pairs.push({ index, framePath: p.framePath, labelPath: p.labelPath, frame, label });
        });
        return { kind: 'files', pairs };
      }),

    loadSample: () => {
      const t0 = performance.now();
      const listed = sampleListing();
      start(listed, 'sample', performance.now() - t0, () => ({ kind: 'sample', ...SAMPLE_DATASET }));
      set((s) => ({ source: s.source && { ...s.source, name: `Sample dataset (procedural, seed ${SAMPLE_DATASET.seed})` } }));
    },

    setThreshold: (threshold) => update({ settings: { ...get().settings, threshold } }),
    thin: (mode) => update({ settings: { ...get().settings, thin: mode } }),
    setThinEvery: (k) => {
      const s = get().settings;
      update({ settings: { ...s, thinEvery: k, thin: s.thin?.keep === 'every' ? { keep: 'every', k } : s.thin } });
    },
    setSplit: (patch) => update({ settings: { ...get().settings, ...patch } }),
    setCrop: (cropTop, cropBottom) => set({ settings: { ...get().settings, cropTop, cropBottom } }),
    setScale: (scale) => set({ settings: { ...get().settings, scale } }),

    setHoodSource: (source) => {
      if (source === 'off') {
        update({ hood: { source: 'off', mask: null, stats: null, fileName: null }, hoodOverlaps: null, hoodError: null });
        return;
      }
      const e = get().estimatedHood;
      const mask = e?.mask ? { mask: e.mask, width: e.width, height: e.height } : null;
      update({ hood: { source: 'estimated', mask, stats: mask ? hoodStats(mask) : null, fileName: null }, hoodOverlaps: estimatedOverlaps, hoodError: null });
    },

    importHood: async (file) => {
      try {
        const size = get().derived?.sizes[0] ?? null;
        const hood = hoodFromPng(new Uint8Array(await file.arrayBuffer()), file.name, size);
        const overlaps = client ? await client.hoodOverlaps(hood) : null;
        update({ hood: { source: 'imported', mask: hood, stats: hoodStats(hood), fileName: file.name }, hoodOverlaps: overlaps, hoodError: null });
      } catch (e) {
        set({ hoodError: errorMessage(e) });
      }
    },

    hoodPng: () => {
      const h = get().hood.mask;
      return h ? hoodToPng(h) : null;
    },

    select: (index) => {
      const prev = get().preview;
      if (index === null || !client) {
        closePreview(prev);
        set({ selected: index, preview: null });
        return;
      }
      if (prev && prev.index === index && prev.status !== 'failed') {
        set({ selected: index });
        return;
      }
      const id = ++previewRequest;
      set({ selected: index, preview: { index, status: 'loading', width: prev?.width ?? 0, height: prev?.height ?? 0, frame: prev?.frame ?? null, label: prev?.label ?? null, error: null } });
      client
        .preview(index)
        .then((m: PreviewMessage) => {
          if (id !== previewRequest) {
            m.frame.close();
            m.label.close();
            return;
          }
          closePreview(get().preview);
          set({ preview: { index, status: 'ready', width: m.width, height: m.height, frame: m.frame, label: m.label, error: null } });
        })
        .catch((e: unknown) => {
          if (id !== previewRequest) return;
          closePreview(get().preview);
          set({ preview: { index, status: 'failed', width: 0, height: 0, frame: null, label: null, error: errorMessage(e) } });
        });
    },

    setView: (patch) => set({ view: { ...get().view, ...patch } }),

    setScheme: (scheme) => {
      set({ scheme });
      const last = lastLoad;
      if (!last) return;
      const name = get().source?.name;
      start(last.listed, last.kind, last.listMs, () => last.source);
      if (name) set((s) => ({ source: s.source && { ...s.source, name } }));
    },

    reset: () => {
      closeClient();
      lastLoad = null;
      closePreview(get().preview);
      set(nothingLoaded());
    },
  };
});

/** The network input for a frame size (the dataset's most common one) and the crop/scale settings. */
export function datasetGeometry(
  frame: { width: number; height: number } | null,
  settings: Pick<DatasetSettings, 'cropTop' | 'cropBottom' | 'scale'>,
): { geometry: FrameGeometry | null; problems: string[] } {
  if (!frame) return { geometry: null, problems: [] };
  const d = defaultCropRows(frame.height);
  const req = { frameWidth: frame.width, frameHeight: frame.height, cropTop: settings.cropTop ?? d.top, cropBottom: settings.cropBottom ?? d.bottom, scale: settings.scale };
  const problems = frameGeometryProblems(req);
  return { geometry: problems.length === 0 ? frameGeometry(req) : null, problems };
}

// Tests (e2e) reach the store in development builds only.
if (import.meta.env.DEV) (globalThis as unknown as { __datasetStore?: typeof useDatasetStore }).__datasetStore = useDatasetStore;
