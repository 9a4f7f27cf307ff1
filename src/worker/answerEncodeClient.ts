/**
 * The page's side of the answer-file encoding worker: a frame's masks go to the worker (copied: the
 * viewer may keep them) and come back as base64 PNGs, so that encoding (tens of ms per 800x600
 * frame) overlaps the next frame's network instead of holding the page. Where workers cannot be
 * made, or the worker dies, frames are encoded on the page.
 */
import { encodeAnswerFrame } from '../io/answerFile';
import type { AnswerEncodeReply, AnswerEncodeRequest } from './answerEncodeProtocol';

export class AnswerFrameEncoder {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(f: [string, string]): void; reject(e: Error): void; request: AnswerEncodeRequest }>();

  constructor() {
    if (typeof Worker === 'undefined') return;
    try {
      const worker = new Worker(new URL('./answerEncodeWorker.ts', import.meta.url), { type: 'module', name: 'answer-file encoding' });
      worker.onmessage = (e: MessageEvent<AnswerEncodeReply>) => {
        const w = this.waiting.get(e.data.id);
        if (!w) return;
        this.waiting.delete(e.data.id);
        if (e.data.ok) w.resolve(e.data.frame);
        else w.reject(new Error(e.data.error));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        this.stopWorker();
      };
      this.worker = worker;
    } catch {
      this.worker = null;
    }
  }

  /** `car` and `road` (0/1, `width` x `height`) as [car_b64, road_b64]. */
  encode(car: Uint8Array, road: Uint8Array, width: number, height: number): Promise<[string, string]> {
    if (!this.worker) return Promise.resolve().then(() => encodeAnswerFrame(car, road, width, height));
    const request: AnswerEncodeRequest = { id: this.nextId++, car, road, width, height };
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject, request });
      this.worker!.postMessage(request);
    });
  }

  /** Ends the worker (frames still waiting are encoded on the page). */
  close(): void {
    this.stopWorker();
  }

  /** Without the worker: what it had not answered is encoded here. */
  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      try {
        const { car, road, width, height } = w.request;
        w.resolve(encodeAnswerFrame(car, road, width, height));
      } catch (e) {
        w.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
}
