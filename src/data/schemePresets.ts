/**
 * Label scheme presets: the CARLA / Lyft challenge ids in the red channel, and Cityscapes in its
 * two published encodings (colour palette PNGs, and gray *_labelIds PNGs). The three classes are
 * the challenge's: background (everything else), road, vehicle.
 */
import { CARLA_SCHEME, type LabelScheme } from './labelScheme';

const packRgb = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;

/** Cityscapes colours of the vehicle classes: car, truck, bus, caravan, trailer, train, motorcycle, bicycle. */
const CITYSCAPES_VEHICLE_COLOURS: [number, number, number][] = [
  [0, 0, 142],
  [0, 0, 70],
  [0, 60, 100],
  [0, 0, 90],
  [0, 0, 110],
  [0, 80, 100],
  [0, 0, 230],
  [119, 11, 32],
];

export const CITYSCAPES_PALETTE_SCHEME: LabelScheme = {
  id: 'cityscapes-color',
  name: 'Cityscapes colours (*_color.png)',
  kind: 'rgb-palette',
  channel: 0,
  classes: [
    { name: 'background', color: [0, 0, 0], values: [] },
    { name: 'road', color: [128, 64, 128], values: [packRgb(128, 64, 128)] },
    { name: 'vehicle', color: [0, 0, 142], values: CITYSCAPES_VEHICLE_COLOURS.map(([r, g, b]) => packRgb(r, g, b)) },
  ],
  restClass: 0,
  // The ego vehicle is its own Cityscapes class (black in the colour images), not a vehicle colour.
  hoodValue: null,
};

export const CITYSCAPES_IDS_SCHEME: LabelScheme = {
  id: 'cityscapes-ids',
  name: 'Cityscapes label ids (*_labelIds.png, gray)',
  kind: 'channel-id',
  channel: 0,
  classes: [
    { name: 'background', color: [0, 0, 0], values: [] },
    { name: 'road', color: [128, 64, 128], values: [7] },
    // car 26, truck 27, bus 28, caravan 29, trailer 30, train 31, motorcycle 32, bicycle 33
    { name: 'vehicle', color: [0, 0, 142], values: [26, 27, 28, 29, 30, 31, 32, 33] },
  ],
  restClass: 0,
  hoodValue: null,
};

export const SCHEME_PRESETS: readonly LabelScheme[] = [CARLA_SCHEME, CITYSCAPES_PALETTE_SCHEME, CITYSCAPES_IDS_SCHEME];

/** A deep copy (presets are shared constants; edits work on copies). */
export function cloneScheme(scheme: LabelScheme): LabelScheme {
  return { ...scheme, classes: scheme.classes.map((c) => ({ ...c, color: [...c.color] as [number, number, number], values: [...c.values] })) };
}
