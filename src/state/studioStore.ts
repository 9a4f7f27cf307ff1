/**
 * App-level state: the TensorFlow.js backend, the model configuration and its summary,
 * status messages. Components read it and call its actions; the logic lives here and in
 * plain modules. TensorFlow.js is loaded lazily (dynamic import) so the shell renders at once.
 */
import { create } from 'zustand';
import type { BackendInfo, BackendName } from '../backend/decide';
import { BACKEND_LABELS, BACKEND_NAMES, resolveForcedBackend } from '../backend/decide';
import type { DeviceLoss } from '../backend/deviceLoss';
import { defaultModelConfig, DEFAULT_CLASSES, inputSizeProblem, type EncoderName, type ModelConfig } from '../model/config';
import { withGeometry, type InputGeometry } from '../model/inputGeometry';
import { summarizeModel, type ModelSummary } from '../model/summary';
import { settingsLabel } from '../postprocess/settings';
import { postprocessToMetadata } from '../weights/postprocessMetadata';
import { viewerPostprocessSettings } from './viewerStore';
import type { SavedModelInfo } from '../weights/browserModelStore';
import { downloadFiles } from '../util/browserDownload';
import type { CurrentModelInfo, ExportTarget } from './modelSession';
import { errorMessage } from '../util/errorMessage';
import { forgetStored, readStored, writeStored } from '../util/browserStorage';

export type BackendSetting = 'auto' | BackendName;
export const BACKEND_SETTINGS: readonly BackendSetting[] = ['auto', ...BACKEND_NAMES];

export type WorkspaceTab = 'dataset' | 'training' | 'viewer';

export interface StatusMessage {
  id: number;
  level: 'info' | 'warn' | 'error';
  text: string;
  at: number;
}

/** An error's message (or the thrown value as text). */
export interface InputSize {
  height: number;
  width: number;
}

/** The page's answer to a lost GPU device (the training worker answers for its own). */
export interface DeviceRecovery {
  /** The reason the browser gave, e.g. "unknown: GPU hang". */
  reason: string;
  state: 'recovering' | 'recovered' | 'failed';
  /** Once done: what runs now and what became of the model, or why it failed. */
  detail: string | null;
}

export interface BackendState {
  status: 'idle' | 'selecting' | 'ready' | 'failed';
  /** The last lost GPU device and the recovery from it (until dismissed). */
  recovery: DeviceRecovery | null;
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

/** The model's weights (see modelSession.ts, which holds the LinkNetModel itself). */
export interface WeightsState {
  /** The model whose weights exist now; null until one is created, imported or loaded. */
  current: CurrentModelInfo | null;
  /** What is running (e.g. "Importing model.safetensors"), or null. One task at a time. */
  busy: string | null;
  /** The last failure, naming the file or saved model; shown until dismissed or the next task. */
  error: string | null;
  /** The last success, e.g. "encoder weights imported, decoder initialised". */
  notice: string | null;
  /** Seed for new models and for decoders of imported encoders. */
  seed: number;
  /** Models saved in this browser (IndexedDB), newest first; null until listed. */
  saved: SavedModelInfo[] | null;
}

export interface StudioState {
  backend: BackendState;
  model: ModelState;
  weights: WeightsState;
  messages: StatusMessage[];
  activeTab: WorkspaceTab;

