/**
 * Scenes of the sample dataset: a street seen from a car's hood camera, described in world units
 * (about a metre; the camera is 1 unit above the ground). `u` runs across the road (right positive,
 * 0 = centre of the ego lane); `z` runs along it (forward positive, 0 = where the ego car starts).
 * A scene is fixed; a frame is the scene at a time step `t` (the ego car and the other cars move).
 */
import { mixSeed, Rng } from './random';

export type Rgb = readonly [number, number, number];

/** CARLA 0.8 semantic classes (label red channel). */
export const CARLA = {
  none: 0,
  building: 1,
  fence: 2,
  other: 3,
  pedestrian: 4,
  pole: 5,
  roadLine: 6,
  road: 7,
  sidewalk: 8,
  vegetation: 9,
  vehicle: 10,
  wall: 11,
  trafficSign: 12,
} as const;

export interface Lighting {
  name: 'noon' | 'afternoon' | 'morning' | 'overcast' | 'dusk';
  skyZenith: Rgb;
  skyHorizon: Rgb;
  /** Colour distant things fade to. */
  haze: Rgb;
  /** Distance (units) at which about 63 % of a colour has faded to haze. */
  fogDistance: number;
  cloudiness: number;
  cloudColour: Rgb;
  /** Light on surfaces by orientation (1 = a plain colour as given). */
  ground: number;
  groundShadow: number;
  /** Façades facing the sun side, facing away, and faces toward the camera. */
  sideLit: number;
  sideShade: number;
  front: number;
  top: number;
  /** -1: the sun is on the left (it lights right-hand façades and casts shadows to the right). */
  sunSide: -1 | 1;
  /** Ground shadow of a façade: how far (units per unit of height) it reaches across the street. */
  shadowLength: number;
  /** Whole-frame colour multipliers (white balance and exposure). */
  tint: Rgb;
  exposure: number;
  /** Standard deviation of the per-pixel sensor noise (0..255 scale). */
  noise: number;
}

export type CentreLine = 'double-yellow' | 'single-yellow' | 'dashed-white' | 'none';

export interface RoadLayout {
  laneWidth: number;
  /** u of the road's right and left edges (kerbs) and of the centre line. */
  rightEdge: number;
  leftEdge: number;
  centre: number;
  /** Lanes each way (the ego car drives in one of the `lanesRight`). */
  lanesRight: number;
  lanesLeft: number;
  centreLine: CentreLine;
  edgeLines: boolean;
  sidewalkRight: number;
  sidewalkLeft: number;
  asphalt: Rgb;
  sidewalk: Rgb;
  kerb: Rgb;
  terrain: Rgb;
  /** 'grass' | 'dirt' texture strength and scale. */
  terrainKind: 'grass' | 'dirt' | 'paving';
  lineYellow: Rgb;
  lineWhite: Rgb;
  /** Tile size of the sidewalk pattern. */
  tile: number;
  /** Wear of the asphalt: 0 fresh, 1 patchy. */
  wear: number;
}

export type Side = -1 | 1;

export interface Building {
  kind: 'building';
  side: Side;
  /** Distance of the façade from the kerb. */
  offset: number;
  z0: number;
  z1: number;
  height: number;
  depth: number;
  colour: Rgb;
  trim: Rgb;
  glass: Rgb;
  floorHeight: number;
  windowSpacing: number;
  windowWidth: number;
  windowHeight: number;
  /** 0 = plain wall without windows. */
  windows: boolean;
  shopFront: boolean;
}

export interface WallLike {
  kind: 'wall' | 'fence';
  side: Side;
  offset: number;
  z0: number;
  z1: number;
  height: number;
  colour: Rgb;
  /** Fence pattern: spacing of the bars. */
  spacing: number;
}

export interface Tree {
  kind: 'tree';
  side: Side;
  offset: number;
  z: number;
  trunkHeight: number;
  trunkWidth: number;
  crownWidth: number;
  crownHeight: number;
  colour: Rgb;
  trunk: Rgb;
  blobs: number;
  seed: number;
}

export interface Pole {
  kind: 'lamp' | 'sign';
  side: Side;
  offset: number;
  z: number;
  height: number;
  colour: Rgb;
  /** Sign plate: colour, border colour and shape. */
  plate: Rgb;
  rim: Rgb;
  shape: 'round' | 'square' | 'triangle';
}

