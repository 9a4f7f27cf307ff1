/**
 * Draws a scene into a frame and its label, in plain TypeScript (no DOM): a pinhole camera 1 unit
 * above a flat ground, a depth buffer, and planar faces found per pixel by ray-plane intersection.
 * Ground, sky and the distant skyline are drawn by row; everything standing on the ground is a set
 * of faces (boxes for buildings, cars and street furniture; camera-facing cards for trees, poles
 * and people). Lighting is per face orientation plus ground shadows, then haze by distance, a light
 * blur, vignetting and sensor noise.
 */
import { hash1 as hash1Import, hash2 as hash2Import, valueNoise1 as valueNoise1Import, valueNoise2 as valueNoise2Import, valueNoiseRow } from './random';
import { hoodShading } from './hood';
import { CARLA as CARLA_IDS, type Building, type BoxThing, type Car, type Pedestrian, type Pole, type Rgb, type Scene, type Side, type Tree, type WallLike } from './scene';

// Local bindings: hot loops call these millions of times per frame.
const hash1 = hash1Import;
const hash2 = hash2Import;
const valueNoise1 = valueNoise1Import;
const valueNoise2 = valueNoise2Import;
const noiseRow = valueNoiseRow;

// CARLA ids in a local object (imported bindings can be slow to read in the hottest loops).
const CARLA = { ...CARLA_IDS } as const;
const ROAD = CARLA.road;
const ROAD_LINE = CARLA.roadLine;
const SIDEWALK = CARLA.sidewalk;
const NONE = CARLA.none;

type Vec3 = readonly [number, number, number];

/**
 * A planar rectangle in world units: origin (u, h, z world) and two perpendicular unit edges with
 * lengths. Shaders get the local coordinates along the edges plus `a0`, `b0` (so a face standing on
 * the ground can hand its shader the height above the ground).
 */
interface Quad {
  o: Vec3;
  e1: Vec3;
  l1: number;
  e2: Vec3;
  l2: number;
  a0?: number;
  b0?: number;
}

/** Fills `out` with the colour at local (a, b) of the face; false = transparent there. */
type Shader = (a: number, b: number, z: number, out: Float32Array) => boolean;

const U: Vec3 = [1, 0, 0];
const UP: Vec3 = [0, 1, 0];
const Z: Vec3 = [0, 0, 1];

/**
 * Working buffers, reused from frame to frame (drawing is synchronous, so one set per size is
 * enough); every pixel is written before it is read.
 */
let pool: { n: number; rgb: Float32Array; label: Uint8Array; depth: Float32Array } | null = null;
function scratch(n: number): { rgb: Float32Array; label: Uint8Array; depth: Float32Array } {
  if (!pool || pool.n !== n) pool = { n, rgb: new Float32Array(n * 3), label: new Uint8Array(n), depth: new Float32Array(n) };
  return pool;
}

/** Everything a drawing routine needs about the frame being drawn. */
export class FrameCanvas {
  readonly fx: number;
  readonly fy: number;
  readonly vx: number;
  readonly vy: number;
  readonly near = 0.5;
  readonly rgb: Float32Array;
  readonly label: Uint8Array;
  readonly depth: Float32Array;
  private readonly colour = new Float32Array(3);
  private readonly haze: Rgb;
  private readonly fogDistance: number;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly scene: Scene,
    /** Distance the ego car has driven (world z of the camera). */
    readonly travel: number,
  ) {
    this.fx = (400 * width) / 800;
    this.fy = (400 * height) / 600;
    this.vx = (scene.vanishingX * width) / 800;
    this.vy = (scene.horizon * height) / 600;
    const buffers = scratch(width * height);
    this.rgb = buffers.rgb;
    this.label = buffers.label;
    this.depth = buffers.depth;
    this.depth.fill(Infinity);
    this.haze = scene.lighting.haze;
    this.fogDistance = scene.lighting.fogDistance;
  }

  get cameraU(): number {
    return this.scene.cameraU;
  }

  /** Screen column of a world point (u, world z). */
  px(u: number, z: number): number {
    return this.vx + (this.fx * (u - this.scene.cameraU)) / (z - this.travel);
  }

  /** Screen row of a point at height h and world z. */
  py(h: number, z: number): number {
    return this.vy + (this.fy * (1 - h)) / (z - this.travel);
  }

  /** Writes a lit, hazed colour where nothing nearer was drawn. */
  private plot(i: number, depth: number, cls: number, light: number): void {
    const f = 1 - Math.exp(-depth / this.fogDistance);
    const k = light * (1 - f);
    const c = this.colour;
    const o = i * 3;
    this.rgb[o] = c[0] * k + this.haze[0] * f;
    this.rgb[o + 1] = c[1] * k + this.haze[1] * f;
    this.rgb[o + 2] = c[2] * k + this.haze[2] * f;
    this.depth[i] = depth;
    this.label[i] = cls;
  }

  /** Pixel bounds of a quad's projection (null when it is behind the camera or off screen). */
  private bounds(q: Quad): [number, number, number, number] | null {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let k = 0; k < 4; k++) {
      const a = k & 1 ? q.l1 : 0;
      const b = k & 2 ? q.l2 : 0;
      const u = q.o[0] + q.e1[0] * a + q.e2[0] * b;
      const h = q.o[1] + q.e1[1] * a + q.e2[1] * b;
      const zc = q.o[2] + q.e1[2] * a + q.e2[2] * b - this.travel;
      if (zc < this.near) return null; // callers clip their quads to the near plane
      const x = this.vx + (this.fx * (u - this.scene.cameraU)) / zc;
      const y = this.vy + (this.fy * (1 - h)) / zc;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    const left = Math.max(0, Math.floor(x0 - 1));
    const right = Math.min(this.width - 1, Math.ceil(x1 + 1));
    const top = Math.max(0, Math.floor(y0 - 1));
    const bottom = Math.min(this.height - 1, Math.ceil(y1 + 1));
    if (left > right || top > bottom) return null;
    return [left, right, top, bottom];
  }

  /**
   * Draws a planar face: every pixel whose ray meets the quad in front of what is already there
   * gets the shader's colour. `bias` moves the depth test (negative: drawn over coplanar faces).
   */
  face(q: Quad, cls: number, light: number, shader: Shader, bias = 0): void {
    const box = this.bounds(q);
    if (!box) return;
    const [left, right, top, bottom] = box;
    const { fx, fy, vx, vy } = this;
    const [e1u, e1h, e1z] = q.e1;
    const [e2u, e2h, e2z] = q.e2;
    const nu = e1h * e2z - e1z * e2h;
    const nh = e1z * e2u - e1u * e2z;
    const nz = e1u * e2h - e1h * e2u;
    const ou = q.o[0] - this.scene.cameraU;
    const oh = q.o[1] - 1;
    const oz = q.o[2] - this.travel;
    const nDotO = nu * ou + nh * oh + nz * oz;
    const { width } = this;
    const out = this.colour;
    const a0 = q.a0 ?? 0;
    const b0 = q.b0 ?? 0;
    for (let y = top; y <= bottom; y++) {
      const dh = -(y + 0.5 - vy) / fy;
      const rowPart = nh * dh + nz;
      for (let x = left; x <= right; x++) {
        const du = (x + 0.5 - vx) / fx;
        const denom = nu * du + rowPart;
        if (denom > -1e-12 && denom < 1e-12) continue;
        const t = nDotO / denom;
        if (t < this.near) continue;
        const i = y * width + x;
        if (t + bias >= this.depth[i]) continue;
        const ru = t * du - ou;
        const rh = t * dh - oh;
        const rz = t - oz;
        const a = ru * e1u + rh * e1h + rz * e1z;
        if (a < 0 || a > q.l1) continue;
        const b = ru * e2u + rh * e2h + rz * e2z;
        if (b < 0 || b > q.l2) continue;
        if (!shader(a + a0, b + b0, t, out)) continue;
        this.plot(i, t + bias, cls, light);
      }
    }
  }

  /**
   * Darkens the ground under a quad lying on it (a shadow): only pixels that show the ground at
   * that spot (not an object in front of it). `strength(a, b)` is the factor, 1 = no change.
   */
  groundShade(q: Quad, strength: (a: number, b: number) => number): void {
    const box = this.bounds(q);
    if (!box) return;
    const [left, right, top, bottom] = box;
    const { fx, fy, vx, vy, width } = this;
    const ou = q.o[0] - this.scene.cameraU;
    const oz = q.o[2] - this.travel;
    const [e1u, , e1z] = q.e1;
    const [e2u, , e2z] = q.e2;
    for (let y = Math.max(top, Math.floor(vy) + 1); y <= bottom; y++) {
      const dy = y + 0.5 - vy;
      if (dy <= 0) continue;
      const t = fy / dy;
      if (t < this.near) continue;
      const rz = t - oz;
      for (let x = left; x <= right; x++) {
        const i = y * width + x;
        const l = this.label[i];
        if (l !== ROAD && l !== ROAD_LINE && l !== SIDEWALK && l !== NONE) continue;
        if (this.depth[i] < t * 0.97) continue;
        const ru = (t * (x + 0.5 - vx)) / fx - ou;
        const a = ru * e1u + rz * e1z;
        if (a < 0 || a > q.l1) continue;
        const b = ru * e2u + rz * e2z;
        if (b < 0 || b > q.l2) continue;
        const k = strength(a, b);
        if (k >= 1) continue;
        const o = i * 3;
        this.rgb[o] *= k;
        this.rgb[o + 1] *= k;
        this.rgb[o + 2] *= k;
      }
    }
  }
}

