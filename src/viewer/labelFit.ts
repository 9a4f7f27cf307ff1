/**
 * A label image fitted to the model's frame size with its frame (src/viewer/decodeFrame.ts): by
 * nearest neighbour, so that every pixel keeps a class colour of the label (a blend of two class
 * colours would be a third class, or none).
 */
import type { DecodedImage } from '../io/png';
import type { FrameSize } from './decodeFrame';

/** `label` at `size`: each pixel takes the label pixel under its centre. */
export function labelAtSize(label: DecodedImage, size: FrameSize): DecodedImage {
  const { width: sw, height: sh, channels: c } = label;
  const { width: w, height: h } = size;
  if (sw === w && sh === h) return label;
  const columns = Int32Array.from({ length: w }, (_, x) => Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / w)) * c);
  const data = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const row = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / h)) * sw * c;
    const out = y * w * c;
    for (let x = 0; x < w; x++) {
      const from = row + columns[x]!;
      for (let k = 0; k < c; k++) data[out + x * c + k] = label.data[from + k]!;
    }
  }
  return { width: w, height: h, channels: c, data };
}