export interface BoxThing {
  kind: 'box';
  side: Side;
  offset: number;
  z: number;
  width: number;
  depth: number;
  height: number;
  colour: Rgb;
  accent: Rgb;
}

export interface Pedestrian {
  kind: 'pedestrian';
  side: Side;
  offset: number;
  z: number;
  height: number;
  shirt: Rgb;
  trousers: Rgb;
  skin: Rgb;
}

export type StreetItem = Building | WallLike | Tree | Pole | BoxThing | Pedestrian;

export type CarType = 'sedan' | 'hatchback' | 'suv' | 'van' | 'truck';

export interface Car {
  type: CarType;
  /** Lane centre (u) and the nearest end's z at t = 0. */
  u: number;
  z: number;
  /** World units per frame along z (the ego car drives at `Scene.egoSpeed`). */
  speed: number;
  /** true: drives toward the camera (we see its front). */
  oncoming: boolean;
  length: number;
  width: number;
  height: number;
  colour: Rgb;
  /** Relative shine of the paint. */
  gloss: number;
}

export interface Scene {
  seed: number;
  /** Horizon row and vanishing column of an 800x600 frame (camera pitch and yaw). */
  horizon: number;
  vanishingX: number;
  /** The camera's u (its offset from the lane centre). */
  cameraU: number;
  egoSpeed: number;
  lighting: Lighting;
  road: RoadLayout;
  items: StreetItem[];
  cars: Car[];
  /** The distant skyline: share of distant buildings among trees, and its height scale (reference px). */
  skylineBuildings: number;
  skylineHeight: number;
}

// ----------------------------------------------------------------------------- palettes

const jitter = (rng: Rng, c: Rgb, amount: number): Rgb => {
  const k = 1 + rng.range(-amount, amount);
  return [c[0] * k + rng.range(-6, 6), c[1] * k + rng.range(-6, 6), c[2] * k + rng.range(-6, 6)];
};

const BUILDING_COLOURS: readonly Rgb[] = [
  [196, 178, 150], [150, 82, 62], [168, 96, 72], [206, 204, 198], [128, 130, 134], [88, 90, 96],
  [150, 160, 172], [220, 206, 172], [112, 88, 68], [176, 150, 120], [104, 112, 122], [190, 120, 90],
];
const WALL_COLOURS: readonly Rgb[] = [[160, 160, 154], [122, 116, 106], [180, 170, 150], [102, 104, 130], [140, 128, 112]];
const FENCE_COLOURS: readonly Rgb[] = [[74, 76, 80], [120, 96, 72], [190, 190, 186], [60, 70, 62]];
const TREE_COLOURS: readonly Rgb[] = [[52, 82, 32], [64, 98, 38], [42, 68, 32], [78, 104, 42], [96, 102, 44], [58, 90, 48]];
const CAR_COLOURS: readonly (readonly [Rgb, number])[] = [
  [[226, 226, 224], 18], [[26, 26, 30], 14], [[168, 170, 174], 14], [[98, 100, 106], 10], [[158, 22, 24], 9],
  [[32, 52, 132], 8], [[20, 30, 70], 6], [[206, 166, 34], 4], [[40, 88, 52], 4], [[198, 92, 32], 3],
  [[190, 172, 132], 3], [[96, 148, 198], 4], [[110, 30, 60], 2],
];
const CLOTHES: readonly Rgb[] = [[30, 30, 36], [200, 40, 40], [40, 70, 150], [220, 220, 214], [90, 110, 60], [150, 120, 90], [60, 60, 64], [200, 160, 40]];
const SKIN: readonly Rgb[] = [[224, 186, 160], [190, 140, 100], [140, 96, 66], [96, 64, 44]];

