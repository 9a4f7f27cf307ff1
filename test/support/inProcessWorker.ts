/**
 * A stand-in for the browser's Worker in Node: `new Worker(url)` loads the real worker module given
 * to `inProcessWorkerClass` with a `self` of its own, and messages go each way a task later, as in
 * a browser. Everything sent and received is logged; `crash()` fires the page side's onerror.
 */
import { afterEach, beforeEach, vi } from 'vitest';

export interface WorkerLog<Request, Reply> {
  requests: Request[];
  replies: Reply[];
  terminated: number;
}

export function inProcessWorkerClass<Request, Reply>(load: () => Promise<unknown>, log: WorkerLog<Request, Reply>) {
  return class InProcessWorker {
    static last: InProcessWorker | null = null;
    onmessage: ((e: MessageEvent<Reply>) => void) | null = null;
    onerror: ((e: ErrorEvent) => void) | null = null;
    private readonly scope: { onmessage: ((e: MessageEvent<Request>) => void) | null; postMessage(m: Reply): void };
    /** The worker module has run (wait for it before taking `self` away). */
    readonly loaded: Promise<unknown>;
    private terminated = false;

    constructor() {
      this.scope = {
        onmessage: null,
        postMessage: (m) => {
          log.replies.push(m);
          setTimeout(() => !this.terminated && this.onmessage?.({ data: m } as MessageEvent<Reply>));
        },
      };
      (globalThis as { self?: unknown }).self = this.scope;
      vi.resetModules();
      this.loaded = load();
      InProcessWorker.last = this;
    }

    postMessage(m: Request): void {
      log.requests.push(m);
      void this.loaded.then(() => setTimeout(() => !this.terminated && this.scope.onmessage?.({ data: m } as MessageEvent<Request>)));
    }

    terminate(): void {
      this.terminated = true;
      log.terminated++;
    }

    /** The worker dies: the page side hears of it as an error event. */
    crash(message: string): void {
      this.terminated = true;
      this.onerror?.({ message, preventDefault: () => undefined } as ErrorEvent);
    }
  };
}

/**
 * For a test file: `Worker` is the in-process double of the worker module `load` imports, with a
 * fresh `log` for each test; after each test, `Worker` and `self` are taken away again (once the
 * last worker's module has run).
 */
export function useInProcessWorker<Request, Reply>(load: () => Promise<unknown>) {
  const log: WorkerLog<Request, Reply> = { requests: [], replies: [], terminated: 0 };
  const InProcessWorker = inProcessWorkerClass(load, log);
  beforeEach(() => {
    (globalThis as { Worker?: unknown }).Worker = InProcessWorker;
    Object.assign(log, { requests: [], replies: [], terminated: 0 });
  });
  afterEach(async () => {
    await InProcessWorker.last?.loaded;
    InProcessWorker.last = null;
    delete (globalThis as { Worker?: unknown }).Worker;
    delete (globalThis as { self?: unknown }).self;
  });
  return { log, InProcessWorker };
}
