/**
 * Frames of the dataset loaded in the Dataset panel, opened in the viewer with their labels: the
 * panel's worker decodes the pair (frame and class overlay); the overlay's display colours are
 * mapped back to classes, so the ground truth is exact (nearest-pixel overlay, opaque colours).
 */
import { decodeDatasetPair, useDatasetStore } from '../state/datasetStore';
import type { DecodedFrame } from './decodeFrame';
import { truthFromLabelPixels, type TruthMasks } from './groundTruth';
import { labelPixelsFromOverlay } from './overlayLabels';
import { errorMessage } from '../util/errorMessage';

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

/**
 * Opens pair `index` through the Dataset panel's worker: the frame's pixels and its label as class
 * ids. The panel's own selection is left as it is, so any number of these may run at once (the
 * viewer stepping through frames while a search or ranking runs).
 */
export async function loadDatasetFrame(index: number, path: string): Promise<{ pixels: DecodedFrame; label: { width: number; height: number; channels: 3; data: Uint8Array } }> {
  let decoded;
  try {
    decoded = await decodeDatasetPair(index);
  } catch (e) {
    throw new Error(`${path}: ${errorMessage(e)}`);
  }
  const { frame, label } = decoded;
  try {
    const data = pixelsOf(frame);
    const classes = labelPixelsFromOverlay(pixelsOf(label), useDatasetStore.getState().scheme);
    return { pixels: { data, width: frame.width, height: frame.height, channels: 4 }, label: { width: label.width, height: label.height, ...classes } };
  } finally {
    frame.close();
    label.close();
  }
}

/** How long a pair may take to come from the Dataset panel's worker (ms). */
const OPEN_TIMEOUT_MS = 60_000;

/** `loadDatasetFrame`, failing (naming the pair) when the worker does not deliver it in time. */
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
