/**
 * Label schemes: how a label image's pixels map to the model's classes.
 * The CARLA/Lyft preset reads the class id from the red channel (road = 6, 7; vehicle = 10).
 */

export interface LabelClass {
  name: string;
  /** Display colour (RGB). */
  color: [number, number, number];
  /** Label values that belong to this class; empty for the catch-all class. */
  values: number[];
}

export interface LabelScheme {
  id: string;
  name: string;
  /** 'channel-id': class id stored in one channel of the label; 'rgb-palette': each class has RGB colours packed as 0xRRGGBB. */
  kind: 'channel-id' | 'rgb-palette';
  /** For 'channel-id': which channel (0 = red). */
  channel: number;
  classes: LabelClass[];
  /** Index of the class that takes every value not listed elsewhere (background). */
  restClass: number;
  /** Label values of the ego vehicle's hood, when the dataset labels it (CARLA: 10, like other vehicles). */
  hoodValue: number | null;
}

export const CARLA_SCHEME: LabelScheme = {
  id: 'carla',
  name: 'CARLA / Lyft challenge (class id in red)',
  kind: 'channel-id',
  channel: 0,
  classes: [
    { name: 'background', color: [0, 0, 0], values: [] },
    { name: 'road', color: [128, 64, 128], values: [6, 7] },
    { name: 'vehicle', color: [0, 0, 142], values: [10] },
  ],
  restClass: 0,
  hoodValue: 10,
};

/** Per-pixel label value under the scheme: the channel's value, or 0xRRGGBB for palettes. */
export function labelValueAt(pixels: ArrayLike<number>, channels: number, index: number, scheme: LabelScheme): number {
  const o = index * channels;
  if (scheme.kind === 'channel-id') return pixels[o + scheme.channel];
  return channels >= 3 ? (pixels[o] << 16) | (pixels[o + 1] << 8) | pixels[o + 2] : pixels[o];
}

/** A lookup from label value to class index (values outside the table go to the rest class). */
function valueTable(scheme: LabelScheme): Map<number, number> {
  const table = new Map<number, number>();
  scheme.classes.forEach((c, i) => c.values.forEach((v) => table.set(v, i)));
  return table;
}

/** Decodes a label image (interleaved pixels) to a class-index map. */
export function decodeLabel(pixels: ArrayLike<number>, channels: number, width: number, height: number, scheme: LabelScheme): Uint8Array {
  const table = valueTable(scheme);
  const out = new Uint8Array(width * height);
  const cache = new Map<number, number>();
  for (let i = 0; i < out.length; i++) {
    const v = labelValueAt(pixels, channels, i, scheme);
    let cls = cache.get(v);
    if (cls === undefined) {
      cls = table.get(v) ?? scheme.restClass;
      cache.set(v, cls);
    }
    out[i] = cls;
  }
  return out;
}

/** A 0/1 mask of the pixels whose label value equals `value`. */
export function valueMask(pixels: ArrayLike<number>, channels: number, width: number, height: number, scheme: LabelScheme, value: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = labelValueAt(pixels, channels, i, scheme) === value ? 1 : 0;
  return out;
}

export function classIndex(scheme: Pick<LabelScheme, 'classes'> | { classes: string[] }, name: string): number {
  const names = scheme.classes.map((c) => (typeof c === 'string' ? c : c.name));
  return names.indexOf(name);
}

/** How the studio shows class `c` of a scheme with these class names: its name, or "class c" where it has none. */
export function classNameAt(names: readonly string[], c: number): string {
  return names[c]?.trim() || `class ${c}`;
}
