import { describe, expect, it } from 'vitest';
import { ORIGINAL_SETTINGS } from '../../src/postprocess/settings';
import { decodeViewerSettings, encodeViewerSettings } from '../../src/viewer/savedViewerSettings';

const view = { mode: 'errors' as const, opacity: 0.3, showCar: false, showRoad: true, focus: 'road' as const };

describe("the viewer's settings kept between visits", () => {
  it('read back as written', () => {
    expect(decodeViewerSettings(encodeViewerSettings({ settings: ORIGINAL_SETTINGS, view }))).toEqual({ settings: ORIGINAL_SETTINGS, view });
  });

  it('are dropped whole when absent or unreadable', () => {
    const good = JSON.parse(encodeViewerSettings({ settings: ORIGINAL_SETTINGS, view }));
    const changed = (f: (v: any) => void) => {
      const v = structuredClone(good);
      f(v);
      return JSON.stringify(v);
    };
    for (const text of [
      null,
      '',
      'not json',
      '[]',
      changed((v) => delete v.view),
      changed((v) => (v.view.mode = 'x-ray')),
      changed((v) => (v.view.opacity = 2)),
      changed((v) => (v.view.showCar = 'yes')),
      changed((v) => (v.view.focus = 'sky')),
      changed((v) => (v.settings.car.threshold = 0)),
      changed((v) => (v.settings.road.morphology.size = 99)),
      changed((v) => delete v.settings.hood),
    ]) {
      expect(decodeViewerSettings(text), String(text)).toBeNull();
    }
  });
});