  initBackend: () => Promise<void>;
  /**
   * After the page's GPU device was lost: a new backend (a new device, or the next backend when
   * none can be made), then the current model rebuilt on it from page memory.
   */
  recoverFromDeviceLoss: (loss: DeviceLoss) => Promise<void>;
  dismissRecovery: () => void;
  setBackendSetting: (setting: BackendSetting) => Promise<void>;
  setEncoder: (encoder: EncoderName) => void;
  setClassCount: (count: number) => void;
  /** Class names (and so the class count) from the dataset's label scheme. */
  setClassNames: (names: readonly string[]) => void;
  setInputSize: (size: Partial<InputSize>) => void;
  /** The frame, crop rows and input size of the panel's settings at once (e.g. the Dataset panel's). */
  setInputGeometry: (geometry: InputGeometry) => void;
  setBatch: (batch: number) => void;
  setActiveTab: (tab: WorkspaceTab) => void;
  setSeed: (seed: number) => void;
  /** Creates a model with the panel's settings (seeded), replacing the current one. */
  newModel: () => Promise<void>;
  /** Imports a .safetensors file, or a model.json with its weight files. */
  importModelFiles: (files: readonly File[]) => Promise<void>;
  exportModel: (target: ExportTarget) => Promise<void>;
  saveModelToBrowser: (name: string) => Promise<void>;
  loadSavedModel: (name: string) => Promise<void>;
  deleteSavedModel: (name: string) => Promise<void>;
  refreshSavedModels: () => Promise<void>;
  dismissModelError: () => void;
  pushMessage: (level: StatusMessage['level'], text: string) => void;
  dismissMessage: (id: number) => void;
}

export const DEFAULT_INPUT_SIZE: InputSize = { height: 320, width: 800 };
export const DEFAULT_BATCH = 16;
export const MAX_CLASSES = 256;
const SETTING_KEY = 'segmentation-studio.backend';
const MAX_MESSAGES = 50;

function readSetting(): BackendSetting {
  const v = readStored(SETTING_KEY);
  return v && (BACKEND_SETTINGS as readonly string[]).includes(v) ? (v as BackendSetting) : 'auto';
}

function writeSetting(setting: BackendSetting): void {
  if (setting === 'auto') forgetStored(SETTING_KEY);
  else writeStored(SETTING_KEY, setting);
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
    return { config, size, batch, summary: null, problem: errorMessage(e) };
  }
}

/** How the panel's settings differ from the current model's (empty when they match). */
export function settingsDifferences(current: ModelConfig, panel: ModelState): string[] {
  const out: string[] = [];
  if (current.encoder !== panel.config.encoder) out.push(`encoder ${current.encoder}`);
  if (current.classes.length !== panel.config.classes.length) out.push(`${current.classes.length} classes`);
  if (current.input.inputHeight !== panel.size.height || current.input.inputWidth !== panel.size.width) {
    out.push(`input ${current.input.inputHeight}×${current.input.inputWidth}`);
  }
  return out;
}

/** The panel's settings as a model configuration (input size included), or why they cannot be one. */
export function configFromPanel(panel: ModelState): ModelConfig {
  if (panel.problem) throw new Error(`fix the settings first: ${panel.problem}`);
  return { ...panel.config, input: { ...panel.config.input, inputHeight: panel.size.height, inputWidth: panel.size.width } };
}

const loadSession = () => import('./modelSession');

/** Stops watching the page's GPU device (replaced whenever a backend is chosen). */
let stopWatchingDevice: () => void = () => undefined;

let messageId = 0;