// ----------------------------------------------------------------------------- quads

/** A face across the road at world z (normal toward the camera): u in [u0, u1], h in [h0, h1]; shaders get (u - u0, h). */
function frontQuad(u0: number, u1: number, h0: number, h1: number, z: number): Quad {
  return { o: [u0, h0, z], e1: U, l1: u1 - u0, e2: UP, l2: h1 - h0, b0: h0 };
}

/** A face along the road at u: world z in [z0, z1], h in [h0, h1]; shaders get (z - z0, h). */
function sideQuad(u: number, z0: number, z1: number, h0: number, h1: number): Quad {
  return { o: [u, h0, z0], e1: Z, l1: z1 - z0, e2: UP, l2: h1 - h0, b0: h0 };
}

/** A horizontal face at height h. */
function flatQuad(u0: number, u1: number, z0: number, z1: number, h: number): Quad {
  return { o: [u0, h, z0], e1: U, l1: u1 - u0, e2: Z, l2: z1 - z0 };
}

/** A face rising from (h0, z0) to (h1, z1), across u in [u0, u1] (a sloped window). */
function slopeQuad(u0: number, u1: number, h0: number, z0: number, h1: number, z1: number): Quad {
  const dh = h1 - h0;
  const dz = z1 - z0;
  const l2 = Math.hypot(dh, dz);
  return { o: [u0, h0, z0], e1: U, l1: u1 - u0, e2: [0, dh / l2, dz / l2], l2 };
}

const set = (out: Float32Array, c: Rgb, k = 1): true => {
  out[0] = c[0] * k;
  out[1] = c[1] * k;
  out[2] = c[2] * k;
  return true;
};

const mix = (out: Float32Array, a: Rgb, b: Rgb, t: number, k = 1): true => {
  out[0] = (a[0] + (b[0] - a[0]) * t) * k;
  out[1] = (a[1] + (b[1] - a[1]) * t) * k;
  out[2] = (a[2] + (b[2] - a[2]) * t) * k;
  return true;
};

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

// ----------------------------------------------------------------------------- sky, skyline, ground

