/**
 * The Training tab's state: the run settings (the original's defaults), the run's phase and live
 * numbers, its step/validation history (appended in place, see StepHistory; components watch
 * `historyVersion`), checkpoints, failures, and the runs saved in the browser. Actions drive the
 * training worker through the engine binding (loaded lazily: TensorFlow.js stays off the first paint).
 */
import { create } from 'zustand';
import type { BackendInfo } from '../backend/decide';
import { resolveForcedBackend } from '../backend/decide';
import { defaultLossConfig, lossForClassCount } from '../loss/fbetaLoss';
import { computeModelState } from './studioStore';
import { useStudioStore } from './studioStore';
import { useViewerStore, viewerThresholds } from './viewerStore';
import { currentIndexSource, datasetGeometry, SAMPLE_DATASET, useDatasetStore, type DatasetSettings, type DatasetState } from './datasetStore';
import { defaultAugmentConfig } from '../training/augment';
import { isUnfinished, type EngineBinding, type SavedRun, type SavedRunHistory, type TrainingEngine } from '../ui/training/engine';
import { StepHistory } from '../ui/training/stepHistory';
import { buildTrainingData, datasetFingerprint, fingerprintKind, type DatasetForTraining } from '../ui/training/trainingInput';
import type {
  CheckpointInfo,
  FromTrainingWorker,
  ModelStart,
  RunPhase,
  StepReport,
  TrainingData,
  TrainingFailure,
  TrainingSettings,
  ValidationReport,
} from '../worker/trainingProtocol';
import { nextTask } from '../util/nextTask';
import { downloadFiles } from '../util/browserDownload';
import { curvesCsvFiles, runFileStem } from '../training/historyCsv';
import { readWeightsForTransfer } from '../worker/weightsForTransfer';
import { rememberModelDetails } from '../weights/browserModelStore';
import { errorMessage } from '../util/errorMessage';
import { forgetStored, readStored, writeStored } from '../util/browserStorage';

export type TrainingPhase = 'idle' | RunPhase;

export interface FailureState {
  failure: TrainingFailure;
  message: string;
  recoverable: boolean;
  /** What the person can do about it. */
  advice: string;
}

export interface ResumeOffer {
  run: SavedRun;
  /** Why it cannot be resumed as things are (e.g. another folder is loaded), or null. */
  blocker: string | null;
}

export interface TrainingState {
  settings: TrainingSettings;
  runName: string;
  /** 'new' = initialise (seeded); 'current' = continue from the studio's current model. */
  modelStart: 'new' | 'current';
  phase: TrainingPhase;
  runId: string | null;
  backend: BackendInfo | null;
  latest: StepReport | null;
  historyVersion: number;
  validations: number;
  previews: ValidationReport['previews'];
  lastValidation: ValidationReport | null;
  checkpoints: CheckpointInfo[];
  best: CheckpointInfo | null;
  lastSaved: { step: number; at: number } | null;
  failure: FailureState | null;
  /** A problem with the request itself (no dataset, bad setting), shown near the Start button. */
  error: string | null;
  notice: string | null;
  logs: { level: 'info' | 'warn' | 'error'; text: string }[];
  savedRuns: SavedRun[] | null;
  resumeOffer: ResumeOffer | null;
  /** Saved runs overlaid on the charts. */
  compared: string[];
  busy: string | null;
  /**
   * The saved run whose resume is preparing the data (reloading the sample, restoring the Dataset
   * panel's settings), or null: the page holds off its own heavy work (the augmentation preview)
   * meanwhile, as it does once the run is active.
   */
  preparingResume: string | null;