function lightingFor(rng: Rng): Lighting {
  const name = rng.weighted<Lighting['name']>([['noon', 3], ['afternoon', 3], ['morning', 2], ['overcast', 2], ['dusk', 1.2]]);
  const sunSide: Side = rng.chance(0.5) ? -1 : 1;
  const noise = rng.range(2.5, 6.5);
  const exposure = rng.range(0.92, 1.08);
  switch (name) {
    case 'noon':
      return {
        name, sunSide, noise, exposure,
        skyZenith: jitter(rng, [62, 112, 186], 0.08), skyHorizon: jitter(rng, [182, 202, 226], 0.04), haze: [186, 198, 214],
        fogDistance: rng.range(220, 420), cloudiness: rng.range(0.1, 0.6), cloudColour: [238, 240, 244],
        ground: 1.0, groundShadow: 0.52, sideLit: 1.05, sideShade: 0.62, front: 0.85, top: 1.1,
        shadowLength: rng.range(0.25, 0.6), tint: [1, 1, 1.01],
      };
    case 'afternoon':
      return {
        name, sunSide, noise, exposure,
        skyZenith: jitter(rng, [78, 124, 184], 0.08), skyHorizon: jitter(rng, [206, 206, 200], 0.04), haze: [200, 200, 196],
        fogDistance: rng.range(180, 360), cloudiness: rng.range(0.2, 0.7), cloudColour: [240, 236, 228],
        ground: 0.98, groundShadow: 0.5, sideLit: 1.08, sideShade: 0.55, front: 0.8, top: 1.05,
        shadowLength: rng.range(0.8, 1.6), tint: [1.04, 1.0, 0.94],
      };
    case 'morning':
      return {
        name, sunSide, noise, exposure: exposure * 0.96,
        skyZenith: jitter(rng, [104, 138, 190], 0.08), skyHorizon: jitter(rng, [226, 212, 194], 0.04), haze: [214, 206, 196],
        fogDistance: rng.range(120, 260), cloudiness: rng.range(0.1, 0.5), cloudColour: [244, 232, 222],
        ground: 0.95, groundShadow: 0.5, sideLit: 1.1, sideShade: 0.55, front: 0.78, top: 1.0,
        shadowLength: rng.range(1.2, 2.2), tint: [1.05, 0.99, 0.93],
      };
    case 'overcast':
      return {
        name, sunSide, noise, exposure,
        skyZenith: jitter(rng, [148, 154, 164], 0.06), skyHorizon: jitter(rng, [196, 198, 202], 0.03), haze: [182, 186, 190],
        fogDistance: rng.range(110, 220), cloudiness: 1, cloudColour: [206, 208, 212],
        ground: 0.88, groundShadow: 0.88, sideLit: 0.86, sideShade: 0.8, front: 0.84, top: 0.92,
        shadowLength: 0, tint: [0.98, 1.0, 1.03],
      };
    case 'dusk':
      return {
        name, sunSide, noise: noise + 1.5, exposure: exposure * 0.8,
        skyZenith: jitter(rng, [56, 70, 122], 0.1), skyHorizon: jitter(rng, [228, 156, 104], 0.06), haze: [176, 140, 124],
        fogDistance: rng.range(100, 200), cloudiness: rng.range(0.2, 0.7), cloudColour: [222, 150, 130],
        ground: 0.8, groundShadow: 0.56, sideLit: 1.0, sideShade: 0.5, front: 0.66, top: 0.82,
        shadowLength: rng.range(2, 3.5), tint: [1.1, 0.92, 0.84],
      };
  }
}

