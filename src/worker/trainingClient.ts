/**
 * The page's side of the training worker: start or continue a run, control it, and listen to
 * what it reports (trainingProtocol.ts FromTrainingWorker). Saved runs are listed, renamed and
 * deleted straight from IndexedDB (savedRuns), without the worker.
 */
import type { ClassThresholds } from '../inference/frameMasks';
import type { ModelConfig } from '../model/config';
import { IndexedDbRunStore, type RunStore } from '../training/runStore';
import type { FromTrainingWorker, ResumeSavedRequest, StartRequest, ToTrainingWorker } from './trainingProtocol';

export type TrainingListener = (message: FromTrainingWorker) => void;

export interface TrainingWeights {
  config: ModelConfig;
  weights: Record<string, Float32Array>;
  step: number;
}

/** What the client needs of a Worker (a real one, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: ToTrainingWorker, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<FromTrainingWorker>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export function createTrainingWorker(): WorkerLike {
  return new Worker(new URL('./trainingWorker.ts', import.meta.url), { type: 'module', name: 'training' }) as unknown as WorkerLike;
}

export class TrainingClient {
  private readonly worker: WorkerLike;
  private readonly listeners = new Set<TrainingListener>();
  private readonly waiting = new Map<number, { resolve(w: TrainingWeights): void; reject(e: Error): void }>();
  private nextRequestId = 1;
  private disposed = false;

  constructor(worker: WorkerLike = createTrainingWorker()) {
    this.worker = worker;
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      const text = `the training worker stopped: ${e.message || 'unknown error'}`;
      this.emit({ type: 'failure', failure: 'other', message: text, recoverable: false });
      this.rejectAll(text);
    };
  }

  /** Adds a listener for every message of the worker; returns a function that removes it. */
  onMessage(listener: TrainingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `transfer`: buffers of the request (the start model's weights) handed over rather than cloned. */
  start(request: Omit<StartRequest, 'type'>, transfer: Transferable[] = []): void {
    this.post({ type: 'start', ...request }, transfer);
  }

  /** Continues a run saved in IndexedDB (same dataset: same fingerprint). */
  resumeSaved(request: Omit<ResumeSavedRequest, 'type'>): void {
    this.post({ type: 'resume-saved', ...request });
  }

  pause(): void {
    this.post({ type: 'pause' });
  }

  resume(): void {
    this.post({ type: 'resume' });
  }

  stop(): void {
    this.post({ type: 'stop' });
  }

  setLearningRate(learningRate: number): void {
    this.post({ type: 'set-learning-rate', learningRate });
  }

  setThresholds(thresholds: ClassThresholds): void {
    this.post({ type: 'set-thresholds', thresholds });
  }

  /** The current weights by PyTorch name (answered between steps). */
  getWeights(): Promise<TrainingWeights> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      if (this.disposed) {
        reject(new Error('the training worker is closed'));
        return;
      }
      this.waiting.set(requestId, { resolve, reject });
      this.post({ type: 'get-weights', requestId });
    });
  }

  /** Test hook: a NaN loss at the next step, or the GPU device destroyed. */
  injectFault(fault: 'nan' | 'device-lost'): void {
    this.post({ type: 'inject-fault', fault });
  }

  /** Terminates the worker (a running step is abandoned; the last saved state stays in IndexedDB). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rejectAll('the training worker is closed');
    this.listeners.clear();
    this.worker.terminate();
  }

  private post(message: ToTrainingWorker, transfer: Transferable[] = []): void {
    if (!this.disposed) this.worker.postMessage(message, transfer);
  }

  private emit(message: FromTrainingWorker): void {
    for (const l of this.listeners) l(message);
  }

  private rejectAll(text: string): void {
    for (const w of this.waiting.values()) w.reject(new Error(text));
    this.waiting.clear();
  }

  private receive(m: FromTrainingWorker): void {
    if (this.disposed) return;
    if (m.type === 'weights' || m.type === 'weights-unavailable') {
      const w = this.waiting.get(m.requestId);
      this.waiting.delete(m.requestId);
      if (w && m.type === 'weights') w.resolve({ config: m.config, weights: m.weights, step: m.step });
      else w?.reject(new Error(m.type === 'weights-unavailable' ? m.message : 'no weights'));
    }
    this.emit(m);
  }
}

/** Saved runs in this browser (list, load, rename, delete), read from the page directly. */
export const savedRuns: RunStore = new IndexedDbRunStore();
