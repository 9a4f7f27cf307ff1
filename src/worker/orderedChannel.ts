/**
 * The page's end of a worker that answers each request once, in the order asked: a request's
 * promise resolves with its reply; when the worker stops (an error, or `stop`), every request
 * still out rejects with the reason, and so does every later one.
 */
export class OrderedWorkerChannel<Request, Reply> {
  private readonly waiting: { resolve(r: Reply): void; reject(e: Error): void }[] = [];
  private stoppedBy: Error | null = null;

  /** `name`: the worker in messages ("the <name> worker stopped: …"); `closed`: the reason `stop()` gives by default. */
  constructor(
    private readonly worker: Worker,
    name: string,
    private readonly closed: string,
  ) {
    worker.onmessage = (e: MessageEvent<Reply>) => this.waiting.shift()?.resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.stop(new Error(`the ${name} worker stopped: ${e.message || 'unknown error'}`));
    };
  }

  /** Why the worker stopped, or null while it runs. */
  get stopped(): Error | null {
    return this.stoppedBy;
  }

  ask(request: Request, transfer: Transferable[] = []): Promise<Reply> {
    if (this.stoppedBy) return Promise.reject(this.stoppedBy);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  /** Ends the worker; the requests still out reject with `reason`. */
  stop(reason = new Error(this.closed)): void {
    if (this.stoppedBy) return;
    this.stoppedBy = reason;
    this.worker.terminate();
    for (const w of this.waiting.splice(0)) w.reject(reason);
  }
}
