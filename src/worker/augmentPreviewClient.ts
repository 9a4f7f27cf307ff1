/**
 * The page's side of the augmentation preview worker: one worker, started on the first preview;
 * each call is answered in order. A call made while another is pending supersedes it (the older
 * promise resolves to null), so typing in the settings never queues up stale previews.
 */
import type { AugmentConfig } from '../training/augment';
import type { AugmentPreview, RgbaImage } from '../training/augmentPreview';
import type { PreviewReply, PreviewRequest } from './augmentPreviewProtocol';

interface Pending {
  resolve(p: AugmentPreview | null): void;
  reject(e: Error): void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): Worker {
  const w = new Worker(new URL('./augmentPreviewWorker.ts', import.meta.url), { type: 'module', name: 'augmentation preview' });
  w.onmessage = (e: MessageEvent<PreviewReply>) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if (e.data.ok) p.resolve(e.data.preview);
    else p.reject(new Error(e.data.error));
  };
  w.onerror = (e) => {
    e.preventDefault();
    const error = new Error(`the augmentation preview worker stopped: ${e.message || 'unknown error'}`);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    worker = null;
    w.terminate();
  };
  return w;
}

/** The preview of `frames` augmented as one batch drawn from `seed`, or null when a newer call replaced it. */
export function previewInWorker(frames: RgbaImage[], overlays: RgbaImage[] | null, config: AugmentConfig, seed: number): Promise<AugmentPreview | null> {
  worker ??= start();
  for (const p of pending.values()) p.resolve(null);
  const id = nextId++;
  const request: PreviewRequest = { id, frames, overlays, config, seed };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage(request);
  });
}