function drawSky(c: FrameCanvas): void {
  const { width, height, vy, scene } = c;
  const L = scene.lighting;
  const seed = scene.seed ^ 0x51c7;
  const last = Math.min(height - 1, Math.ceil(vy) + 1);
  // clouds on a coarse grid, interpolated per pixel
  const step = 4;
  const gw = Math.ceil(width / step) + 2;
  const gh = Math.ceil((last + 1) / step) + 2;
  const grid = new Float32Array(gw * gh);
  const sx = 800 / width;
  const sy = 600 / height;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const X = gx * step * sx;
      const Y = gy * step * sy;
      let n = valueNoise2(X / 150, Y / 42, seed) * 0.55 + valueNoise2(X / 60, Y / 20, seed + 1) * 0.3 + valueNoise2(X / 22, Y / 9, seed + 2) * 0.15;
      n += (Y / 300) * 0.1; // thicker toward the horizon
      grid[gy * gw + gx] = n;
    }
  }
  const threshold = 0.78 - L.cloudiness * 0.45;
  const dense = L.cloudiness >= 1 ? 0.85 : 1;
  const [zr, zg, zb] = L.skyZenith;
  const [hr, hg, hb] = L.skyHorizon;
  const [cr, cg, cb] = L.cloudColour;
  const { rgb, label } = c;
  for (let y = 0; y <= last; y++) {
    const t = clamp01(y / Math.max(1, vy));
    const g = Math.pow(t, 1.7);
    const br = zr + (hr - zr) * g;
    const bg = zg + (hg - zg) * g;
    const bb = zb + (hb - zb) * g;
    const gy = Math.floor(y / step);
    const fy = y / step - gy;
    const row0 = gy * gw;
    const row1 = row0 + gw;
    for (let x = 0; x < width; x++) {
      const gx = (x / step) | 0;
      const fx = x / step - gx;
      const a0 = grid[row0 + gx];
      const a1 = grid[row1 + gx];
      const top = a0 + (grid[row0 + gx + 1] - a0) * fx;
      const n = top + (a1 + (grid[row1 + gx + 1] - a1) * fx - top) * fy;
      const o = (y * width + x) * 3;
      const v = (n - threshold) / 0.22;
      if (v <= 0) {
        rgb[o] = br;
        rgb[o + 1] = bg;
        rgb[o + 2] = bb;
      } else {
        const w = v >= 1 ? 1 : v;
        const cloud = w * w * (3 - 2 * w) * dense;
        const e = (n - threshold) * 2;
        const shade = 0.78 + 0.3 * (e > 1 ? 1 : e) - 0.12 * t;
        rgb[o] = br + (cr * shade - br) * cloud;
        rgb[o + 1] = bg + (cg * shade - bg) * cloud;
        rgb[o + 2] = bb + (cb * shade - bb) * cloud;
      }
      label[y * width + x] = NONE;
    }
  }
}

/** Distant trees and buildings along the horizon. */
function drawSkyline(c: FrameCanvas): void {
  const { width, height, vy, scene, rgb, label, depth } = c;
  const L = scene.lighting;
  const seed = scene.seed ^ 0x6b1e;
  const sx = 800 / width;
  const sy = height / 600;
  const tree: Rgb = [60, 84, 52];
  const far = 1e6;
  for (let x = 0; x < width; x++) {
    const X = (x + 0.5) * sx;
    const treeTop = scene.skylineHeight * (4 + 18 * Math.pow(valueNoise1(X / 34, seed), 2) + 5 * valueNoise1(X / 6, seed + 3) + 2 * hash1(Math.floor(X / 2), seed));
    let buildingTop = 0;
    if (valueNoise1(X / 90, seed + 5) < scene.skylineBuildings) buildingTop = scene.skylineHeight * (8 + 30 * hash1(Math.floor(X / 24), seed + 7));
    const isBuilding = buildingTop > treeTop;
    const h = (isBuilding ? buildingTop : treeTop) * sy;
    const y0 = Math.max(0, Math.floor(vy - h));
    const y1 = Math.min(height - 1, Math.ceil(vy));
    const shade = isBuilding ? 0.75 + 0.3 * hash1(Math.floor(X / 24), seed + 9) : 0.8 + 0.35 * valueNoise1(X / 4, seed + 11);
    for (let y = y0; y <= y1; y++) {
      const i = y * width + x;
      const haze = 0.35 + 0.35 * clamp01((vy - y) / Math.max(1, h));
      const o = i * 3;
      const k = shade * L.front * (1 - haze);
      rgb[o] = (isBuilding ? 150 : tree[0]) * k + L.haze[0] * haze;
      rgb[o + 1] = (isBuilding ? 148 : tree[1]) * k + L.haze[1] * haze;
      rgb[o + 2] = (isBuilding ? 150 : tree[2]) * k + L.haze[2] * haze;
      label[i] = isBuilding ? CARLA.building : CARLA.vegetation;
      depth[i] = far;
    }
  }
}

