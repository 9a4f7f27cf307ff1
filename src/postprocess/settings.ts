/**
 * Post-processing settings: per class a probability threshold and a morphology step, and whether
 * the hood is removed. Plain data, shared by the GPU ops, the CPU reference and the viewer's store.
 */

export type MorphologyOp = 'none' | 'dilate' | 'erode' | 'open' | 'close';
export const MORPHOLOGY_OPS: readonly MorphologyOp[] = ['none', 'dilate', 'erode', 'open', 'close'];

export type KernelShape = 'square' | 'cross';
export const KERNEL_SHAPES: readonly KernelShape[] = ['square', 'cross'];

export const KERNEL_SIZE_RANGE = { min: 1, max: 15 } as const;
export const ITERATION_RANGE = { min: 1, max: 5 } as const;

export interface Morphology {
  op: MorphologyOp;
  /** Kernel side in pixels, 1-15. */
  size: number;
  shape: KernelShape;
  /** Passes of the op (open/close: this many erosions then dilations, or the reverse), 1-5. */
  iterations: number;
}

export interface ClassPostprocess {
  /** A pixel belongs to the class when its probability is strictly greater than this. */
  threshold: number;
  morphology: Morphology;
}

/** The two classes the challenge scores. */
export type ChallengeClass = 'car' | 'road';
export const CHALLENGE_CLASSES: readonly ChallengeClass[] = ['car', 'road'];

export interface PostprocessSettings {
  car: ClassPostprocess;
  road: ClassPostprocess;
  /** Remove the hood from both masks (when a hood mask is known). */
  hood: boolean;
}

export const NO_MORPHOLOGY: Morphology = { op: 'none', size: 3, shape: 'square', iterations: 1 };

/** Neutral settings: 0.5 thresholds, no morphology, hood removed. */
export const NEUTRAL_SETTINGS: PostprocessSettings = {
  car: { threshold: 0.5, morphology: NO_MORPHOLOGY },
  road: { threshold: 0.5, morphology: NO_MORPHOLOGY },
  hood: true,
};

/** The original solution's final values: car 1e-5 dilated 3x3 once, road 1 - 1e-5, hood removed. */
export const ORIGINAL_SETTINGS: PostprocessSettings = {
  car: { threshold: 1e-5, morphology: { op: 'dilate', size: 3, shape: 'square', iterations: 1 } },
  road: { threshold: 1 - 1e-5, morphology: NO_MORPHOLOGY },
  hood: true,
};

/** The settings in one line ("vehicle > 0.3 dilate 3x3 square, road > 0.5, hood removed"). */
export function settingsLabel(settings: PostprocessSettings): string {
  const cls = (name: string, c: ClassPostprocess) => {
    const m = c.morphology;
    return `${name} > ${c.threshold}${m.op === 'none' ? '' : ` ${m.op} ${m.size}x${m.size} ${m.shape}${m.iterations > 1 ? ` x${m.iterations}` : ''}`}`;
  };
  return `${cls('vehicle', settings.car)}, ${cls('road', settings.road)}, hood ${settings.hood ? 'removed' : 'kept'}`;
}

function clampInt(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return lo;
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

/** A morphology with its size and iterations brought into range. */
export function normaliseMorphology(m: Morphology): Morphology {
  return {
    op: MORPHOLOGY_OPS.includes(m.op) ? m.op : 'none',
    size: clampInt(m.size, KERNEL_SIZE_RANGE.min, KERNEL_SIZE_RANGE.max),
    shape: m.shape === 'cross' ? 'cross' : 'square',
    iterations: clampInt(m.iterations, ITERATION_RANGE.min, ITERATION_RANGE.max),
  };
}

/**
 * The kernel's footprint as 0/1, row-major size x size. Square: all ones; cross: the row and the
 * column through the anchor (index floor(size / 2)).
 */
export function kernelFootprint(size: number, shape: KernelShape): Uint8Array {
  const k = new Uint8Array(size * size);
  const c = Math.floor(size / 2);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) k[y * size + x] = shape === 'square' || y === c || x === c ? 1 : 0;
  return k;
}

/**
 * Zero padding before/after along one axis: the window of output pixel i covers input pixels
 * i - floor(size / 2) .. i - floor(size / 2) + size - 1 (centred for odd sizes, as padding k//2).
 */
export function kernelPadding(size: number): [number, number] {
  const before = Math.floor(size / 2);
  return [before, size - 1 - before];
}

/** The sequence of elementary passes a morphology runs. */
export function morphologyPasses(m: Morphology): ('dilate' | 'erode')[] {
  const n = m.iterations;
  const rep = (op: 'dilate' | 'erode') => new Array<'dilate' | 'erode'>(n).fill(op);
  switch (m.op) {
    case 'none':
      return [];
    case 'dilate':
      return rep('dilate');
    case 'erode':
      return rep('erode');
    case 'open':
      return [...rep('erode'), ...rep('dilate')];
    case 'close':
      return [...rep('dilate'), ...rep('erode')];
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function inRange(v: unknown, range: { min: number; max: number }): v is number {
  return Number.isInteger(v) && (v as number) >= range.min && (v as number) <= range.max;
}

function morphologyOf(v: unknown, where: string): Morphology {
  if (!isRecord(v)) throw new Error(`${where}.morphology is missing`);
  const { op, size, shape, iterations } = v;
  if (!MORPHOLOGY_OPS.includes(op as Morphology['op'])) throw new Error(`${where}.morphology.op ${JSON.stringify(op)} is not one of ${MORPHOLOGY_OPS.join(', ')}`);
  if (!inRange(size, KERNEL_SIZE_RANGE)) throw new Error(`${where}.morphology.size ${JSON.stringify(size)} is not a whole number from ${KERNEL_SIZE_RANGE.min} to ${KERNEL_SIZE_RANGE.max}`);
  if (!KERNEL_SHAPES.includes(shape as Morphology['shape'])) throw new Error(`${where}.morphology.shape ${JSON.stringify(shape)} is not one of ${KERNEL_SHAPES.join(', ')}`);
  if (!inRange(iterations, ITERATION_RANGE)) throw new Error(`${where}.morphology.iterations ${JSON.stringify(iterations)} is not a whole number from ${ITERATION_RANGE.min} to ${ITERATION_RANGE.max}`);
  return { op: op as Morphology['op'], size, shape: shape as Morphology['shape'], iterations };
}

function classOf(v: unknown, where: string): ClassPostprocess {
  if (!isRecord(v)) throw new Error(`${where} is missing`);
  const t = v.threshold;
  if (typeof t !== 'number' || !(t > 0 && t < 1)) throw new Error(`${where}.threshold ${JSON.stringify(t)} is not a number between 0 and 1`);
  return { threshold: t, morphology: morphologyOf(v.morphology, where) };
}

/** Settings read from elsewhere (a file, storage), checked field by field; throws naming the first bad one. */
export function parsePostprocessSettings(v: unknown): PostprocessSettings {
  if (!isRecord(v)) throw new Error('it is not an object');
  if (typeof v.hood !== 'boolean') throw new Error(`hood ${JSON.stringify(v.hood)} is not true or false`);
  return { car: classOf(v.car, 'car'), road: classOf(v.road, 'road'), hood: v.hood };
}