function roadFor(rng: Rng): { road: RoadLayout; egoLane: number } {
  const laneWidth = rng.range(2.7, 3.3);
  const lanesRight = rng.chance(0.3) ? 2 : 1;
  const lanesLeft = rng.weighted([[1, 6], [2, 2.5], [0, lanesRight === 2 ? 1 : 0]]);
  const egoLane = lanesRight === 2 ? rng.int(0, 1) : 0; // 0 = next to the centre line
  const centre = -laneWidth / 2 - egoLane * laneWidth;
  const rightEdge = centre + lanesRight * laneWidth;
  const leftEdge = centre - lanesLeft * laneWidth;
  const grey = rng.range(96, 150);
  const asphalt: Rgb = [grey + rng.range(-4, 4), grey + rng.range(-3, 3), grey + rng.range(0, 8)];
  const walkGrey = grey + rng.range(-22, 28);
  const terrainKind = rng.weighted<RoadLayout['terrainKind']>([['grass', 5], ['dirt', 2], ['paving', 2]]);
  const terrain: Rgb =
    terrainKind === 'grass' ? jitter(rng, rng.pick<Rgb>([[72, 118, 36], [92, 124, 50], [110, 120, 64]]), 0.12)
    : terrainKind === 'dirt' ? jitter(rng, [116, 102, 82], 0.1)
    : jitter(rng, [138, 132, 124], 0.1);
  return {
    egoLane,
    road: {
      laneWidth, rightEdge, leftEdge, centre, lanesRight, lanesLeft,
      centreLine: lanesLeft === 0 ? 'none' : rng.weighted<CentreLine>([['double-yellow', 6], ['single-yellow', 1], ['dashed-white', 2], ['none', 0.5]]),
      edgeLines: rng.chance(0.3),
      sidewalkRight: rng.range(2.2, 4.5),
      sidewalkLeft: rng.range(2.2, 4.5),
      asphalt,
      sidewalk: [walkGrey + rng.range(-5, 5), walkGrey + rng.range(-5, 5), walkGrey + rng.range(-4, 6)],
      kerb: [walkGrey * 0.8, walkGrey * 0.8, walkGrey * 0.82],
      terrain, terrainKind,
      lineYellow: jitter(rng, [214, 174, 40], 0.06),
      lineWhite: jitter(rng, [226, 226, 222], 0.03),
      tile: rng.range(0.8, 1.6),
      wear: rng.random(),
    },
  };
}

type Style = 'urban' | 'suburban' | 'park' | 'open';