export const useStudioStore = create<StudioState>()((set, get) => ({
  backend: {
    status: 'idle',
    recovery: null,
    info: null,
    error: null,
    setting: readSetting(),
    urlForced: resolveForcedBackend(urlSearch()).forced?.name ?? null,
  },
  model: computeModelState(defaultModelConfig(), DEFAULT_INPUT_SIZE, DEFAULT_BATCH),
  weights: { current: null, busy: null, error: null, notice: null, seed: 0, saved: null },
  messages: [],
  activeTab: 'dataset',

  initBackend: async () => {
    if (get().backend.status === 'selecting') return;
    set((s) => ({ backend: { ...s.backend, status: 'selecting', error: null } }));
    try {
      const [{ selectBackend }, { watchDeviceLoss }] = await Promise.all([import('../backend/selectBackend'), import('../backend/deviceLoss')]);
      const info = await selectBackend({ setting: get().backend.setting, purpose: 'training' });
      set((s) => ({ backend: { ...s.backend, status: 'ready', info, error: null } }));
      stopWatchingDevice();
      stopWatchingDevice = watchDeviceLoss((loss) => void get().recoverFromDeviceLoss(loss));
      const adapter = info.adapter ? ` (${info.adapter})` : '';
      get().pushMessage('info', `Backend ${info.name}${adapter}${info.forced ? ', forced' : ''}`);
      for (const r of info.reasons) get().pushMessage('warn', r);
    } catch (e) {
      const error = errorMessage(e);
      set((s) => ({ backend: { ...s.backend, status: 'failed', error } }));
      get().pushMessage('error', `Backend selection failed: ${error}`);
    }
  },

  recoverFromDeviceLoss: async (loss) => {
    const { deviceLossReason, reregisterBackend } = await import('../backend/deviceLoss');
    const reason = deviceLossReason(loss);
    const lostBackend = get().backend.info?.name ?? 'webgpu';
    const recovery = (state: DeviceRecovery['state'], detail: string | null) =>
      set((s) => ({ backend: { ...s.backend, recovery: { reason, state, detail } } }));
    recovery('recovering', null);
    get().pushMessage('error', `The GPU device was lost (${reason}): making a new one`);
    try {
      reregisterBackend(lostBackend);
    } catch (e) {
      recovery('failed', `The ${BACKEND_LABELS[lostBackend]} backend could not be reset: ${errorMessage(e)}. Reload the page.`);
      return;
    }
    await get().initBackend();
    const backend = get().backend;
    if (backend.status !== 'ready' || !backend.info) {
      recovery('failed', `No backend could be made again (${backend.error ?? 'unknown reason'}). Reload the page.`);
      return;
    }
    const now = BACKEND_LABELS[backend.info.name];
    const runsOn = backend.info.name === lostBackend ? `${now} runs on a new device` : `${BACKEND_LABELS[lostBackend]} could not be made again: the studio runs on ${now} now`;
    try {
      const info = await (await loadSession()).modelSession.restore();
      if (info) showModel(info);
      const detail = info ? `${runsOn}; the model (${info.label}) was rebuilt from page memory: nothing was lost.` : `${runsOn}.`;
      recovery('recovered', detail);
      get().pushMessage('info', detail);
    } catch (e) {
      const detail = `${runsOn}, but the model could not be rebuilt: ${errorMessage(e)}`;
      recovery('failed', detail);
      get().pushMessage('error', detail);
    }
  },

  dismissRecovery: () => set((s) => ({ backend: { ...s.backend, recovery: null } })),

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

  setClassNames: (names) => {
    if (names.length < 1 || names.length > MAX_CLASSES) return;
    const { config, size, batch } = get().model;
    set({ model: computeModelState({ ...config, classes: [...names] }, size, batch) });
  },

  setInputSize: (partial) => {
    const { config, size, batch } = get().model;
    set({ model: computeModelState(config, { ...size, ...partial }, batch) });
  },

  setInputGeometry: (geometry) => {
    const { config, batch } = get().model;
    set({ model: computeModelState({ ...config, input: withGeometry(config.input, geometry) }, { height: geometry.inputHeight, width: geometry.inputWidth }, batch) });
  },

  setBatch: (batch) => {
    const { config, size } = get().model;
    set({ model: computeModelState(config, size, batch) });
  },

  setActiveTab: (activeTab) => set({ activeTab }),

  setSeed: (seed) => {
    if (Number.isInteger(seed) && seed >= 0) set((s) => ({ weights: { ...s.weights, seed } }));
  },

  newModel: () =>
    runWeightsTask('Creating the model', async ({ session }) => {
      const config = configFromPanel(get().model);
      const info = await session.modelSession.createNew(config, get().weights.seed);
      showModel(info);
      return `New ${info.config.encoder.replace('resnet', 'LinkNet')}: ${info.label}`;
    }),

  importModelFiles: (files) =>
    runWeightsTask(`Importing ${files.map((f) => f.name).join(', ')}`, async ({ session }) => {
      const picked = await session.readBrowserFiles(files);
      const { info, notice } = await session.modelSession.importFiles(picked, configFromPanelLoose(get().model), get().weights.seed);
      showModel(info);
      return notice + carriedPostprocessNote(info);
    }),

  exportModel: (target) =>
    runWeightsTask(`Exporting ${target === 'tfjs' ? 'TensorFlow.js files' : `safetensors (${target})`}`, async ({ session }) => {
      const files = await session.modelSession.exportFiles(target, postprocessToMetadata(viewerPostprocessSettings()));
      await downloadFiles(files);
      return `Exported ${files.map((f) => f.name).join(' + ')}`;
    }),

  saveModelToBrowser: (name) =>
    runWeightsTask(`Saving "${name.trim()}" in the browser`, async ({ session }) => {
      const saved = await session.modelSession.saveToBrowser(name, postprocessToMetadata(viewerPostprocessSettings()));
      await listSaved(session);
      return `Saved "${saved.name}" in this browser`;
    }),

  loadSavedModel: (name) =>
    runWeightsTask(`Loading "${name}" from the browser`, async ({ session }) => {
      const info = await session.modelSession.loadFromBrowser(name);
      showModel(info);
      return `Loaded "${name}" (${info.config.encoder.replace('resnet', 'LinkNet')}, ${info.config.classes.length} classes)${carriedPostprocessNote(info)}`;
    }),

  deleteSavedModel: (name) =>
    runWeightsTask(`Deleting "${name}"`, async ({ session }) => {
      await session.modelSession.deleteSaved(name);
      await listSaved(session);
      return `Deleted "${name}" from this browser`;
    }),

  refreshSavedModels: async () => {
    try {
      await listSaved(await loadSession());
    } catch (e) {
      set((s) => ({ weights: { ...s.weights, saved: [], error: errorMessage(e) } }));
    }
  },

  dismissModelError: () => set((s) => ({ weights: { ...s.weights, error: null } })),

  pushMessage: (level, text) =>
    set((s) => ({ messages: [...s.messages, { id: ++messageId, level, text, at: Date.now() }].slice(-MAX_MESSAGES) })),

  dismissMessage: (id) => set((s) => ({ messages: s.messages.filter((m) => m.id !== id) })),
}));

