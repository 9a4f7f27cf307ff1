/**
 * Ground truth for a viewed frame: the challenge's two masks from a label image. Road = road and
 * road lines; car = vehicles minus the hood (the hood in use, else the label's own hood found by
 * flood-filling the vehicle class from the bottom centre, as the original did).
 */
import { hoodFromVehicleMask } from '../data/hoodMask';
import { CARLA_SCHEME, decodeLabel, type LabelScheme } from '../data/labelScheme';
import { decodePng } from '../io/png';
import { errorMessage } from '../util/errorMessage';

export interface TruthMasks {
  width: number;
  height: number;
  car: Uint8Array;
  road: Uint8Array;
}

/** Truth masks from decoded label pixels. */
export function truthFromLabelPixels(
  pixels: ArrayLike<number>,
  channels: number,
  width: number,
  height: number,
  hood: Uint8Array | null,
  scheme: LabelScheme = CARLA_SCHEME,
): TruthMasks {
  const classes = decodeLabel(pixels, channels, width, height, scheme);
  const roadIndex = scheme.classes.findIndex((c) => c.name === 'road');
  const carIndex = scheme.classes.findIndex((c) => c.name === 'vehicle');
  const road = new Uint8Array(width * height);
  const vehicle = new Uint8Array(width * height);
  for (let i = 0; i < classes.length; i++) {
    road[i] = classes[i] === roadIndex ? 1 : 0;
    vehicle[i] = classes[i] === carIndex ? 1 : 0;
  }
  const hoodMask = hood && hood.length === width * height ? hood : hoodFromVehicleMask(vehicle, width, height);
  const car = new Uint8Array(width * height);
  for (let i = 0; i < car.length; i++) car[i] = vehicle[i] && !hoodMask[i] ? 1 : 0;
  return { width, height, car, road };
}

/** Truth masks from a label PNG file's bytes; throws with the file's name on bad input. */
export function truthFromLabelPng(bytes: Uint8Array, name: string, hood: Uint8Array | null, expected: { width: number; height: number }): TruthMasks {
  let img;
  try {
    img = decodePng(bytes);
  } catch (e) {
    throw new Error(`${name}: ${errorMessage(e)}`);
  }
  if (img.width !== expected.width || img.height !== expected.height) {
    throw new Error(`${name}: the label is ${img.width}x${img.height}, its frame ${expected.width}x${expected.height}`);
  }
  return truthFromLabelPixels(img.data, img.channels, img.width, img.height, hood);
}