  setSettings(patch: Partial<TrainingSettings>): void;
  setRunName(name: string): void;
  setModelStart(start: 'new' | 'current'): void;
  resetSettings(): void;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  setLearningRate(lr: number): void;
  /**
   * The grader's thresholds for validation (applied to a running run from its next validation).
   * They are the viewer's thresholds: setting them here moves the viewer's sliders, and moving
   * those sets them here.
   */
  setThresholds(patch: Partial<TrainingSettings['thresholds']>): void;
  init(): Promise<void>;
  refreshRuns(): Promise<void>;
  resumeRun(runId: string): Promise<void>;
  renameRun(runId: string, name: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  toggleCompare(runId: string): Promise<void>;
  /** Downloads a run's curves as CSV (steps and validations): the shown run's (null) or a saved one's. */
  exportCurves(runId: string | null): Promise<void>;
  loadBest(): Promise<void>;
  exportBest(): Promise<void>;
  /**
   * The worker's latest weights become the studio's current model (the viewer's). `quiet`: no
   * status-bar message (the viewer following the run). Does nothing while another task is busy.
   */
  useLatestWeights(options?: { quiet?: boolean }): Promise<void>;
  injectFault(fault: 'nan' | 'device-lost'): void;
  dismissFailure(): void;
  /** Applies one message of the worker (the engine's listener). */
  receive(message: FromTrainingWorker): void;
}

/** The original's run: LinkNet34, batch 16, 105 epochs, Adam 1e-4 with the step schedule, F0.5/F2/F1 loss. */
export function defaultTrainingSettings(): TrainingSettings {
  return {
    encoder: 'resnet34',
    batchSize: 16,
    epochs: 105,
    learningRate: 1e-4,
    schedule: 'step',
    loss: defaultLossConfig(),
    augment: defaultAugmentConfig(),
    seed: 0,
    validateEverySteps: 0,
    saveEverySteps: 50,
    cacheBudgetMiB: 512,
    // Validation grades at the viewer's thresholds (those of the last visit, kept in the browser).
    thresholds: viewerThresholds(),
  };
}

/** What to tell the person for each failure. */
export function failureAdvice(failure: TrainingFailure): string {
  switch (failure) {
    case 'out-of-memory':
      return 'The GPU ran out of memory. Lower the batch size or the input size (Dataset tab, scale), then start again or resume.';
    case 'device-lost':
      return 'The GPU device was lost (driver reset or another tab). The run state is saved: press Resume to continue on a new device.';
    case 'nan-loss':
      return 'The loss became NaN/Inf and the run was paused. The last good checkpoint is kept: lower the learning rate and resume, or load the best checkpoint.';
    case 'storage-quota':
      return 'The browser refused to store more data. Delete old runs or saved models below, then resume.';
    case 'data':
      return 'A frame or label could not be read. Check the Dataset tab for problems and choose the folder again.';
    case 'backend':
      return 'No backend could train here. Try another backend (?backend=webgl or wasm) or another browser.';
    case 'other':
      return 'The run stopped unexpectedly. The last saved state can be resumed.';
  }
}

const SETTINGS_KEY = 'segmentation-studio.training.settings';
const RUN_DATA_KEY = 'segmentation-studio.training.run-data';
const MAX_LOGS = 100;

/** The Dataset panel's settings a run was started with (to restore them before resuming). */
interface RunDataRecord {
  source: 'sample' | 'files';
  settings: DatasetSettings;
}

function readJson<T>(key: string): T | null {
  const raw = readStored(key);
  try {
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function writeJson(key: string, value: unknown): void {
  writeStored(key, JSON.stringify(value));
}

function loadSettings(): TrainingSettings {
  const saved = readJson<Partial<TrainingSettings>>(SETTINGS_KEY);
  return saved ? { ...defaultTrainingSettings(), ...saved } : defaultTrainingSettings();
}

function rememberRunData(runId: string, record: RunDataRecord): void {
  const all = readJson<Record<string, RunDataRecord>>(RUN_DATA_KEY) ?? {};
  all[runId] = record;
  const ids = Object.keys(all);
  for (const id of ids.slice(0, Math.max(0, ids.length - 50))) delete all[id];
  writeJson(RUN_DATA_KEY, all);
}

function runDataOf(runId: string): RunDataRecord | null {
  return readJson<Record<string, RunDataRecord>>(RUN_DATA_KEY)?.[runId] ?? null;
}

/** The Dataset panel's data as the training input description, or why there is none. */
export function datasetForTraining(s: DatasetState): { dataset: DatasetForTraining | null; problem: string | null } {
  if (!s.source || !s.pairing) return { dataset: null, problem: 'No dataset is loaded.' };
  if (s.phase !== 'done') return { dataset: null, problem: 'The dataset is still being indexed.' };
  if (!s.derived) return { dataset: null, problem: 'The dataset has no usable pairs.' };
  const { geometry, problems } = datasetGeometry(s.derived.sizes[0] ?? null, s.settings);
  if (!geometry) return { dataset: null, problem: problems[0] ?? 'The frames have no size.' };
  const source = s.source.kind === 'sample' ? ({ kind: 'sample', ...SAMPLE_DATASET } as const) : ({ kind: 'files', root: s.source.name } as const);
  return {
    dataset: {
      source,
      pairs: s.pairing.pairs.map((p) => ({ name: p.id, framePath: p.framePath, labelPath: p.labelPath })),
      train: s.derived.split.train,
      val: s.derived.split.val,
      geometry,
      scheme: s.scheme,
      hood: s.hood.mask,
    },
    problem: s.derived.split.train.length === 0 ? 'The training split is empty.' : null,
  };
}

/** The backend the run should use: the URL's ?backend=, else the studio's setting. */
function backendChoice(): string {
  const search = (globalThis as { location?: Location }).location?.search ?? '';
  const forced = resolveForcedBackend(search, useStudioStore.getState().backend.setting).forced;
  return forced?.name ?? 'auto';
}

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}

export function defaultRunName(settings: TrainingSettings, at = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${settings.encoder.replace('resnet', 'LinkNet')} ${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** The live run's history (mutated in place; `historyVersion` says when). */
export const liveHistory = new StepHistory();

/** What the store shows of a run before its first report (at start, and when a run starts or resumes). */
function noRunYet() {
  return {
    latest: null,
    historyVersion: liveHistory.version,
    validations: 0,
    previews: [],
    lastValidation: null,
    checkpoints: [],
    best: null,
    lastSaved: null,
    failure: null,
    error: null,
    notice: null,
  } satisfies Partial<TrainingState>;
}
/** Histories of compared saved runs, by run id. */
export const comparedHistories = new Map<string, StepHistory>();

let binding: Promise<EngineBinding> | null = null;
let engine: TrainingEngine | null = null;
let unsubscribe: (() => void) | null = null;
let bumpTimer: ReturnType<typeof setTimeout> | null = null;

function loadBinding(): Promise<EngineBinding> {
  binding ??= import('../ui/training/engineBinding').then((m) => m.engineBinding());
  return binding;
}

const ACTIVE: readonly TrainingPhase[] = ['starting', 'running', 'pausing', 'paused', 'stopping'];

export function isActive(phase: TrainingPhase): boolean {
  return ACTIVE.includes(phase);
}

/** Whether the training worker holds the weights of run `runId` (it started and has not been reset). */
export function holdsRunWeights(runId: string | null, phase: TrainingPhase): boolean {
  return runId !== null && (isActive(phase) || phase === 'finished' || phase === 'stopped');
}

/** Waits (at most `ms`) until the dataset store satisfies `ok`. */
function waitForDataset(ok: (s: DatasetState) => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (ok(useDatasetStore.getState())) return resolve(true);
    const timer = setTimeout(() => {
      stop();
      resolve(false);
    }, ms);
    const stop = useDatasetStore.subscribe((s) => {
      if (ok(s)) {
        clearTimeout(timer);
        stop();
        resolve(true);
      }
    });
  });
}

function historyOf(saved: SavedRunHistory): StepHistory {
  const h = new StepHistory();
  h.replaceWith(saved.steps, saved.validations);
  return h;
}

export const useTrainingStore = create<TrainingState>()((set, get) => {
  const log = (level: 'info' | 'warn' | 'error', text: string) => set((s) => ({ logs: [...s.logs, { level, text }].slice(-MAX_LOGS) }));

  /** Coalesces chart updates: at most one re-render per 150 ms however fast steps arrive. */
  const bumpHistory = () => {
    if (bumpTimer) return;
    bumpTimer = setTimeout(() => {
      bumpTimer = null;
      set({ historyVersion: liveHistory.version });
    }, 150);
  };

  /** Takes the viewer's thresholds as the validation thresholds (and the running run's). */
  const followViewerThresholds = () => {
    const thresholds = viewerThresholds();
    const cur = get().settings.thresholds;
    if (thresholds.road === cur.road && thresholds.car === cur.car) return;
    get().setSettings({ thresholds });
    if (engine && isActive(get().phase)) engine.setThresholds(thresholds);
  };
  useViewerStore.subscribe((s, prev) => {
    if (s.settings.road.threshold !== prev.settings.road.threshold || s.settings.car.threshold !== prev.settings.car.threshold) followViewerThresholds();
  });

  /** One loss term per class of the label scheme: a class added in the Dataset tab gets its term (F1), one removed loses it. */
  const followSchemeClasses = () => {
    if (isActive(get().phase)) return;
    const loss = lossForClassCount(get().settings.loss, useDatasetStore.getState().scheme.classes.length);
    if (loss !== get().settings.loss) get().setSettings({ loss });
  };
  useDatasetStore.subscribe((s, prev) => {
    if (s.scheme.classes.length !== prev.scheme.classes.length) followSchemeClasses();
  });
  queueMicrotask(followSchemeClasses);

  const onMessage = (m: FromTrainingWorker) => {
    switch (m.type) {
      case 'backend':
        set({ backend: m.info });
        break;
      case 'phase': {
        set({ phase: m.phase, runId: m.runId });
        if (m.message) log(m.phase === 'failed' ? 'error' : 'info', m.message);
        if (m.phase === 'running') set({ failure: null });
        if (m.phase === 'paused' || m.phase === 'stopped' || m.phase === 'finished' || m.phase === 'failed') void get().refreshRuns();
        break;
      }
      case 'step':
        liveHistory.addStep(m.report);
        set({ latest: m.report });
        bumpHistory();
        break;
      case 'validation': {
        liveHistory.addValidation(m.report);
        set({ validations: liveHistory.validations.length, previews: m.report.previews, lastValidation: m.report, historyVersion: liveHistory.version });
        break;
      }
      case 'checkpoint': {
        rememberModelDetails(m.info.name, m.model);
        // The model panel's saved list shows the new checkpoint (once the list has been read).
        if (useStudioStore.getState().weights.saved) void useStudioStore.getState().refreshSavedModels();
        const checkpoints = [...get().checkpoints, m.info];
        const best = checkpoints.reduce<CheckpointInfo | null>((b, c) => (!b || c.score > b.score ? c : b), null);
        set({ checkpoints, best });
        log('info', `Best checkpoint "${m.info.name}" saved (step ${m.info.step}, score ${m.info.score.toFixed(4)})`);
        break;
      }
      case 'saved': {
        set({ lastSaved: { step: m.step, at: m.at } });
        // The saved-runs list shows the run as saved now (listed again only when the run is new to it).
        const runs = get().savedRuns;
        const id = get().runId;
        if (runs && runs.some((r) => r.runId === id)) set({ savedRuns: runs.map((r) => (r.runId === id ? { ...r, step: m.step, savedAt: m.at, phase: m.phase, bestScore: m.bestScore } : r)) });
        else void get().refreshRuns();
        break;
      }
      case 'failure':
        set({ failure: { failure: m.failure, message: m.message, recoverable: m.recoverable, advice: failureAdvice(m.failure) } });
        log('error', m.message);
        break;
      case 'log':
        log(m.level, m.text);
        break;
      case 'history': {
        liveHistory.replaceWith(m.steps, m.validations);
        const last = m.steps[m.steps.length - 1] ?? null;
        // The run's settings are usually the form's already (resumed in the same browser): keeping
        // the same object spares the settings form and the augmentation card a re-render.
        const current = get().settings;
        set({
          runId: m.runId,
          runName: m.name,
          settings: JSON.stringify(current) === JSON.stringify(m.settings) ? current : m.settings,
          latest: last,
          historyVersion: liveHistory.version,
          validations: liveHistory.validations.length,
          best: m.best,
          checkpoints: m.best ? [m.best] : [],
        });
        break;
      }
      case 'weights':
      case 'weights-unavailable':
        break;
    }
  };

  const ensureEngine = async (): Promise<TrainingEngine> => {
    if (engine) return engine;
    const b = await loadBinding();
    engine = b.createEngine();
    unsubscribe = engine.onMessage(onMessage);
    return engine;
  };

  const resetRun = (runId: string) => {
    liveHistory.clear();
    set({ ...noRunYet(), runId, phase: 'starting' });
  };

  const currentData = (): TrainingData => {
    const { dataset, problem } = datasetForTraining(useDatasetStore.getState());
    if (!dataset || problem) throw new Error(problem ?? 'No dataset is loaded.');
    return buildTrainingData(dataset, datasetFiles());
  };

  return {
    settings: loadSettings(),
    runName: '',
    modelStart: 'new',
    phase: 'idle',
    runId: null,
    backend: null,
    ...noRunYet(),
    logs: [],
    savedRuns: null,
    resumeOffer: null,
    compared: [],
    busy: null,
    preparingResume: null,

    setSettings: (patch) => {
      const settings = { ...get().settings, ...patch };
      set({ settings });
      writeJson(SETTINGS_KEY, settings);
    },
    setRunName: (runName) => set({ runName }),
    setModelStart: (modelStart) => set({ modelStart }),
    resetSettings: () => {
      set({ settings: defaultTrainingSettings() });
      forgetStored(SETTINGS_KEY);
    },

    start: async () => {
      if (isActive(get().phase)) return;
      try {
        const data = currentData();
        // Validation grades at the viewer's current thresholds.
        followViewerThresholds();
        followSchemeClasses();
        const settings = get().settings;
        const runId = newRunId();
        const name = get().runName.trim() || defaultRunName(settings);
        let model: ModelStart = { kind: 'new' };
        let transfer: Transferable[] = [];
        if (get().modelStart === 'current') {
          const { modelSession } = await import('./modelSession');
          const current = modelSession.linkNet;
          if (!current) throw new Error('There is no current model to continue from: create, import or load one first, or choose "new model".');
          // Read a few MB per task and handed over: permuting and cloning LinkNet34's 86 MB here held the page for over a second.
          const read = await readWeightsForTransfer(current);
          transfer = read.transfer;
          model = { kind: 'weights', config: current.config, weights: Object.fromEntries(read.weights), encoderOnly: false, label: modelSession.current?.label ?? 'current model', tfLayout: true };
        }
        const ds = useDatasetStore.getState();
        rememberRunData(runId, { source: ds.source?.kind === 'sample' ? 'sample' : 'files', settings: ds.settings });
        resetRun(runId);
        set({ resumeOffer: null, ...(name !== get().runName ? { runName: name } : {}) });
        const e = await ensureEngine();
        e.start({ type: 'start', runId, name, settings, data, model, backend: backendChoice() }, transfer);
        log('info', `Started "${name}" (${settings.encoder}, batch ${settings.batchSize}, ${settings.epochs} epochs, input ${data.spec.inputHeight}×${data.spec.inputWidth})`);
      } catch (e) {
        set({ error: errorMessage(e), phase: get().phase === 'starting' ? 'idle' : get().phase });
      }
    },

    pause: () => engine?.pause(),
    resume: () => {
      set({ failure: null });
      engine?.resume();
    },
    stop: () => engine?.stop(),

    setLearningRate: (lr) => {
      if (!(lr > 0) || !Number.isFinite(lr)) return;
      get().setSettings({ learningRate: lr });
      if (engine && isActive(get().phase)) engine.setLearningRate(lr);
    },

    setThresholds: (patch) => {
      const thresholds = { ...get().settings.thresholds, ...patch };
      if (![thresholds.road, thresholds.car].every((t) => t >= 0 && t < 1)) return;
      const viewer = useViewerStore.getState();
      if (patch.road !== undefined) viewer.setThreshold('road', patch.road);
      if (patch.car !== undefined) viewer.setThreshold('car', patch.car);
      followViewerThresholds();
    },

    init: async () => {
      await get().refreshRuns();
    },

    refreshRuns: async () => {
      try {
        const runs = await (await loadBinding()).runs.list();
        runs.sort((a, b) => b.savedAt - a.savedAt);
        const active = isActive(get().phase) ? get().runId : null;
        const candidate = runs.find((r) => isUnfinished(r) && r.runId !== active) ?? null;
        let resumeOffer: ResumeOffer | null = null;
        if (candidate && !active) {
          const kind = fingerprintKind(candidate.fingerprint);
          const { dataset } = datasetForTraining(useDatasetStore.getState());
          const loaded = dataset ? datasetFingerprint(dataset) : null;
          const blocker =
            kind === 'sample' || loaded === candidate.fingerprint || !dataset
              ? kind === 'files' && !dataset
                ? 'Load the same folder in the Dataset tab (with the same settings) to resume it.'
                : null
              : 'The loaded dataset differs from the one this run was trained on; load that folder with the same settings.';
          resumeOffer = { run: candidate, blocker };
        }
        set({ savedRuns: runs, resumeOffer });
      } catch (e) {
        set({ savedRuns: [], error: `Could not list the saved runs: ${errorMessage(e)}` });
      }
    },

    resumeRun: async (runId) => {
      if (isActive(get().phase)) return;
      const run = (get().savedRuns ?? []).find((r) => r.runId === runId);
      if (!run) return;
      set({ busy: `Preparing to resume "${run.name}"`, preparingResume: runId, error: null });
      try {
        // Showing "preparing", reloading the sample and restoring the Dataset panel's settings each
        // re-render part of the page: one task each, not one long one.
        await nextTask();
        const record = runDataOf(runId);
        const ds = useDatasetStore.getState();
        if (fingerprintKind(run.fingerprint) === 'sample' && ds.source?.kind !== 'sample') {
          ds.loadSample();
          await nextTask();
        }
        if (record) {
          const cur = useDatasetStore.getState();
          const s = record.settings;
          cur.setSplit({ valRatio: s.valRatio, seed: s.seed, splitMode: s.splitMode });
          cur.setCrop(s.cropTop, s.cropBottom);
          cur.setScale(s.scale);
          if (s.threshold !== cur.settings.threshold) cur.setThreshold(s.threshold);
          if (JSON.stringify(s.thin) !== JSON.stringify(cur.settings.thin)) cur.thin(s.thin);
        }
        const ready = await waitForDataset((s) => s.phase === 'done' && !!s.derived, 300_000);
        if (!ready) throw new Error('the dataset did not finish loading');
        // Derivation is debounced in the dataset store; let it settle.
        await new Promise((r) => setTimeout(r, 250));
        const data = currentData();
        if (data.fingerprint !== run.fingerprint) {
          throw new Error(`the loaded dataset (${data.fingerprint}) is not the one "${run.name}" was trained on (${run.fingerprint}); load that dataset with the same settings`);
        }
        resetRun(runId);
        set({ runName: run.name, resumeOffer: null, lastSaved: { step: run.step, at: run.savedAt } });
        const e = await ensureEngine();
        e.resumeSaved({ type: 'resume-saved', runId, data, backend: backendChoice() });
        log('info', `Resuming "${run.name}" from step ${run.step}`);
      } catch (e) {
        set({ error: `Cannot resume: ${errorMessage(e)}` });
      } finally {
        set({ busy: null, preparingResume: null });
      }
    },

    renameRun: async (runId, name) => {
      const n = name.trim();
      if (!n) return;
      try {
        await (await loadBinding()).runs.rename(runId, n);
        if (get().runId === runId) set({ runName: n });
        await get().refreshRuns();
      } catch (e) {
        set({ error: `Could not rename the run: ${errorMessage(e)}` });
      }
    },

    deleteRun: async (runId) => {
      if (isActive(get().phase) && get().runId === runId) {
        set({ error: 'Stop the run before deleting it.' });
        return;
      }
      try {
        await (await loadBinding()).runs.remove(runId);
        comparedHistories.delete(runId);
        set((s) => ({ compared: s.compared.filter((id) => id !== runId) }));
        await get().refreshRuns();
      } catch (e) {
        set({ error: `Could not delete the run: ${errorMessage(e)}` });
      }
    },

    toggleCompare: async (runId) => {
      const on = get().compared.includes(runId);
      if (on) {
        comparedHistories.delete(runId);
        set((s) => ({ compared: s.compared.filter((id) => id !== runId), historyVersion: s.historyVersion + 1 }));
        return;
      }
      try {
        const saved = await (await loadBinding()).runs.history(runId);
        if (!saved) throw new Error('its saved state is gone');
        comparedHistories.set(runId, historyOf(saved));
        set((s) => ({ compared: [...s.compared, runId], historyVersion: s.historyVersion + 1 }));
      } catch (e) {
        set({ error: `Cannot compare that run: ${errorMessage(e)}` });
      }
    },

    exportCurves: async (runId) => {
      try {
        let history = liveHistory;
        let name = get().runName || 'training run';
        if (runId !== null) {
          const saved = await (await loadBinding()).runs.history(runId);
          if (!saved) throw new Error('its saved state is gone');
          history = historyOf(saved);
          name = get().savedRuns?.find((r) => r.runId === runId)?.name ?? runId;
        }
        const classNames = useDatasetStore.getState().scheme.classes.map((c) => c.name);
        await downloadFiles(curvesCsvFiles(runFileStem(name), history, classNames));
      } catch (e) {
        set({ error: `Cannot export the curves: ${errorMessage(e)}` });
      }
    },

    loadBest: async () => {
      const best = get().best;
      if (!best) return;
      await useStudioStore.getState().loadSavedModel(best.name);
      set({ notice: `"${best.name}" is now the studio's current model` });
    },

    exportBest: async () => {
      const best = get().best;
      if (!best) return;
      const studio = useStudioStore.getState();
      await studio.loadSavedModel(best.name);
      await useStudioStore.getState().exportModel('F32');
    },

    useLatestWeights: async (options = {}) => {
      if (!engine || get().busy !== null) return;
      set({ busy: 'Fetching the latest weights' });
      try {
        const w = await engine.getWeights();
        const { modelSession } = await import('./modelSession');
        const info = await modelSession.adoptTrainedWeights(w.config, w.weights, { name: get().runName || 'training run', runId: get().runId, step: w.step });
        useStudioStore.setState((s) => ({
          model: computeModelState(info.config, { height: info.config.input.inputHeight, width: info.config.input.inputWidth }, s.model.batch),
          weights: { ...s.weights, current: info },
        }));
        set({ notice: `The viewer now uses the weights of step ${w.step}` });
        if (!options.quiet) useStudioStore.getState().pushMessage('info', `Current model: ${info.label}`);
      } catch (e) {
        const message = `Could not take the latest weights: ${errorMessage(e)}`;
        set({ error: message });
        // Asked for from the viewer too, where the training tab's error line is not in sight.
        useStudioStore.getState().pushMessage('error', message);
      } finally {
        set({ busy: null });
      }
    },

    injectFault: (fault) => engine?.injectFault(fault),
    dismissFailure: () => set({ failure: null }),
    receive: onMessage,
  };
});

/** The dataset's Files by path (the Dataset panel keeps those of the folder it indexed). */
function datasetFiles(): (path: string) => File | undefined {
  const source = currentIndexSource();
  const byPath = new Map<string, File>();
  if (source?.kind === 'files') {
    for (const p of source.pairs) {
      byPath.set(p.framePath, p.frame);
      byPath.set(p.labelPath, p.label);
    }
  }
  return (path) => byPath.get(path);
}

/** Ends the worker (tests, hot reload). */
export function disposeTrainingEngine(): void {
  unsubscribe?.();
  unsubscribe = null;
  engine?.dispose();
  engine = null;
}

// The validation thresholds start as the viewer's (a saved setting from an earlier visit may differ).
useTrainingStore.getState().setThresholds({});

// Tests (e2e) reach the store in development builds only.
if (import.meta.env.DEV) (globalThis as unknown as { __trainingStore?: typeof useTrainingStore }).__trainingStore = useTrainingStore;
