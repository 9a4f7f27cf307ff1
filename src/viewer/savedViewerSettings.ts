/**
 * The viewer's post-processing and view settings as kept in the browser between visits (the page
 * reads them back at start). Anything unreadable is dropped whole: the defaults are used instead.
 */
import { parsePostprocessSettings, type PostprocessSettings } from '../postprocess/settings';
import type { ViewMode, ViewSettings } from '../state/viewerStore';

export const VIEWER_SETTINGS_KEY = 'segmentation-studio.viewer';

const VIEW_MODES: readonly ViewMode[] = ['masks', 'heat', 'errors', 'side-by-side'];

export interface SavedViewerSettings {
  settings: PostprocessSettings;
  view: ViewSettings;
}

export function encodeViewerSettings(saved: SavedViewerSettings): string {
  return JSON.stringify({ settings: saved.settings, view: saved.view });
}

function viewOf(v: unknown): ViewSettings {
  if (typeof v !== 'object' || v === null) throw new Error('view is missing');
  const { mode, opacity, showCar, showRoad, focus } = v as Record<string, unknown>;
  if (!VIEW_MODES.includes(mode as ViewMode)) throw new Error(`view mode ${JSON.stringify(mode)} is unknown`);
  if (typeof opacity !== 'number' || !(opacity >= 0 && opacity <= 1)) throw new Error(`opacity ${JSON.stringify(opacity)} is not in [0, 1]`);
  if (typeof showCar !== 'boolean' || typeof showRoad !== 'boolean') throw new Error('the class toggles are not true or false');
  if (focus !== 'car' && focus !== 'road') throw new Error(`focus ${JSON.stringify(focus)} is not car or road`);
  return { mode: mode as ViewMode, opacity, showCar, showRoad, focus };
}

/** The saved settings, or null when there are none or they cannot be used. */
export function decodeViewerSettings(text: string | null): SavedViewerSettings | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return { settings: parsePostprocessSettings(v.settings), view: viewOf(v.view) };
  } catch {
    return null;
  }
}
