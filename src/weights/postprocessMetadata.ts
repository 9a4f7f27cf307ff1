/**
 * A model file's post-processing: the thresholds, morphology and hood setting it was tuned with,
 * kept in its metadata (`postprocess`, JSON) so they travel with the weights. A value out of range
 * or a missing field makes the entry unusable (and says why); the weights load all the same.
 */
import {
  ITERATION_RANGE,
  KERNEL_SHAPES,
  KERNEL_SIZE_RANGE,
  MORPHOLOGY_OPS,
  type ClassPostprocess,
  type Morphology,
  type PostprocessSettings,
} from '../postprocess/settings';
import { errorMessage } from '../util/errorMessage';

export const POSTPROCESS_KEY = 'postprocess';

/** The metadata entry for `settings`. */
export function postprocessToMetadata(settings: PostprocessSettings): Record<string, string> {
  const cls = (c: ClassPostprocess) => ({ threshold: c.threshold, morphology: { ...c.morphology } });
  return { [POSTPROCESS_KEY]: JSON.stringify({ car: cls(settings.car), road: cls(settings.road), hood: settings.hood }) };
}

export type PostprocessEntry = { settings: PostprocessSettings; problem: null } | { settings: null; problem: string | null };

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

/** The post-processing a file's metadata carries: none (no entry), the settings, or why the entry cannot be used. */
export function postprocessFromMetadata(metadata: Record<string, string>): PostprocessEntry {
  const raw = metadata[POSTPROCESS_KEY];
  if (raw === undefined) return { settings: null, problem: null };
  try {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new Error('it is not JSON');
    }
    if (!isRecord(v)) throw new Error('it is not an object');
    if (typeof v.hood !== 'boolean') throw new Error(`hood ${JSON.stringify(v.hood)} is not true or false`);
    return { settings: { car: classOf(v.car, 'car'), road: classOf(v.road, 'road'), hood: v.hood }, problem: null };
  } catch (e) {
    return { settings: null, problem: `metadata "${POSTPROCESS_KEY}" left unused: ${errorMessage(e)}` };
  }
}
