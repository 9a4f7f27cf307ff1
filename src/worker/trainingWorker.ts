/**
 * The training worker: owns the TensorFlow.js backend it trains on, and wires the page's messages
 * (trainingProtocol.ts) to one TrainingRun (training/runLoop.ts), which does the work. Runs are
 * saved in IndexedDB and the best model goes to the browser model store.
 */
import { describeDeviceLoss, watchDeviceLoss } from '../backend/deviceLoss';
import { selectBackend } from '../backend/selectBackend';
import { TfBackendControl } from '../training/backendControl';
import { classifyFailure } from '../training/failures';
import { FilePairSource } from '../training/fileDecode';
import { SamplePairSource } from '../training/pairSource';
import { TrainingRun, type RunEnvironment } from '../training/runLoop';
import { IndexedDbRunStore } from '../training/runStore';
import { saveModelToBrowser } from '../weights/browserModelStore';
import type { FromTrainingWorker, ToTrainingWorker } from './trainingProtocol';
import { errorMessage } from '../util/errorMessage';

interface WorkerScope {
  postMessage(message: FromTrainingWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToTrainingWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

/** Buffers that can be moved instead of copied (the worker does not keep them). */
function transferables(m: FromTrainingWorker): Transferable[] {
  if (m.type === 'weights') return Object.values(m.weights).map((w) => w.buffer as ArrayBuffer);
  if (m.type === 'validation') return m.report.previews.map((p) => p.rgba.buffer as ArrayBuffer);
  return [];
}

function post(m: FromTrainingWorker): void {
  scope.postMessage(m, transferables(m));
}

let run: TrainingRun | null = null;
let backend: Promise<TfBackendControl> | null = null;
let backendSetting: string | null = null;

/** Selects the training backend once per worker (again when the page forces another one). */
function ensureBackend(setting: string): Promise<TfBackendControl> {
  if (!backend || backendSetting !== setting) {
    backendSetting = setting;
    backend = selectBackend({ setting, purpose: 'training' }).then((info) => {
      post({ type: 'backend', info });
      watchDevice();
      return new TfBackendControl(info.name);
    });
    backend.catch(() => {
      backend = null;
    });
  }
  return backend;
}

/** A real loss of the GPU device (WebGPU) or context (WebGL), not one we caused, stops the run at the next step. */
function watchDevice(): void {
  watchDeviceLoss((loss) => {
    if (loss.reason === 'destroyed') return; // the run's own fault injection (TfBackendControl.loseDevice)
    post({ type: 'log', level: 'error', text: describeDeviceLoss(loss) });
    run?.injectFault('device-lost');
  });
}

function environment(control: TfBackendControl): RunEnvironment {
  return {
    post,
    store: new IndexedDbRunStore(),
    checkpoints: {
      async save(name, model, metadata) {
        await saveModelToBrowser(name, model, metadata);
      },
    },
    backend: {
      name: () => control.name(),
      loseDevice: () => control.loseDevice(),
      recreate: async () => {
        await control.recreate();
        watchDevice();
      },
    },
    sourceFor: (data) =>
      data.source.kind === 'files'
        ? new FilePairSource(data.source.pairs)
        : new SamplePairSource(data.source.count, data.source.seed, data.source.width, data.source.height),
  };
}

function failStart(e: unknown, runId: string): void {
  const c = classifyFailure(e);
  const failure = /backend/i.test(c.message) && c.failure === 'other' ? 'backend' : c.failure;
  post({ type: 'failure', failure, message: c.message, recoverable: false });
  post({ type: 'phase', phase: 'failed', runId, message: c.message });
}

async function replaceRun(make: () => Promise<TrainingRun>, runId: string): Promise<void> {
  if (run) {
    await run.stop().catch(() => undefined);
    run.dispose();
    run = null;
  }
  try {
    run = await make();
  } catch (e) {
    failStart(e, runId);
    return;
  }
  void run.start();
}

/** Setting up a run (start, resume-saved) in progress: later messages wait for it, so they reach the new run. */
let setup: Promise<void> = Promise.resolve();

async function handle(m: ToTrainingWorker): Promise<void> {
  if (m.type === 'start') {
    setup = setup.then(() => replaceRun(async () => TrainingRun.create(m, environment(await ensureBackend(m.backend))), m.runId));
    return setup;
  }
  if (m.type === 'resume-saved') {
    setup = setup.then(() => replaceRun(async () => TrainingRun.fromSaved(m, environment(await ensureBackend(m.backend))), m.runId));
    return setup;
  }
  await setup;
  switch (m.type) {
    case 'pause':
      run?.pause();
      return;
    case 'resume':
      void run?.resume();
      return;
    case 'stop':
      await run?.stop();
      return;
    case 'set-learning-rate':
      run?.setLearningRate(m.learningRate);
      return;
    case 'set-thresholds':
      run?.setThresholds(m.thresholds);
      return;
    case 'get-weights':
      if (run) run.requestWeights(m.requestId);
      else post({ type: 'weights-unavailable', requestId: m.requestId, message: 'no run in this worker' });
      return;
    case 'inject-fault':
      run?.injectFault(m.fault);
      return;
  }
}

scope.onmessage = (event) => {
  handle(event.data).catch((e: unknown) => post({ type: 'log', level: 'error', text: errorMessage(e) }));
};