/** The street on one side, as items placed along z (world) from behind the camera far ahead. */
function sideItems(rng: Rng, side: Side, style: Style, sidewalk: number, items: StreetItem[]): void {
  const zEnd = 170;
  let z = rng.range(-30, -5);
  const buildingLine = sidewalk + (style === 'urban' ? rng.range(0, 1.5) : rng.range(2, 7));
  const wallColour = rng.pick(WALL_COLOURS);
  while (z < zEnd) {
    const r = rng.random();
    if ((style === 'urban' && r < 0.8) || (style === 'suburban' && r < 0.5) || (style === 'open' && r < 0.08)) {
      const length = style === 'urban' ? rng.range(10, 36) : rng.range(8, 18);
      const height = style === 'urban' ? rng.range(6, 24) : rng.range(4, 9);
      items.push({
        kind: 'building', side, offset: buildingLine + rng.range(-0.5, 1.5) * (style === 'urban' ? 0.5 : 2),
        z0: z, z1: z + length, height, depth: rng.range(8, 20),
        colour: jitter(rng, rng.pick(BUILDING_COLOURS), 0.1), trim: jitter(rng, [70, 70, 74], 0.2),
        glass: jitter(rng, rng.pick<Rgb>([[40, 52, 66], [62, 74, 90], [30, 34, 40], [90, 110, 130]]), 0.1),
        floorHeight: rng.range(2.8, 3.6), windowSpacing: rng.range(2.2, 4.2), windowWidth: rng.range(0.45, 0.75),
        windowHeight: rng.range(0.4, 0.65), windows: rng.chance(0.85), shopFront: style === 'urban' && rng.chance(0.5),
      });
      z += length + (style === 'urban' ? (rng.chance(0.6) ? rng.range(0, 2) : rng.range(4, 12)) : rng.range(6, 16));
    } else if (r < 0.9 || style === 'park' || style === 'open') {
      // wall or fence, with trees behind it or along the sidewalk
      const length = rng.range(12, 40);
      if (rng.chance(style === 'open' ? 0.5 : 0.75)) {
        const fence = rng.chance(0.5);
        items.push({
          kind: fence ? 'fence' : 'wall', side, offset: sidewalk + rng.range(0.1, 1.2), z0: z, z1: z + length,
          height: fence ? rng.range(0.9, 1.9) : rng.range(0.8, 3.2), colour: fence ? rng.pick(FENCE_COLOURS) : jitter(rng, wallColour, 0.08),
          spacing: rng.range(0.18, 0.5),
        });
      }
      const trees = rng.int(style === 'open' ? 0 : 1, Math.max(1, Math.round(length / 7)));
      for (let i = 0; i < trees; i++) items.push(tree(rng, side, sidewalk + rng.range(1.5, 9), z + rng.range(0, length)));
      z += length + rng.range(0, 6);
    } else {
      z += rng.range(6, 16);
    }
  }
  // street furniture on the sidewalk
  if (rng.chance(style === 'open' ? 0.4 : 0.75)) {
    const spacing = rng.range(16, 30);
    const height = rng.range(6, 8.5);
    for (let lz = rng.range(-10, spacing); lz < zEnd; lz += spacing * rng.range(0.9, 1.1)) {
      items.push({ kind: 'lamp', side, offset: rng.range(0.3, 0.6), z: lz, height, colour: jitter(rng, [150, 152, 156], 0.15), plate: [250, 246, 220], rim: [60, 60, 60], shape: 'square' });
    }
  }
  const signs = rng.weighted([[0, 4], [1, 3], [2, 1]]);
  for (let i = 0; i < signs; i++) {
    const shape = rng.pick(['round', 'square', 'triangle'] as const);
    items.push({
      kind: 'sign', side, offset: rng.range(0.3, 0.8), z: rng.range(4, 70), height: rng.range(2.2, 3.0), colour: [130, 132, 136],
      plate: shape === 'square' ? rng.pick<Rgb>([[30, 70, 170], [230, 230, 230], [40, 120, 60]]) : [240, 240, 236],
      rim: shape === 'square' ? [230, 230, 230] : [200, 24, 30], shape,
    });
  }
  if (style !== 'open' && rng.chance(0.25)) {
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) items.push(tree(rng, side, rng.range(0.8, 1.5), rng.range(5, 120)));
  }
  const boxes = rng.weighted([[0, 3], [1, 3], [2, 1.5], [3, 0.5]]);
  for (let i = 0; i < boxes; i++) {
    const kind = rng.int(0, 2);
    const [width, depth, height, colour, accent]: [number, number, number, Rgb, Rgb] =
      kind === 0 ? [1.0, 1.0, 2.4, [176, 30, 30], [40, 40, 44]] // phone box
      : kind === 1 ? [rng.range(0.6, 0.9), rng.range(0.6, 0.9), rng.range(1.0, 1.3), rng.pick<Rgb>([[50, 90, 60], [80, 80, 84], [40, 60, 110]]), [30, 30, 30]] // bin
      : [rng.range(1.6, 3.5), rng.range(1.2, 2.5), rng.range(2.0, 2.8), rng.pick<Rgb>([[60, 66, 60], [120, 110, 90], [70, 80, 100]]), [200, 40, 40]]; // kiosk
    items.push({ kind: 'box', side, offset: rng.range(0.5, Math.max(0.6, sidewalk - width - 0.2)), z: rng.range(4, 90), width, depth, height, colour: jitter(rng, colour, 0.1), accent });
  }
  const people = rng.weighted([[0, 5], [1, 2], [2, 1.2], [3, 0.6]]);
  for (let i = 0; i < people; i++) {
    items.push({
      kind: 'pedestrian', side, offset: rng.range(0.6, Math.max(0.8, sidewalk - 0.4)), z: rng.range(4, 60), height: rng.range(1.55, 1.9),
      shirt: rng.pick(CLOTHES), trousers: rng.pick(CLOTHES), skin: rng.pick(SKIN),
    });
  }
}

function tree(rng: Rng, side: Side, offset: number, z: number): Tree {
  const poplar = rng.chance(0.3);
  const crownWidth = poplar ? rng.range(1.4, 2.4) : rng.range(3, 7);
  return {
    kind: 'tree', side, offset, z,
    trunkHeight: poplar ? rng.range(1, 2) : rng.range(1.8, 3.2), trunkWidth: rng.range(0.2, 0.45),
    crownWidth, crownHeight: poplar ? rng.range(5, 9) : crownWidth * rng.range(0.8, 1.3),
    colour: jitter(rng, rng.pick(TREE_COLOURS), 0.12), trunk: jitter(rng, [70, 56, 44], 0.15),
    blobs: poplar ? 1 : rng.int(2, 4), seed: Math.floor(rng.random() * 0x7fffffff),
  };
}

const CAR_SIZES: Record<CarType, readonly [number, number, number]> = {
  sedan: [4.6, 1.85, 1.45],
  hatchback: [3.9, 1.75, 1.5],
  suv: [4.7, 1.95, 1.78],
  van: [5.2, 2.0, 2.2],
  truck: [7.5, 2.4, 3.1],
};