function drawGround(c: FrameCanvas, skipFrom: number): void {
  const { width, vy, fx, fy, vx, scene, travel, rgb, label, depth } = c;
  const R = scene.road;
  const L = scene.lighting;
  const camU = scene.cameraU;
  const seed = scene.seed;
  const fogD = L.fogDistance;
  const light = L.ground;
  const lw = R.laneWidth;
  const first = Math.max(0, Math.floor(vy));
  const lineHalf = 0.07;
  const dividers: number[] = [];
  for (let k = 1; k < R.lanesRight; k++) dividers.push(R.centre + k * lw);
  for (let k = 1; k < R.lanesLeft; k++) dividers.push(R.centre - k * lw);
  const sideLeft = R.leftEdge - R.sidewalkLeft;
  const sideRight = R.rightEdge + R.sidewalkRight;
  const grassy = R.terrainKind === 'grass';
  const big = new Float32Array(width);
  const mid = new Float32Array(width);
  const haze = L.haze;
  for (let y = first; y < skipFrom; y++) {
    const dy = y + 0.5 - vy;
    if (dy <= 0.02) continue;
    const Zc = fy / dy;
    const zw = Zc + travel;
    const fog = 1 - Math.exp(-Zc / fogD);
    const keep = light * (1 - fog);
    const hr = haze[0] * fog;
    const hg = haze[1] * fog;
    const hb = haze[2] * fog;
    const near = Zc < 40 ? 1 : 40 / Zc;
    const dashOn = ((zw % 9) + 9) % 9 < 3.2;
    const tileZ = ((zw % R.tile) + R.tile) % R.tile < 0.05 * R.tile + 0.02 && Zc < 25;
    const uStart = camU + ((0.5 - vx) * Zc) / fx;
    const uStep = Zc / fx;
    noiseRow(big, width, uStart * 0.4, uStep * 0.4, zw * 0.15, seed + 21);
    noiseRow(mid, width, uStart * 2.5, uStep * 2.5, zw * 1.2, seed + 22);
    const rowBase = y * width;
    for (let x = 0; x < width; x++) {
      const u = uStart + x * uStep;
      const n1 = big[x];
      const n2 = mid[x];
      let cls: number;
      let r: number;
      let g: number;
      let b: number;
      if (u >= R.leftEdge && u <= R.rightEdge) {
        cls = CARLA.road;
        const lanePos = ((((u - R.centre) % lw) + lw) % lw) - lw / 2;
        const track = Math.abs(Math.abs(lanePos) - 0.78);
        let k = 0.9 + 0.14 * n1 + (0.1 * n2 - 0.05) * near;
        if (track < 0.3) k -= 0.05 * (1 - track / 0.3) * (0.4 + R.wear);
        if (R.wear > 0.5 && n1 > 0.72) k -= 0.1 * (R.wear - 0.3);
        r = R.asphalt[0] * k;
        g = R.asphalt[1] * k;
        b = R.asphalt[2] * k;
        let line: Rgb | null = null;
        const dc = Math.abs(u - R.centre);
        if (R.lanesLeft > 0) {
          if (R.centreLine === 'double-yellow' && dc > 0.08 && dc < 0.08 + 2 * lineHalf) line = R.lineYellow;
          else if (R.centreLine === 'single-yellow' && dc < lineHalf + 0.02) line = R.lineYellow;
          else if (R.centreLine === 'dashed-white' && dc < lineHalf && dashOn) line = R.lineWhite;
        }
        if (line === null && dashOn) for (const d of dividers) if (Math.abs(u - d) < lineHalf) line = R.lineWhite;
        if (line === null && R.edgeLines && (Math.abs(u - (R.rightEdge - 0.35)) < lineHalf || (R.lanesLeft > 0 && Math.abs(u - (R.leftEdge + 0.35)) < lineHalf))) line = R.lineWhite;
        if (line !== null) {
          cls = CARLA.roadLine;
          const worn = 0.85 + 0.15 * n2;
          r = line[0] * worn;
          g = line[1] * worn;
          b = line[2] * worn;
        }
      } else if (u >= sideLeft && u <= sideRight) {
        cls = CARLA.sidewalk;
        const d = u > R.rightEdge ? u - R.rightEdge : R.leftEdge - u;
        if (d < 0.22) {
          const k = 0.88 + 0.1 * n2;
          r = R.kerb[0] * k;
          g = R.kerb[1] * k;
          b = R.kerb[2] * k;
        } else {
          const tileU = Zc < 25 && d % R.tile < 0.04 * R.tile + 0.02;
          let k = 0.9 + 0.12 * n1 + 0.04 * n2 + (Zc < 30 ? 0.05 * (hash2(Math.floor(d / R.tile), Math.floor(zw / R.tile), seed) - 0.5) : 0);
          if (tileU || tileZ) k *= 0.82;
          r = R.sidewalk[0] * k;
          g = R.sidewalk[1] * k;
          b = R.sidewalk[2] * k;
        }
      } else {
        cls = CARLA.none;
        const k = grassy ? 0.72 + 0.3 * n1 + 0.18 * n2 * near : 0.85 + 0.15 * n1 + 0.1 * n2 * near;
        r = R.terrain[0] * k;
        g = R.terrain[1] * k;
        b = R.terrain[2] * k;
      }
      const i = rowBase + x;
      const o = i * 3;
      rgb[o] = r * keep + hr;
      rgb[o + 1] = g * keep + hg;
      rgb[o + 2] = b * keep + hb;
      label[i] = cls;
      depth[i] = Zc;
    }
  }
}

// ----------------------------------------------------------------------------- street items

const sideU = (scene: Scene, side: Side, offset: number) => (side < 0 ? scene.road.leftEdge - offset : scene.road.rightEdge + offset);

/** Light on a face along the road whose outward normal points to `normalSide`. */
function sideLight(scene: Scene, normalSide: Side): number {
  return normalSide === -scene.lighting.sunSide ? scene.lighting.sideLit : scene.lighting.sideShade;
}

/** Clips a z range to what is in front of the camera; null when nothing is. */
function clipZ(c: FrameCanvas, z0: number, z1: number): [number, number] | null {
  const lo = Math.max(z0, c.travel + c.near + 0.05);
  return z1 > lo ? [lo, z1] : null;
}

function drawBuilding(c: FrameCanvas, b: Building): void {
  const s = c.scene;
  const u = sideU(s, b.side, b.offset);
  const seed = s.seed ^ Math.floor(b.z0 * 131);
  const glassLight = s.lighting.skyHorizon;
  const paint = (p: number, h: number, out: Float32Array): boolean => {
    if (h > b.height - 0.35) return set(out, b.trim, 0.9);
    const grime = 0.88 + 0.16 * valueNoise2(p * 0.25, h * 0.3, seed);
    const floor = Math.floor(h / b.floorHeight);
    const fh = h - floor * b.floorHeight;
    if (b.shopFront && floor === 0) {
      const q = ((p % 4.5) + 4.5) % 4.5;
      if (fh > 0.35 && fh < 2.5 && q > 0.4 && q < 4.1) return mix(out, b.glass, glassLight, 0.25 + 0.4 * (fh / 2.5) * hash1(Math.floor(p / 4.5), seed), 0.95);
      if (fh > 2.5 && fh < 2.85) return set(out, b.trim, 1.1);
      return set(out, b.colour, grime * 0.8);
    }
    if (b.windows && (floor > 0 || !b.shopFront)) {
      const col = Math.floor(p / b.windowSpacing);
      const q = p / b.windowSpacing - col;
      const wh = fh / b.floorHeight;
      const half = b.windowWidth / 2;
      if (Math.abs(q - 0.5) < half && wh > 0.3 && wh < 0.3 + b.windowHeight && p > 0.6) {
        const v = hash2(col, floor, seed);
        if (Math.abs(q - 0.5) > half - 0.04 || wh < 0.33) return set(out, b.trim, 1.2);
        return mix(out, b.glass, glassLight, (0.15 + 0.45 * v) * (0.5 + 0.5 * (wh - 0.3) / b.windowHeight));
      }
    }
    if (fh < 0.12 && floor > 0) return set(out, b.colour, grime * 0.85);
    return set(out, b.colour, grime);
  };
  const z = clipZ(c, b.z0, b.z1);
  if (z) c.face(sideQuad(u, z[0], z[1], 0, b.height), CARLA.building, sideLight(s, (-b.side) as Side), (a, h, _t, out) => paint(a + (z[0] - b.z0), h, out));
  if (b.z0 > c.travel + c.near) {
    const [u0, u1] = b.side < 0 ? [u - b.depth, u] : [u, u + b.depth];
    c.face(frontQuad(u0, u1, 0, b.height, b.z0), CARLA.building, s.lighting.front, (a, h, _t, out) => paint(b.side < 0 ? b.depth - a : a, h, out));
  }
}

