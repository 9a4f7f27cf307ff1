/**
 * Frames of the dataset loaded in the Dataset panel, opened in the viewer with their labels: the
 * panel's worker decodes the pair (frame and class overlay); the overlay's display colours are
 * mapped back to classes, so the ground truth is exact (nearest-pixel overlay, opaque colours).
 */
import { useDatasetStore } from '../state/datasetStore';
import type { DecodedFrame } from './decodeFrame';
import { truthFromLabelPixels, type TruthMasks } from './groundTruth';
import { labelPixelsFromOverlay } from './overlayLabels';

function pixelsOf(bitmap: ImageBitmap): Uint8ClampedArray {
  const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context is available');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
}

/** Pair indices of the dataset's usable frames, with their frame paths. */
export function datasetFrameList(): { index: number; path: string }[] {
  const s = useDatasetStore.getState();
  const pairs = s.pairing?.pairs ?? [];
  const out: { index: number; path: string }[] = [];
  pairs.forEach((p, index) => {
    if (s.records[index]) out.push({ index, path: p.framePath });
  });
  return out;
}

/** Opens pair `index` through the Dataset panel's worker: the frame's pixels and its label as class ids. */
export function loadDatasetFrame(index: number, path: string): Promise<{ pixels: DecodedFrame; label: { width: number; height: number; channels: 3; data: Uint8Array } }> {
  const store = useDatasetStore;
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const p = store.getState().preview;
      if (!p || p.index !== index || p.status === 'loading') return false;
      unsubscribe();
      if (p.status === 'failed' || !p.frame || !p.label) {
        reject(new Error(`${path}: ${p.error ?? 'the dataset could not decode this pair'}`));
        return true;
      }
      try {
        const data = pixelsOf(p.frame);
        const label = labelPixelsFromOverlay(pixelsOf(p.label), store.getState().scheme);
        resolve({ pixels: { data, width: p.frame.width, height: p.frame.height, channels: 4 }, label: { width: p.label.width, height: p.label.height, ...label } });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
      return true;
    };
    const unsubscribe = store.subscribe(() => void check());
    store.getState().select(index);
    check();
  });
}

/** How long a pair may take to come from the Dataset panel's worker (ms). */
const OPEN_TIMEOUT_MS = 60_000;

/** `loadDatasetFrame`, failing (naming the pair) when the worker does not deliver it in time (e.g. another pair was selected meanwhile). */
function loadDatasetFrameWithin(index: number, path: string, timeoutMs = OPEN_TIMEOUT_MS): ReturnType<typeof loadDatasetFrame> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the Dataset panel did not deliver this pair within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([loadDatasetFrame(index, path), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Pair `index` with its ground truth for a model whose frames are `frame` in size: the label must be
 * that size; `hood` (a mask of that size, or null) is cleared from the truth.
 */
export async function loadDatasetPairWithTruth(
  index: number,
  path: string,
  frame: { frameWidth: number; frameHeight: number },
  hood: Uint8Array | null,
): Promise<{ pixels: DecodedFrame; truth: TruthMasks }> {
  const { pixels, label } = await loadDatasetFrameWithin(index, path);
  if (label.width !== frame.frameWidth || label.height !== frame.frameHeight) throw new Error(`the label is ${label.width}x${label.height}, the model's frames ${frame.frameWidth}x${frame.frameHeight}`);
  return { pixels, truth: truthFromLabelPixels(label.data, label.channels, label.width, label.height, hood) };
}
