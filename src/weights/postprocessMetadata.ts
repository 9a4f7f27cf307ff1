/**
 * A model file's post-processing: the thresholds, morphology and hood setting it was tuned with,
 * kept in its metadata (`postprocess`, JSON) so they travel with the weights. A value out of range
 * or a missing field makes the entry unusable (and says why); the weights load all the same.
 */
import { parsePostprocessSettings, type ClassPostprocess, type PostprocessSettings } from '../postprocess/settings';
import { errorMessage } from '../util/errorMessage';

export const POSTPROCESS_KEY = 'postprocess';

/** The metadata entry for `settings`. */
export function postprocessToMetadata(settings: PostprocessSettings): Record<string, string> {
  const cls = (c: ClassPostprocess) => ({ threshold: c.threshold, morphology: { ...c.morphology } });
  return { [POSTPROCESS_KEY]: JSON.stringify({ car: cls(settings.car), road: cls(settings.road), hood: settings.hood }) };
}

export type PostprocessEntry = { settings: PostprocessSettings; problem: null } | { settings: null; problem: string | null };

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
    return { settings: parsePostprocessSettings(v), problem: null };
  } catch (e) {
    return { settings: null, problem: `metadata "${POSTPROCESS_KEY}" left unused: ${errorMessage(e)}` };
  }
}