function drawWall(c: FrameCanvas, w: WallLike): void {
  const s = c.scene;
  const u = sideU(s, w.side, w.offset);
  const z = clipZ(c, w.z0, w.z1);
  const seed = s.seed ^ Math.floor(w.z0 * 97);
  const light = sideLight(s, (-w.side) as Side);
  if (w.kind === 'wall') {
    const shader: Shader = (a, h, _t, out) => {
      if (h > w.height - 0.12) return set(out, w.colour, 1.12);
      const row = Math.floor(h / 0.45);
      const shifted = a + (row & 1) * 0.6;
      const mortar = h - row * 0.45 < 0.035 || shifted % 1.2 < 0.04;
      const k = (0.9 + 0.14 * hash2(Math.floor(shifted / 1.2), row, seed)) * (mortar ? 0.8 : 1);
      return set(out, w.colour, k);
    };
    if (z) c.face(sideQuad(u, z[0], z[1], 0, w.height), CARLA.wall, light, shader);
    if (w.z0 > c.travel + c.near) {
      const [u0, u1] = w.side < 0 ? [u - 0.3, u] : [u, u + 0.3];
      c.face(frontQuad(u0, u1, 0, w.height, w.z0), CARLA.wall, s.lighting.front, (_a, h, t, out) => shader(0, h, t, out));
    }
    return;
  }
  const bar = Math.max(0.035, w.spacing * 0.22);
  const shader: Shader = (a, h, _t, out) => {
    const post = a % 2.5 < 0.09;
    const rail = h < 0.14 || (h > 0.3 && h < 0.38) || h > w.height - 0.08;
    const bars = a % w.spacing < bar;
    if (!post && !rail && !bars) return false;
    return set(out, w.colour, post ? 0.85 : 1);
  };
  if (z) c.face(sideQuad(u, z[0], z[1], 0, w.height), CARLA.fence, light, shader);
}

function drawTree(c: FrameCanvas, t: Tree): void {
  const s = c.scene;
  const u = sideU(s, t.side, t.offset);
  if (t.z - c.travel < c.near + 0.5) return;
  const trunkW = Math.max(t.trunkWidth, (1.2 * (t.z - c.travel)) / c.fx);
  c.face(frontQuad(u - trunkW / 2, u + trunkW / 2, 0, t.trunkHeight + t.crownHeight * 0.3, t.z), CARLA.vegetation, s.lighting.sideShade, (a, _h, _z, out) =>
    set(out, t.trunk, 0.85 + 0.3 * (a / trunkW)),
  );
  const sun = -s.lighting.sunSide;
  for (let k = 0; k < t.blobs; k++) {
    const seed = t.seed + k * 7919;
    const wx = t.crownWidth * (t.blobs === 1 ? 1 : 0.55 + 0.3 * hash1(k, seed));
    const hy = t.crownHeight * (t.blobs === 1 ? 1 : 0.55 + 0.35 * hash1(k + 9, seed));
    const cu = u + (t.blobs === 1 ? 0 : (hash1(k + 3, seed) - 0.5) * (t.crownWidth - wx));
    const base = t.trunkHeight + (t.blobs === 1 ? 0 : hash1(k + 5, seed) * (t.crownHeight - hy) * 0.9);
    const rx = wx / 2;
    const ry = hy / 2;
    const ch = base + ry;
    const z = t.z + (hash1(k + 11, seed) - 0.5) * 0.6;
    c.face(frontQuad(cu - rx * 1.2, cu + rx * 1.2, base - ry * 0.2, base + hy * 1.15, z), CARLA.vegetation, 1, (a, h, _z, out) => {
      const du = (a - rx * 1.2) / rx;
      const dv = (h - ch) / ry;
      const r2 = du * du + dv * dv;
      const edge = 0.6 + 0.38 * valueNoise2(a * 2, h * 2, seed) + 0.32 * valueNoise2(a * 7, h * 7, seed + 2);
      if (r2 > edge) return false;
      const leaf = 0.5 * valueNoise2(a * 3, h * 3, seed + 1) + 0.5 * valueNoise2(a * 10, h * 10, seed + 3) + 0.12 * (hash2(Math.floor(a * 30), Math.floor(h * 30), seed) - 0.5);
      const lit = 0.6 + 0.25 * (dv + 1) + 0.08 * du * sun;
      return set(out, t.colour, (0.5 + 0.75 * leaf) * lit * s.lighting.front * 1.05);
    });
  }
}

function drawPole(c: FrameCanvas, p: Pole): void {
  const s = c.scene;
  const u = sideU(s, p.side, p.offset);
  const zc = p.z - c.travel;
  if (zc < c.near + 0.3) return;
  const minW = (1.1 * zc) / c.fx;
  const w = Math.max(p.kind === 'lamp' ? 0.16 : 0.09, minW);
  const metal: Shader = (a, _h, _z, out) => set(out, p.colour, 0.75 + 0.45 * (a / w));
  c.face(frontQuad(u - w / 2, u + w / 2, 0, p.height, p.z), CARLA.pole, s.lighting.front, metal);
  if (p.kind === 'lamp') {
    const toward = -p.side;
    const reach = 1.7;
    const th = Math.max(0.1, (1.1 * zc) / c.fy);
    const [a0, a1] = toward > 0 ? [u, u + reach] : [u - reach, u];
    c.face(frontQuad(a0, a1, p.height - th, p.height, p.z), CARLA.pole, s.lighting.front, (_a, _h, _z, out) => set(out, p.colour, 0.9));
    const head = toward > 0 ? a1 : a0;
    c.face(frontQuad(head - 0.35, head + 0.35, p.height - 0.28, p.height - 0.05, p.z - 0.05), CARLA.pole, s.lighting.front, (_a, h, _z, out) =>
      h < p.height - 0.21 ? set(out, p.plate, 0.9) : set(out, p.colour, 0.7),
    );
    return;
  }
  const size = 0.75;
  const top = p.height + size * 0.85;
  c.face(frontQuad(u - size / 2, u + size / 2, top - size, top, p.z - 0.04), CARLA.trafficSign, s.lighting.front, (a, h, _z, out) => {
    const du = (a - size / 2) / (size / 2);
    const dv = (h - (top - size) - size / 2) / (size / 2);
    if (p.shape === 'round') {
      const r2 = du * du + dv * dv;
      if (r2 > 1) return false;
      return r2 > 0.55 ? set(out, p.rim) : set(out, p.plate);
    }
    if (p.shape === 'triangle') {
      const inside = dv > -0.85 && Math.abs(du) < (1 - dv) * 0.55;
      if (!inside) return false;
      return dv < -0.62 || Math.abs(du) > (1 - dv) * 0.55 - 0.22 ? set(out, p.rim) : set(out, p.plate);
    }
    return Math.abs(du) > 0.88 || Math.abs(dv) > 0.88 ? set(out, p.rim) : set(out, p.plate);
  });
}

