/**
 * The Viewer tab's state: post-processing settings (thresholds, morphology, hood), how the overlay
 * is drawn, the frames and videos given to it, and what the last frame measured (stage timings,
 * frame rates, grader scores). The work itself lives in src/viewer (controller, engine); this store
 * only holds plain data and setters. The thresholds are exported for training's validation.
 */
import { create } from 'zustand';
import type { ClassThresholds } from '../inference/frameMasks';
import type { GraderResult } from '../metrics/grader';
import {
  NEUTRAL_SETTINGS,
  normaliseMorphology,
  ORIGINAL_SETTINGS,
  type ChallengeClass,
  type Morphology,
  type PostprocessSettings,
} from '../postprocess/settings';
import type { DrawPath } from '../viewer/canvasDraw';
import type { ComposeMethod } from '../viewer/composePacked';
import type { ProbabilityRanges } from '../viewer/engine';
import type { FrameRates, StageTimings } from '../viewer/timings';
import { decodeViewerSettings, encodeViewerSettings, VIEWER_SETTINGS_KEY } from '../viewer/savedViewerSettings';
import { readStored, writeStored } from '../util/browserStorage';

export type ViewMode = 'masks' | 'heat' | 'errors' | 'side-by-side';
export type HoodChoice = 'dataset' | 'imported' | 'off';
export type PresetName = 'original' | 'neutral';

export const PRESETS: Record<PresetName, PostprocessSettings> = { original: ORIGINAL_SETTINGS, neutral: NEUTRAL_SETTINGS };

export interface ViewSettings {
  mode: ViewMode;
  /** Mask / heat map opacity, 0-1. */
  opacity: number;
  showCar: boolean;
  showRoad: boolean;
  /** The class of the heat map and of the error view. */
  focus: ChallengeClass;
}

/** A frame or video in the viewer's list (the files themselves are held by the controller). */
export interface ViewerEntry {
  kind: 'image' | 'video' | 'dataset';
  path: string;
  hasLabel: boolean;
}

export interface FrameReport {
  path: string;
  width: number;
  height: number;
  timings: StageTimings;
  /** How the frame reached the canvas: drawn by the GPU (nothing read back) or from one readback. */
  drawPath: DrawPath;
  /** Where the overlay was composed: one WebGPU pass, tensor ops, or JavaScript on read-back masks. */
  composeMethod: ComposeMethod;
  rates: FrameRates;
  /** Network runs since the page opened (a settings change re-renders without one). */
  networkRuns: number;
  /** Lowest and highest probability per class over the crop (helps to place thresholds). */
  ranges: ProbabilityRanges | null;
  /** The settings the masks were made with. */
  settings: PostprocessSettings;
  carPixels: number;
  roadPixels: number;
  /** The frame's own size where it was drawn at the model's frame size (`width` x `height`), else null. */
  resizedFrom: { width: number; height: number } | null;
  frameScore: GraderResult | null;
  cumulativeScore: GraderResult | null;
  /**
   * Video: frame number within the video (from 1), the frame a running seek is heading for (null
   * when none), frames in it (null until read from the container, or where it cannot be), frames
   * dropped while playing.
   */
  video: { frame: number; seekingTo: number | null; frames: number | null; dropped: number; playing: boolean; speed: number } | null;
}

export interface ViewerState {
  settings: PostprocessSettings;
  view: ViewSettings;
  hoodChoice: HoodChoice;
  importedHoodName: string | null;
  entries: ViewerEntry[];
  index: number;
  /** What is running ("Running the model on ..."), or null. */
  busy: string | null;
  /** The last failure, naming the file; the frames already loaded stay. */
  error: string | null;
  notice: string | null;
  /** Files that were refused when added, with reasons. */
  problems: { path: string; reason: string }[];
  report: FrameReport | null;
  exportProgress: { done: number; total: number | null } | null;
  answerScore: (GraderResult & { missingFrames: number[]; extraFrames: number[] }) | null;
  /** Whether the viewer, while open, takes a training run's latest weights after each of its validations. */
  followRun: boolean;
  /** Why the last validation's weights were not taken (null: they were, or none came yet). */
  followNote: string | null;

  setThreshold(cls: ChallengeClass, value: number): void;
  setMorphology(cls: ChallengeClass, patch: Partial<Morphology>): void;
  setHood(on: boolean): void;
  applyPreset(name: PresetName): void;
  setSettings(settings: PostprocessSettings): void;
  setView(patch: Partial<ViewSettings>): void;
  setHoodChoice(choice: HoodChoice): void;
}

/** Thresholds stay inside (0, 1); the sliders go down to 1e-5 and up to 1 - 1e-5. */
export const THRESHOLD_LIMITS = { min: 1e-7, max: 1 - 1e-7 } as const;

export function clampThreshold(v: number): number {
  if (!Number.isFinite(v)) return 0.5;
  return Math.min(THRESHOLD_LIMITS.max, Math.max(THRESHOLD_LIMITS.min, v));
}

const DEFAULT_VIEW: ViewSettings = { mode: 'masks', opacity: 0.5, showCar: true, showRoad: true, focus: 'car' };

/** The settings of the last visit (this browser), or null. */
const saved = decodeViewerSettings(readStored(VIEWER_SETTINGS_KEY));

export const useViewerStore = create<ViewerState>()((set, get) => ({
  settings: saved?.settings ?? NEUTRAL_SETTINGS,
  view: saved?.view ?? DEFAULT_VIEW,
  hoodChoice: 'dataset',
  importedHoodName: null,
  entries: [],
  index: 0,
  busy: null,
  error: null,
  notice: null,
  problems: [],
  report: null,
  exportProgress: null,
  answerScore: null,
  followRun: false,
  followNote: null,

  setThreshold: (cls, value) => {
    const s = get().settings;
    set({ settings: { ...s, [cls]: { ...s[cls], threshold: clampThreshold(value) } } });
  },
  setMorphology: (cls, patch) => {
    const s = get().settings;
    set({ settings: { ...s, [cls]: { ...s[cls], morphology: normaliseMorphology({ ...s[cls].morphology, ...patch }) } } });
  },
  setHood: (on) => set({ settings: { ...get().settings, hood: on } }),
  applyPreset: (name) => set({ settings: PRESETS[name] }),
  setSettings: (settings) => set({ settings }),
  setView: (patch) => set({ view: { ...get().view, ...patch } }),
  setHoodChoice: (hoodChoice) => set({ hoodChoice }),
}));

// Thresholds, morphology, hood and view survive a reload.
useViewerStore.subscribe((s, prev) => {
  if (s.settings !== prev.settings || s.view !== prev.view) writeStored(VIEWER_SETTINGS_KEY, encodeViewerSettings({ settings: s.settings, view: s.view }));
});

/** The viewer's current thresholds (for validation scores computed elsewhere, e.g. in training). */
export function viewerThresholds(): ClassThresholds {
  const s = useViewerStore.getState().settings;
  return { car: s.car.threshold, road: s.road.threshold };
}

/** The viewer's full post-processing settings. */
export function viewerPostprocessSettings(): PostprocessSettings {
  return useViewerStore.getState().settings;
}

// Tests (e2e) reach the store in development builds only.
if (import.meta.env.DEV) (globalThis as unknown as { __viewerStore?: typeof useViewerStore }).__viewerStore = useViewerStore;
