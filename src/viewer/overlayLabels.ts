/**
 * The Dataset panel's class overlay (opaque display colours, background transparent, nearest
 * pixel) read back as label pixels: the class's first label value in the red channel.
 */
import { displayColor } from '../data/labelAnalysis';
import type { LabelScheme } from '../data/labelScheme';

/** Class ids (as the label's red channel would hold them) from an RGBA class overlay. */
export function labelPixelsFromOverlay(rgba: ArrayLike<number>, scheme: LabelScheme): { data: Uint8Array; channels: 3 } {
  const colours = scheme.classes.map((c, i) => ({ value: c.values[0] ?? 0, rgb: i === scheme.restClass ? null : displayColor(c.color) }));
  const n = rgba.length / 4;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (rgba[i * 4 + 3]! < 128) continue;
    for (const c of colours) {
      if (c.rgb && rgba[i * 4] === c.rgb[0] && rgba[i * 4 + 1] === c.rgb[1] && rgba[i * 4 + 2] === c.rgb[2]) {
        out[i * 3] = c.value;
        break;
      }
    }
  }
  return { data: out, channels: 3 };
}

