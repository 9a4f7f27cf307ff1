/**
 * App-level state: the TensorFlow.js backend, the model configuration and its summary,
 * status messages. Components read it and call its actions; the logic lives here and in
 * plain modules. TensorFlow.js is loaded lazily (dynamic import) so the shell renders at once.
 */
import { create } from 'zustand';
import type { BackendInfo, BackendName } from '../backend/decide';
import { BACKEND_NAMES, resolveForcedBackend } from '../backend/decide';
import { defaultModelConfig, DEFAULT_CLASSES, inputSizeProblem, type EncoderName, type ModelConfig } from '../model/config';
import { summarizeModel, type ModelSummary } from '../model/summary';

export type BackendSetting = 'auto' | BackendName;
export const BACKEND_SETTINGS: readonly BackendSetting[] = ['auto', ...BACKEND_NAMES];

export type WorkspaceTab = 'dataset' | 'training' | 'viewer';

export interface StatusMessage {
  id: number;
  level: 'info' | 'warn' | 'error';
  text: string;
  at: number;
}

export interface InputSize {
  height: number;
  width: number;
}

export interface BackendState {
  status: 'idle' | 'selecting' | 'ready' | 'failed';
  info: BackendInfo | null;
  error: string | null;
  /** Saved preference ('auto' or a forced backend); a `?backend=` URL parameter overrides it. */
  setting: BackendSetting;
  /** The backend forced by the URL, if any (then the setting has no effect). */
  urlForced: BackendName | null;
}

export interface ModelState {
  config: ModelConfig;
  size: InputSize;
  /** Batch size for the training memory estimate. */
  batch: number;
  summary: ModelSummary | null;
  /** Why the size (or configuration) cannot be summarised; null when fine. */
  problem: string | null;
}

export interface StudioState {
  backend: BackendState;
  model: ModelState;
  messages: StatusMessage[];
  activeTab: WorkspaceTab;

  initBackend: () => Promise<void>;
  setBackendSetting: (setting: BackendSetting) => Promise<void>;
  setEncoder: (encoder: EncoderName) => void;
  setClassCount: (count: number) => void;
  setInputSize: (size: Partial<InputSize>) => void;
  setBatch: (batch: number) => void;
  setActiveTab: (tab: WorkspaceTab) => void;
  pushMessage: (level: StatusMessage['level'], text: string) => void;
  dismissMessage: (id: number) => void;
}

export const DEFAULT_INPUT_SIZE: InputSize = { height: 320, width: 800 };
export const DEFAULT_BATCH = 16;
export const MAX_CLASSES = 256;
const SETTING_KEY = 'segmentation-studio.backend';
const MAX_MESSAGES = 50;

function readSetting(): BackendSetting {
  try {
    const v = globalThis.localStorage?.getItem(SETTING_KEY);
    return v && (BACKEND_SETTINGS as readonly string[]).includes(v) ? (v as BackendSetting) : 'auto';
  } catch {
    return 'auto';
  }
}

function writeSetting(setting: BackendSetting): void {
  try {
    if (setting === 'auto') globalThis.localStorage?.removeItem(SETTING_KEY);
    else globalThis.localStorage?.setItem(SETTING_KEY, setting);
  } catch {
    // storage unavailable (private mode, worker): the setting lasts for this page only
  }
}

function urlSearch(): string {
  return (globalThis as { location?: Location }).location?.search ?? '';
}

/** Class names for a class count: the defaults first, then "class N". */
export function classNamesFor(count: number, current: readonly string[] = DEFAULT_CLASSES): string[] {
  const n = Math.max(1, Math.min(MAX_CLASSES, Math.floor(count)));
  return Array.from({ length: n }, (_, i) => current[i] ?? DEFAULT_CLASSES[i] ?? `class ${i}`);
}

/** Summary of a configuration at a size, or the reason there is none. Pure. */
export function computeModelState(config: ModelConfig, size: InputSize, batch: number): ModelState {
  const sizeProblem = inputSizeProblem(size.height, size.width);
  if (sizeProblem) return { config, size, batch, summary: null, problem: sizeProblem };
  if (!Number.isInteger(batch) || batch < 1) {
    return { config, size, batch, summary: null, problem: `batch size ${batch} must be a whole number of at least 1` };
  }
  try {
    return { config, size, batch, summary: summarizeModel(config, size, batch), problem: null };
  } catch (e) {
    return { config, size, batch, summary: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

let messageId = 0;

export const useStudioStore = create<StudioState>()((set, get) => ({
  backend: {
    status: 'idle',
    info: null,
    error: null,
    setting: readSetting(),
    urlForced: resolveForcedBackend(urlSearch()).forced?.name ?? null,
  },
  model: computeModelState(defaultModelConfig(), DEFAULT_INPUT_SIZE, DEFAULT_BATCH),
  messages: [],
  activeTab: 'dataset',

  initBackend: async () => {
    if (get().backend.status === 'selecting') return;
    set((s) => ({ backend: { ...s.backend, status: 'selecting', error: null } }));
    try {
      const { selectBackend } = await import('../backend/selectBackend');
      const info = await selectBackend({ setting: get().backend.setting, purpose: 'training' });
      set((s) => ({ backend: { ...s.backend, status: 'ready', info, error: null } }));
      const adapter = info.adapter ? ` (${info.adapter})` : '';
      get().pushMessage('info', `Backend ${info.name}${adapter}${info.forced ? ', forced' : ''}`);
      for (const r of info.reasons) get().pushMessage('warn', r);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      set((s) => ({ backend: { ...s.backend, status: 'failed', error } }));
      get().pushMessage('error', `Backend selection failed: ${error}`);
    }
  },

  setBackendSetting: async (setting) => {
    writeSetting(setting);
    set((s) => ({ backend: { ...s.backend, setting } }));
    await get().initBackend();
  },

  setEncoder: (encoder) => {
    const { config, size, batch } = get().model;
    set({ model: computeModelState({ ...config, encoder }, size, batch) });
  },

  setClassCount: (count) => {
    if (!Number.isFinite(count)) return;
    const { config, size, batch } = get().model;
    set({ model: computeModelState({ ...config, classes: classNamesFor(count, config.classes) }, size, batch) });
  },

  setInputSize: (partial) => {
    const { config, size, batch } = get().model;
    set({ model: computeModelState(config, { ...size, ...partial }, batch) });
  },

  setBatch: (batch) => {
    const { config, size } = get().model;
    set({ model: computeModelState(config, size, batch) });
  },

  setActiveTab: (activeTab) => set({ activeTab }),

  pushMessage: (level, text) =>
    set((s) => ({ messages: [...s.messages, { id: ++messageId, level, text, at: Date.now() }].slice(-MAX_MESSAGES) })),

  dismissMessage: (id) => set((s) => ({ messages: s.messages.filter((m) => m.id !== id) })),
}));