function carsFor(rng: Rng, road: RoadLayout, egoLane: number, egoSpeed: number): Car[] {
  const count = rng.weighted([[0, 10], [1, 14], [2, 18], [3, 18], [4, 15], [5, 11], [6, 7], [7, 4], [8, 3]]);
  const lanes: { u: number; oncoming: boolean; weight: number; minZ: number }[] = [];
  for (let i = 0; i < road.lanesRight; i++) {
    const u = road.centre + (i + 0.5) * road.laneWidth;
    lanes.push({ u, oncoming: false, weight: i === egoLane ? 3.5 : 2, minZ: i === egoLane ? 7 : 5 });
  }
  for (let i = 0; i < road.lanesLeft; i++) {
    lanes.push({ u: road.centre - (i + 0.5) * road.laneWidth, oncoming: true, weight: 4.5 / road.lanesLeft, minZ: 4.5 });
  }
  const cars: Car[] = [];
  for (let n = 0; n < count; n++) {
    for (let attempt = 0; attempt < 12; attempt++) {
      const lane = rng.weighted(lanes.map((l) => [l, l.weight] as const));
      const band = rng.weighted([[0, 3.2], [1, 4], [2, 3]]);
      const z = band === 0 ? rng.range(lane.minZ, 16) : band === 1 ? rng.range(16, 42) : rng.range(42, 120);
      const type = rng.weighted<CarType>([['sedan', 45], ['hatchback', 20], ['suv', 20], ['van', 10], ['truck', 4]]);
      const [l, w, h] = CAR_SIZES[type];
      const k = rng.range(0.95, 1.05);
      const length = l * k;
      if (cars.some((c) => Math.abs(c.u - lane.u) < 0.5 && z < c.z + c.length + 2.5 && c.z < z + length + 2.5)) continue;
      cars.push({
        type, u: lane.u + rng.range(-0.25, 0.25), z, oncoming: lane.oncoming,
        speed: lane.oncoming ? -rng.range(0.4, 1.4) : Math.max(0, egoSpeed + rng.range(-0.3, 0.3)),
        length, width: w * rng.range(0.97, 1.03), height: h * rng.range(0.96, 1.04),
        colour: jitter(rng, rng.weighted(CAR_COLOURS), 0.06), gloss: rng.range(0.3, 1),
      });
      break;
    }
  }
  return cars;
}

/** The scene with this id (a frame index, or the first index of a drive) under a dataset seed. */
export function buildScene(seed: number, sceneId: number): Scene {
  const rng = new Rng(mixSeed(seed, sceneId, 0x5ce4e));
  const lighting = lightingFor(rng);
  const { road, egoLane } = roadFor(rng);
  const items: StreetItem[] = [];
  for (const side of [-1, 1] as const) {
    const style = rng.weighted<Style>([['urban', 4], ['suburban', 3], ['park', 2], ['open', 1]]);
    sideItems(rng, side, style, side < 0 ? road.sidewalkLeft : road.sidewalkRight, items);
  }
  const egoSpeed = rng.chance(0.2) ? 0 : rng.range(0.3, 1.6);
  return {
    seed: mixSeed(seed, sceneId, 0x7e47),
    horizon: rng.range(296, 312),
    vanishingX: 400 + rng.range(-28, 20),
    cameraU: rng.range(-0.3, 0.35),
    egoSpeed,
    lighting,
    road,
    items,
    cars: carsFor(rng, road, egoLane, egoSpeed),
    skylineBuildings: rng.range(0, 0.7),
    skylineHeight: rng.range(0.6, 1.6),
  };
}

/** Frames in one drive group of the dataset; the first `driveLength` frames of a group are one drive. */
export const DRIVE_GROUP = 8;

/** Which scene a frame shows, and at what step of its drive. */
export function frameScene(index: number, seed: number): { sceneId: number; step: number; driveLength: number } {
  const group = Math.floor(index / DRIVE_GROUP);
  const position = index - group * DRIVE_GROUP;
  const driveLength = 1 + Math.floor((mixSeed(seed, group, 0xd21e) / 4294967296) * 4);
  if (position < driveLength) return { sceneId: group * DRIVE_GROUP, step: position, driveLength };
  return { sceneId: index, step: 0, driveLength: 1 };
}