/** A box standing on the ground: near face, the side that faces the camera, and its top when below eye level. */
function drawBox(
  c: FrameCanvas,
  u0: number,
  u1: number,
  z0: number,
  z1: number,
  h0: number,
  h1: number,
  cls: number,
  shaders: { front: Shader; side: Shader; top?: Shader },
  frontLight: number,
): void {
  const s = c.scene;
  if (z1 - c.travel < c.near + 0.1) return;
  if (z0 > c.travel + c.near) c.face(frontQuad(u0, u1, h0, h1, z0), cls, frontLight, shaders.front);
  const z = clipZ(c, z0, z1);
  if (z) {
    if (s.cameraU > u1) c.face(sideQuad(u1, z[0], z[1], h0, h1), cls, sideLight(s, 1), (a, b, t, out) => shaders.side(a + z[0] - z0, b, t, out));
    else if (s.cameraU < u0) c.face(sideQuad(u0, z[0], z[1], h0, h1), cls, sideLight(s, -1), (a, b, t, out) => shaders.side(a + z[0] - z0, b, t, out));
    const top = shaders.top;
    if (h1 < 1 && top) c.face(flatQuad(u0, u1, z[0], z[1], h1), cls, s.lighting.top, (a, b, t, out) => top(a, b + z[0] - z0, t, out));
  }
}

function drawBoxThing(c: FrameCanvas, b: BoxThing): void {
  const s = c.scene;
  const u = sideU(s, b.side, b.offset);
  const [u0, u1] = b.side < 0 ? [u - b.width, u] : [u, u + b.width];
  const paint: Shader = (_a, h, _t, out) => (h > b.height - 0.2 || h < 0.1 ? set(out, b.accent) : set(out, b.colour, 0.9 + 0.15 * (h / b.height)));
  drawBox(c, u0, u1, b.z, b.z + b.depth, 0, b.height, CARLA.other, { front: paint, side: paint, top: (_a, _b, _t, out) => set(out, b.colour, 1.1) }, s.lighting.front);
}

function drawPedestrian(c: FrameCanvas, p: Pedestrian): void {
  const s = c.scene;
  const u = sideU(s, p.side, p.offset);
  const z = p.z;
  if (z - c.travel < c.near + 0.3) return;
  const H = p.height;
  const light = s.lighting.front;
  const legTop = H * 0.47;
  const shoulder = H * 0.82;
  const cls = CARLA.pedestrian;
  const cloth = (col: Rgb): Shader => (a, _h, _t, out) => set(out, col, 0.85 + 0.3 * Math.min(1, a * 3));
  c.face(frontQuad(u - 0.17, u - 0.03, 0, legTop, z), cls, light, cloth(p.trousers));
  c.face(frontQuad(u + 0.03, u + 0.17, 0, legTop, z + 0.02), cls, light, cloth(p.trousers));
  c.face(frontQuad(u - 0.21, u + 0.21, legTop - 0.05, shoulder, z - 0.01), cls, light, (a, h, _t, out) => {
    if (h > shoulder - 0.06 && (a < 0.05 || a > 0.37)) return false;
    return set(out, p.shirt, 0.85 + 0.25 * (h / shoulder));
  });
  c.face(frontQuad(u - 0.3, u - 0.2, legTop + 0.05, shoulder - 0.03, z), cls, light, (_a, h, _t, out) => (h < legTop + 0.12 ? set(out, p.skin) : set(out, p.shirt, 0.8)));
  c.face(frontQuad(u + 0.2, u + 0.3, legTop + 0.05, shoulder - 0.03, z), cls, light, (_a, h, _t, out) => (h < legTop + 0.12 ? set(out, p.skin) : set(out, p.shirt, 0.8)));
  const r = H * 0.065;
  c.face(frontQuad(u - r, u + r, shoulder, shoulder + 2.4 * r, z - 0.02), cls, light, (a, h, _t, out) => {
    const du = (a - r) / r;
    const dv = (h - shoulder - 1.2 * r) / (1.2 * r);
    if (du * du + dv * dv > 1) return false;
    return dv > 0.45 ? set(out, [50, 36, 28]) : set(out, p.skin);
  });
}

// ----------------------------------------------------------------------------- cars

const TYRE: Rgb = [24, 24, 27];
const GLASS: Rgb = [26, 30, 36];
const PLASTIC: Rgb = [36, 36, 38];

