/**
 * The page's side of the dataset worker: one client per loaded dataset (dispose() terminates the
 * worker, which cancels whatever it was doing). Indexing reports through callbacks; previews and
 * hood overlaps are promises.
 */
import type { LabelScheme } from '../data/labelScheme';
import type { DoneMessage, FromWorker, IndexSource, PreviewMessage, ResultsMessage, ToWorker } from './datasetProtocol';

export interface IndexCallbacks {
  onResults(message: ResultsMessage): void;
  onDone(message: DoneMessage): void;
  onFailed(message: string): void;
}

interface Waiting<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

export class DatasetWorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private jobId = 0;
  private callbacks: IndexCallbacks | null = null;
  private readonly previews = new Map<number, Waiting<PreviewMessage>>();
  private readonly overlaps = new Map<number, Waiting<Float64Array>>();
  private disposed = false;

  constructor() {
    this.worker = new Worker(new URL('./datasetWorker.ts', import.meta.url), { type: 'module', name: 'dataset' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.failAll(`the dataset worker stopped: ${e.message || 'unknown error'}`);
    };
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private failAll(text: string): void {
    this.callbacks?.onFailed(text);
    this.callbacks = null;
    for (const w of this.previews.values()) w.reject(new Error(text));
    for (const w of this.overlaps.values()) w.reject(new Error(text));
    this.previews.clear();
    this.overlaps.clear();
  }

  private receive(m: FromWorker): void {
    if (this.disposed) return;
    switch (m.type) {
      case 'results':
        if (m.jobId === this.jobId) this.callbacks?.onResults(m);
        break;
      case 'done':
        if (m.jobId === this.jobId) this.callbacks?.onDone(m);
        break;
      case 'failed':
        if (m.jobId === this.jobId) this.callbacks?.onFailed(m.message);
        break;
      case 'preview': {
        const w = this.previews.get(m.requestId);
        this.previews.delete(m.requestId);
        if (w) w.resolve(m);
        else {
          m.frame.close();
          m.label.close();
        }
        break;
      }
      case 'preview-failed': {
        const w = this.previews.get(m.requestId);
        this.previews.delete(m.requestId);
        w?.reject(new Error(m.message));
        break;
      }
      case 'hood-overlaps': {
        const w = this.overlaps.get(m.requestId);
        this.overlaps.delete(m.requestId);
        w?.resolve(m.overlaps);
        break;
      }
    }
  }

  /** Starts indexing (one job per client). */
  index(source: IndexSource, scheme: LabelScheme, thumbWidth: number, callbacks: IndexCallbacks): void {
    this.jobId = this.nextId++;
    this.callbacks = callbacks;
    this.post({ type: 'index', jobId: this.jobId, scheme, thumbWidth, source });
  }

  /** The full-size frame and its class overlay for one pair. */
  preview(index: number): Promise<PreviewMessage> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.previews.set(requestId, { resolve, reject });
      this.post({ type: 'preview', requestId, index });
    });
  }

  /** Per pair: hood-value pixels inside this hood (NaN where it does not apply). */
  hoodOverlaps(hood: { mask: Uint8Array; width: number; height: number }): Promise<Float64Array> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.overlaps.set(requestId, { resolve, reject });
      this.post({ type: 'hood-overlaps', requestId, hood: { mask: hood.mask.slice(), width: hood.width, height: hood.height } });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.callbacks = null;
    this.failAll('dataset closed');
    this.disposed = true;
    this.worker.terminate();
  }
}
