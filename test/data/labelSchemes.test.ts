import { describe, expect, it } from 'vitest';
import { CARLA_SCHEME, classNameAt, decodeLabel } from '../../src/data/labelScheme';
import { CITYSCAPES_IDS_SCHEME, CITYSCAPES_PALETTE_SCHEME, cloneScheme, SCHEME_PRESETS } from '../../src/data/schemePresets';
import { formatValues, parseValues, sameDecoding, schemeProblems } from '../../src/data/schemeEdit';

describe('label scheme presets', () => {
  it('are all usable and have the challenge classes', () => {
    for (const s of SCHEME_PRESETS) {
      expect(schemeProblems(s), s.id).toEqual([]);
      expect(s.classes.map((c) => c.name)).toEqual(['background', 'road', 'vehicle']);
    }
    expect(new Set(SCHEME_PRESETS.map((s) => s.id)).size).toBe(SCHEME_PRESETS.length);
  });

  it('decode Cityscapes colour labels: road, car, bicycle; everything else background', () => {
    // pixels: road, car, bicycle, sidewalk (244,35,232), ego vehicle (0,0,0)
    const rgb = [128, 64, 128, 0, 0, 142, 119, 11, 32, 244, 35, 232, 0, 0, 0];
    expect(Array.from(decodeLabel(rgb, 3, 5, 1, CITYSCAPES_PALETTE_SCHEME))).toEqual([1, 2, 2, 0, 0]);
    // RGBA labels too
    const rgba = [128, 64, 128, 255, 0, 60, 100, 255];
    expect(Array.from(decodeLabel(rgba, 4, 2, 1, CITYSCAPES_PALETTE_SCHEME))).toEqual([1, 2]);
  });

  it('decode Cityscapes label ids in a gray image', () => {
    const gray = [7, 26, 33, 8, 1, 34];
    expect(Array.from(decodeLabel(gray, 1, 6, 1, CITYSCAPES_IDS_SCHEME))).toEqual([1, 2, 2, 0, 0, 0]);
  });

  it('copies are independent of the preset', () => {
    const c = cloneScheme(CARLA_SCHEME);
    c.classes[1]!.values.push(8);
    c.classes[1]!.color[0] = 1;
    expect(CARLA_SCHEME.classes[1]!.values).toEqual([6, 7]);
    expect(CARLA_SCHEME.classes[1]!.color[0]).toBe(128);
    expect(sameDecoding(c, CARLA_SCHEME)).toBe(false);
    expect(sameDecoding(cloneScheme(CARLA_SCHEME), CARLA_SCHEME)).toBe(true);
  });
});

describe('editing class values as text', () => {
  it('parses ids, ranges and lists, without duplicates', () => {
    expect(parseValues('6, 7', 'channel-id')).toEqual([6, 7]);
    expect(parseValues(' 26-29;33 26 ', 'channel-id')).toEqual([26, 27, 28, 29, 33]);
    expect(parseValues('', 'channel-id')).toEqual([]);
  });

  it('parses colours as #rrggbb or r/g/b', () => {
    expect(parseValues('#804080, 0/0/142', 'rgb-palette')).toEqual([0x804080, 142]);
    expect(formatValues([0x804080, 142], 'rgb-palette')).toBe('#804080, #00008e');
    expect(parseValues(formatValues([0x804080, 142], 'rgb-palette'), 'rgb-palette')).toEqual([0x804080, 142]);
  });

  it('names the bad item', () => {
    expect(() => parseValues('6, 300', 'channel-id')).toThrow('"300"');
    expect(() => parseValues('9-3', 'channel-id')).toThrow('"9-3"');
    expect(() => parseValues('road', 'channel-id')).toThrow('"road"');
    expect(() => parseValues('#12345', 'rgb-palette')).toThrow('"#12345"');
    expect(() => parseValues('1/2/300', 'rgb-palette')).toThrow('"1/2/300"');
  });
});

describe('scheme problems', () => {
  it('finds clashing values, missing names and values, and a missing rest class', () => {
    const s = cloneScheme(CARLA_SCHEME);
    s.classes[2]!.values = [7, 10];
    expect(schemeProblems(s)).toEqual(['value 7 is in both "road" and "vehicle"']);
    s.classes[2]!.values = [];
    s.classes[1]!.name = ' ';
    expect(schemeProblems(s)).toEqual(['class 2 has no name', '"vehicle" has no label values']);
    const t = cloneScheme(CARLA_SCHEME);
    t.classes[2]!.name = 'Road';
    t.restClass = 5;
    expect(schemeProblems(t)).toContain('two classes are named "Road"');
    expect(schemeProblems(t)).toContain('choose which class takes all other values');
    const one = cloneScheme(CARLA_SCHEME);
    one.classes = one.classes.slice(0, 1);
    expect(schemeProblems(one)).toContain('at least two classes are needed');
  });
});

describe('classNameAt', () => {
  it("shows a class by its name, and by its index where it has none", () => {
    const names = CARLA_SCHEME.classes.map((c) => c.name);
    expect([0, 1, 2].map((c) => classNameAt(names, c))).toEqual(['background', 'road', 'vehicle']);
    expect(classNameAt(names, 3)).toBe('class 3');
    expect(classNameAt(['background', '  '], 1)).toBe('class 1');
    expect(classNameAt([' road '], 0)).toBe('road');
  });
});