function drawCar(c: FrameCanvas, car: Car, step: number): void {
  const s = c.scene;
  const L = s.lighting;
  const zn = car.z + car.speed * step;
  if (zn - c.travel < 2.5) return;
  const { width: W, length: len, height: H, colour, oncoming } = car;
  const u0 = car.u - W / 2;
  const u1 = car.u + W / 2;
  const zf = zn + len;
  const tall = car.type === 'van' || car.type === 'truck';
  const clear = car.type === 'truck' ? 0.45 : 0.28;
  const belt = tall ? H * 0.5 : H * 0.6;
  const shortEnd = car.type === 'sedan' ? 0.2 * len : 0.05 * len; // boot (sedan) or flat back
  const longEnd = tall ? 0.12 * len : 0.3 * len; // bonnet
  const nearEnd = oncoming ? longEnd : shortEnd;
  const farEnd = oncoming ? shortEnd : longEnd;
  const cab0 = zn + nearEnd;
  const cab1 = zf - farEnd;
  const slope = tall ? 0.12 : (H - belt) * (oncoming ? 0.9 : car.type === 'sedan' ? 0.9 : 0.45);
  const sky = L.skyHorizon;
  const gloss = car.gloss;
  const seed = s.seed ^ Math.floor(car.z * 733 + car.u * 71);

  // contact shadow and the sun's shadow
  const sunShift = -L.sunSide * L.shadowLength * 0.35 * H;
  const shadowU0 = Math.min(u0, u0 + sunShift) - 0.2;
  const shadowU1 = Math.max(u1, u1 + sunShift) + 0.2;
  c.groundShade(flatQuad(shadowU0, shadowU1, zn - 0.3, zf + 0.3, 0), (a, b) => {
    const uu = shadowU0 + a;
    const inCore = uu > u0 + 0.05 && uu < u1 - 0.05 && b > 0.35 && b < len + 0.25;
    const inSun = uu > u0 + sunShift && uu < u1 + sunShift && b > 0.3 && b < len + 0.3;
    if (inCore) return 0.32;
    if (inSun && L.shadowLength > 0) return L.groundShadow / L.ground;
    const du = Math.max(u0 - uu, uu - u1, 0);
    const dz = Math.max(0.3 - b, b - len - 0.3, 0);
    return 0.6 + 0.4 * Math.min(1, Math.hypot(du, dz) / 0.2);
  });

  const paint = (k: number, out: Float32Array): true => set(out, colour, k);
  const cls = CARLA.vehicle;
  const front = L.front;

  // wheels seen under the near end
  for (const wu of [u0 + 0.1, u1 - 0.34]) {
    c.face(frontQuad(wu, wu + 0.24, 0, clear + 0.1, zn + 0.17 * len - 0.3), cls, front, (_a, _b, _t, out) => set(out, TYRE));
  }
  // near end: bumper, lights, plate
  c.face(frontQuad(u0, u1, clear, belt, zn), cls, front, (a, h, _t, out) => {
    const b = h - clear;
    const top = belt - clear;
    const corner = 0.16;
    const dx = Math.min(a, W - a);
    if (b > top - corner && dx < corner) {
      const ex = corner - dx;
      const ey = b - (top - corner);
      if (ex * ex + ey * ey > corner * corner) return false;
    }
    if (b < 0.16) return set(out, PLASTIC, 1.1);
    const lampBand = b > top - 0.26 && b < top - 0.1;
    if (lampBand && (a < 0.32 || a > W - 0.32) && Math.min(a, W - a) > 0.04) return oncoming ? set(out, [228, 226, 214]) : set(out, [176, 22, 20], 1.1);
    if (Math.abs(a - W / 2) < 0.27 && b > 0.2 && b < 0.34) return set(out, [214, 214, 204]);
    if (oncoming && Math.abs(a - W / 2) < 0.42 && b > 0.18 && b < top - 0.12) return set(out, PLASTIC, 0.9);
    const shine = 0.82 + 0.22 * (b / top) + gloss * 0.12 * Math.exp(-Math.pow((b - top + 0.12) / 0.08, 2));
    return paint(shine, out);
  });
  // long side facing the camera
  const wheelR = car.type === 'truck' ? 0.48 : 0.34;
  const wheels = [zn + 0.17 * len, zf - 0.17 * len];
  let sideU: number | null = null;
  if (s.cameraU > u1) sideU = u1;
  else if (s.cameraU < u0) sideU = u0;
  if (sideU !== null) {
    const su = sideU;
    const normal: Side = su === u1 ? 1 : -1;
    const lightSide = sideLight(s, normal);
    c.face(sideQuad(su, zn, zf, clear, belt), cls, lightSide, (a, h, _t, out) => {
      const b = h - clear;
      const top = belt - clear;
      for (const wz of wheels) {
        const dz = a - (wz - zn);
        if (Math.abs(dz) < wheelR + 0.08 && h < wheelR * 2 + 0.08 && dz * dz + (h - wheelR) * (h - wheelR) < (wheelR + 0.08) ** 2) return set(out, PLASTIC, 0.7);
      }
      if (Math.abs(a - len * 0.5) < 0.015 && b > 0.1) return paint(0.6, out);
      if (b < 0.1) return set(out, PLASTIC);
      return paint(0.78 + 0.25 * (b / top) + gloss * 0.1 * (b > top - 0.1 ? 1 : 0), out);
    });
    for (const wz of wheels) {
      const wu = su + normal * 0.02;
      c.face(sideQuad(wu, wz - wheelR, wz + wheelR, 0, 2 * wheelR), cls, lightSide, (a, h, _t, out) => {
        const dz = a - wheelR;
        const dh = h - wheelR;
        const r2 = dz * dz + dh * dh;
        if (r2 > wheelR * wheelR) return false;
        return r2 < (wheelR * 0.55) ** 2 ? set(out, [120, 122, 126], 0.9 + 0.2 * hash1(Math.floor(Math.atan2(dh, dz) * 3), seed)) : set(out, TYRE);
      }, -0.05);
    }
  }
  // deck (boot or bonnet) seen from above
  c.face(flatQuad(u0, u1, zn, zf, belt), cls, L.top, (a, _b, _t, out) => {
    const dx = Math.min(a, W - a);
    return paint(0.9 + 0.2 * clamp01(dx / 0.4) + gloss * 0.1, out);
  });
  // cabin: sloped near window, sides with windows, tapering to the roof
  const inset = 0.1 * W;
  const cu0 = u0 + inset;
  const cu1 = u1 - inset;
  const cw = cu1 - cu0;
  const taper = 0.09 * W;
  const glass = (h01: number, out: Float32Array, kk = 1): true => mix(out, GLASS, sky, (0.12 + 0.35 * h01) * (0.5 + gloss * 0.5), kk);
  const nearWindow = slopeQuad(cu0, cu1, belt, cab0, H, cab0 + slope);
  c.face(nearWindow, cls, front, (a, b, _t, out) => {
    const h01 = b / nearWindow.l2;
    const half = cw / 2 - taper * h01;
    const dx = Math.abs(a - cw / 2);
    if (dx > half) return false;
    if (h01 > 0.86 || dx > half - 0.09 || h01 < 0.08) return paint(0.9 + 0.15 * h01, out);
    return glass(h01, out);
  });
  if (sideU !== null) {
    const su = sideU === u1 ? cu1 : cu0;
    const normal: Side = su === cu1 ? 1 : -1;
    const pillarFar = tall ? 0.1 : (H - belt) * 0.8;
    c.face(sideQuad(su, cab0, cab1, belt, H), cls, sideLight(s, normal), (a, h, _t, out) => {
      const h01 = (h - belt) / (H - belt);
      const start = slope * h01;
      const end = cab1 - cab0 - pillarFar * h01;
      if (a < start || a > end) return false;
      if (h01 > 0.88 || h01 < 0.08 || a < start + 0.12 || a > end - 0.12) return paint(0.85 + 0.1 * h01, out);
      if (Math.abs(a - (end - start) * 0.5 - start) < 0.06) return paint(0.7, out);
      return glass(h01, out, 0.9);
    });
  }
}

// ----------------------------------------------------------------------------- the hood

