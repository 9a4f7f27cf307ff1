/**
 * Hood masks as PNG files, for the Dataset panel's import and export (runs anywhere: no DOM, no
 * Node). Export writes 8-bit gray, 255 = hood, so the file is visible in any viewer; import takes
 * any PNG and treats every pixel with a non-zero colour sample as hood (0/1 masks, 0/255 masks and
 * coloured overlays all work; alpha is ignored), the same rule as the command line's --hood.
 */
import { decodePng, encodeGrayPng, type DecodedImage } from '../io/png';
import { maskStats, type MaskStats } from './hoodMask';

export interface HoodMask {
  mask: Uint8Array;
  width: number;
  height: number;
}

/** 0/1 mask from a decoded image: any non-zero colour sample is hood. */
export function maskFromImage(img: DecodedImage): Uint8Array {
  const { width, height, channels, data } = img;
  const colour = channels >= 3 ? 3 : 1;
  const out = new Uint8Array(width * height);
  for (let i = 0, s = 0; i < out.length; i++, s += channels) {
    let v = 0;
    for (let c = 0; c < colour; c++) v |= data[s + c];
    out[i] = v !== 0 ? 1 : 0;
  }
  return out;
}

/**
 * Reads a hood PNG. `expected` is the dataset's frame size: a hood of another size is refused
 * with a message naming both sizes. Decoding problems throw ImageDecodeError (their message says why).
 */
export function hoodFromPng(bytes: Uint8Array, name: string, expected?: { width: number; height: number } | null): HoodMask {
  const img = decodePng(bytes);
  if (expected && (img.width !== expected.width || img.height !== expected.height)) {
    throw new RangeError(`${name} is ${img.width}x${img.height}, the dataset's frames are ${expected.width}x${expected.height}: a hood mask must have the frames' size`);
  }
  const mask = maskFromImage(img);
  if (!mask.some((v) => v === 1)) throw new RangeError(`${name} marks no pixel as hood (every pixel is 0)`);
  return { mask, width: img.width, height: img.height };
}

/** The hood as an 8-bit gray PNG (255 = hood, 0 = not). */
export function hoodToPng(hood: HoodMask): Uint8Array {
  const gray = new Uint8Array(hood.mask.length);
  for (let i = 0; i < gray.length; i++) gray[i] = hood.mask[i] ? 255 : 0;
  return encodeGrayPng(gray, hood.width, hood.height);
}

/** Pixel count and first/last row, with the width it was measured at. */
export function hoodStats(hood: HoodMask): MaskStats {
  return maskStats(hood.mask, hood.width);
}
