/**
 * The ego car's hood: labelled as a vehicle at the bottom of every frame. The original found it by
 * flood-filling the vehicle class from the bottom-centre pixel of one label; over several labels we
 * keep the pixels that the fill reaches in nearly every frame.
 */

/** 4-connected flood fill of `mask` (0/1) from (x, y); returns the filled region as 0/1. */
export function floodFill(mask: Uint8Array, width: number, height: number, x: number, y: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const start = y * width + x;
  if (!mask[start]) return out;
  const stack = new Int32Array(width * height);
  let top = 0;
  stack[top++] = start;
  out[start] = 1;
  while (top > 0) {
    const i = stack[--top];
    const px = i % width;
    const neighbours = [px > 0 ? i - 1 : -1, px < width - 1 ? i + 1 : -1, i >= width ? i - width : -1, i + width < width * height ? i + width : -1];
    for (const n of neighbours) {
      if (n >= 0 && mask[n] && !out[n]) {
        out[n] = 1;
        stack[top++] = n;
      }
    }
  }
  return out;
}

/** The hood in one label: vehicle pixels connected to the bottom-centre pixel. */
export function hoodFromVehicleMask(vehicle: Uint8Array, width: number, height: number): Uint8Array {
  return floodFill(vehicle, width, height, Math.floor(width / 2), height - 1);
}

/**
 * Accumulates per-label hood fills and keeps pixels present in at least `agreement` of them
 * (so a car touching the hood in a few frames does not become part of it).
 */
export class HoodEstimator {
  private readonly votes: Uint16Array;
  private frames = 0;

  constructor(readonly width: number, readonly height: number) {
    this.votes = new Uint16Array(width * height);
  }

  addVehicleMask(vehicle: Uint8Array): void {
    if (vehicle.length !== this.votes.length) throw new Error(`mask has ${vehicle.length} pixels, expected ${this.votes.length}`);
    const fill = hoodFromVehicleMask(vehicle, this.width, this.height);
    for (let i = 0; i < fill.length; i++) this.votes[i] += fill[i];
    this.frames++;
  }

  get frameCount(): number {
    return this.frames;
  }

  /** The hood mask (0/1), or null when no label had vehicle pixels at the bottom centre. */
  result(agreement = 0.9): Uint8Array | null {
    if (this.frames === 0) return null;
    const need = Math.max(1, Math.ceil(agreement * this.frames));
    const out = new Uint8Array(this.votes.length);
    let any = false;
    for (let i = 0; i < out.length; i++) {
      if (this.votes[i] >= need) {
        out[i] = 1;
        any = true;
      }
    }
    return any ? out : null;
  }
}

export interface MaskStats { pixels: number; firstRow: number; lastRow: number; }

export function maskStats(mask: Uint8Array, width: number): MaskStats {
  let pixels = 0;
  let firstRow = -1;
  let lastRow = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      pixels++;
      const row = Math.floor(i / width);
      if (firstRow < 0) firstRow = row;
      lastRow = row;
    }
  }
  return { pixels, firstRow, lastRow };
}