type SessionModule = Awaited<ReturnType<typeof loadSession>>;

/** Waits for the backend choice (model weights live on it); starts it when nobody has. */
async function backendSettled(): Promise<void> {
  const { backend, initBackend } = useStudioStore.getState();
  if (backend.status === 'idle') {
    await initBackend();
    return;
  }
  if (backend.status !== 'selecting') return;
  await new Promise<void>((resolve) => {
    const unsubscribe = useStudioStore.subscribe((s) => {
      if (s.backend.status !== 'selecting') {
        unsubscribe();
        resolve();
      }
    });
  });
}

/** The panel's settings for an imported encoder's new model; the size falls back to the spec's when the field is invalid. */
function configFromPanelLoose(panel: ModelState): ModelConfig {
  return panel.problem ? panel.config : configFromPanel(panel);
}

/** Shows a model's settings in the panel (encoder, classes, input size and spec). */
function showModel(info: CurrentModelInfo): void {
  useStudioStore.setState((s) => ({
    model: computeModelState(info.config, { height: info.config.input.inputHeight, width: info.config.input.inputWidth }, s.model.batch),
    weights: { ...s.weights, current: info },
  }));
}

async function listSaved(session: SessionModule): Promise<void> {
  const saved = await session.modelSession.listSaved();
  useStudioStore.setState((s) => ({ weights: { ...s.weights, saved } }));
}

/** What a loaded model's notice adds about the post-processing it carries (the viewer's "Model's values" applies it), or why that was left unused. */
function carriedPostprocessNote(info: CurrentModelInfo): string {
  if (info.postprocess) return `. It carries its post-processing (${settingsLabel(info.postprocess)}): "Model's values" in the viewer applies it`;
  if (info.postprocessProblem) return `. Its ${info.postprocessProblem}`;
  return '';
}

/**
 * Runs one weights task at a time: busy while it runs, its message as notice, or its error shown.
 * One asked for while another runs is not started, and the status bar says so (a drop on the
 * model panel can come at any time; the buttons are disabled meanwhile).
 */
async function runWeightsTask(label: string, task: (ctx: { session: SessionModule }) => Promise<string>): Promise<void> {
  const store = useStudioStore;
  const running = store.getState().weights.busy;
  if (running) {
    store.getState().pushMessage('warn', `Not started: ${label}. The model panel is busy (${running}); try again when it is done.`);
    return;
  }
  store.setState((s) => ({ weights: { ...s.weights, busy: label, error: null, notice: null } }));
  try {
    await backendSettled();
    const session = await loadSession();
    const notice = await task({ session });
    store.setState((s) => ({ weights: { ...s.weights, notice } }));
    store.getState().pushMessage('info', notice);
  } catch (e) {
    const error = errorMessage(e);
    store.setState((s) => ({ weights: { ...s.weights, error } }));
    store.getState().pushMessage('error', error);
  } finally {
    store.setState((s) => ({ weights: { ...s.weights, busy: null } }));
  }
}