function drawHood(c: FrameCanvas): void {
  const { rgb, label, depth, scene } = c;
  const L = scene.lighting;
  const { pixels, body, reflection } = hoodShading(c.width, c.height);
  const sky = L.skyHorizon;
  const skyLum = (sky[0] + sky[1] + sky[2]) / 3 / 200;
  for (let k = 0; k < pixels.length; k++) {
    const i = pixels[k];
    const deep = body[k];
    const shine = skyLum * reflection[k];
    const o = i * 3;
    rgb[o] = 15 * deep + sky[0] * shine * 0.45;
    rgb[o + 1] = 16 * deep + sky[1] * shine * 0.45;
    rgb[o + 2] = 19 * deep + sky[2] * shine * 0.5;
    label[i] = CARLA.vehicle;
    depth[i] = 0;
  }
}

// ----------------------------------------------------------------------------- frame

export interface RenderedFrame {
  rgb: Uint8Array;
  label: Uint8Array;
}

/** Draws `scene` at drive step `step` into an RGB frame and a CARLA label (class id in red). */
export function renderScene(scene: Scene, step: number, width: number, height: number, hood: Uint8Array, noiseSeed: number): RenderedFrame {
  const travel = scene.egoSpeed * step;
  const c = new FrameCanvas(width, height, scene, travel);
  // rows entirely under the hood need no scene
  let skipFrom = height;
  for (let y = height - 1; y >= 0; y--) {
    let full = true;
    for (let x = 0; x < width && full; x++) full = hood[y * width + x] === 1;
    if (!full) break;
    skipFrom = y;
  }
  drawSky(c);
  drawSkyline(c);
  drawGround(c, skipFrom);

  // sun shadows of façades and walls across the ground
  const L = scene.lighting;
  if (L.shadowLength > 0) {
    const ratio = L.groundShadow / L.ground;
    for (const item of scene.items) {
      if ((item.kind !== 'building' && item.kind !== 'wall') || item.side !== L.sunSide) continue;
      const u = sideU(scene, item.side, item.offset);
      const reach = item.height * L.shadowLength;
      const z = clipZ(c, item.z0, item.z1);
      if (!z) continue;
      const [a0, a1] = item.side < 0 ? [u, u + reach] : [u - reach, u];
      c.groundShade(flatQuad(a0, a1, z[0], z[1], 0), () => ratio);
    }
    for (const item of scene.items) {
      if (item.kind !== 'tree') continue;
      const u = sideU(scene, item.side, item.offset) - L.sunSide * (item.trunkHeight + item.crownHeight * 0.5) * L.shadowLength;
      const r = item.crownWidth / 2;
      const z = clipZ(c, item.z - r, item.z + r);
      if (!z) continue;
      c.groundShade(flatQuad(u - r, u + r, z[0], z[1], 0), (a, b) => {
        const du = (a - r) / r;
        const dz = (b + z[0] - item.z) / r;
        const d = du * du + dz * dz;
        if (d > 0.75 + 0.4 * valueNoise2(a * 1.5, b * 1.5, item.seed)) return 1;
        return ratio + (1 - ratio) * 0.15;
      });
    }
  }

  for (const item of scene.items) {
    switch (item.kind) {
      case 'building':
        drawBuilding(c, item);
        break;
      case 'wall':
      case 'fence':
        drawWall(c, item);
        break;
      case 'tree':
        drawTree(c, item);
        break;
      case 'lamp':
      case 'sign':
        drawPole(c, item);
        break;
      case 'box':
        drawBoxThing(c, item);
        break;
      case 'pedestrian':
        drawPedestrian(c, item);
        break;
    }
  }
  for (const car of scene.cars) drawCar(c, car, step);
  drawHood(c);

  return finish(c.rgb, c.label, width, height, L, noiseSeed);
}

/**
 * A light blur (the simulator's edges are not pixel-sharp: centre 4/8, each neighbour 1/8), then
 * exposure, white balance, vignetting and sensor noise to 8-bit RGB; labels to RGB (id in red).
 */
function finish(src: Float32Array, classes: Uint8Array, width: number, height: number, L: Scene['lighting'], noiseSeed: number): RenderedFrame {
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const label = new Uint8Array(n * 3);
  const gr = L.tint[0] * L.exposure * 0.125;
  const gg = L.tint[1] * L.exposure * 0.125;
  const gb = L.tint[2] * L.exposure * 0.125;
  const colVig = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const t = (x + 0.5) / width - 0.5;
    colVig[x] = 1 - 0.22 * t * t;
  }
  let state = noiseSeed | 0 || 0x1234567;
  const lumAmp = (L.noise / 128) * 0.58;
  const chromaAmp = (L.noise / 128) * 0.3;
  const stride = width * 3;
  for (let y = 0; y < height; y++) {
    const ty = (y + 0.5) / height - 0.5;
    const rowVig = 1 - 0.2 * ty * ty;
    const up = y > 0 ? -stride : 0;
    const down = y < height - 1 ? stride : 0;
    const rowStart = y * width;
    for (let x = 0; x < width; x++) {
      const i = rowStart + x;
      const o = i * 3;
      const left = x > 0 ? -3 : 0;
      const right = x < width - 1 ? 3 : 0;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const lum = ((state & 255) + ((state >>> 8) & 255) + ((state >>> 16) & 255) - 382.5) * lumAmp;
      const chroma = (((state >>> 24) & 255) - 127.5) * chromaAmp;
      const v = colVig[x] * rowVig;
      const ol = o + left;
      const or = o + right;
      const ou = o + up;
      const od = o + down;
      let r = (4 * src[o] + src[ol] + src[or] + src[ou] + src[od]) * gr * v + lum + chroma + 0.5;
      let g = (4 * src[o + 1] + src[ol + 1] + src[or + 1] + src[ou + 1] + src[od + 1]) * gg * v + lum + 0.5;
      let b = (4 * src[o + 2] + src[ol + 2] + src[or + 2] + src[ou + 2] + src[od + 2]) * gb * v + lum - chroma + 0.5;
      if (r < 0) r = 0;
      else if (r > 255) r = 255;
      if (g < 0) g = 0;
      else if (g > 255) g = 255;
      if (b < 0) b = 0;
      else if (b > 255) b = 255;
      rgb[o] = r;
      rgb[o + 1] = g;
      rgb[o + 2] = b;
      label[o] = classes[i];
    }
  }
  return { rgb, label };
}
