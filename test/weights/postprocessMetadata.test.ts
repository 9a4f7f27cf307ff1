import { describe, expect, it } from 'vitest';
import { NEUTRAL_SETTINGS, ORIGINAL_SETTINGS, settingsLabel, type PostprocessSettings } from '../../src/postprocess/settings';
import { postprocessFromMetadata, postprocessToMetadata, POSTPROCESS_KEY } from '../../src/weights/postprocessMetadata';

const tuned: PostprocessSettings = {
  car: { threshold: 0.03, morphology: { op: 'close', size: 5, shape: 'cross', iterations: 2 } },
  road: { threshold: 0.9, morphology: { op: 'none', size: 3, shape: 'square', iterations: 1 } },
  hood: false,
};

function withEntry(change: (v: Record<string, any>) => void): Record<string, string> {
  const v = JSON.parse(postprocessToMetadata(tuned)[POSTPROCESS_KEY]!);
  change(v);
  return { [POSTPROCESS_KEY]: JSON.stringify(v) };
}

describe("a model file's post-processing metadata", () => {
  it('reads back what was written', () => {
    for (const s of [tuned, ORIGINAL_SETTINGS, NEUTRAL_SETTINGS]) expect(postprocessFromMetadata(postprocessToMetadata(s))).toEqual({ settings: s, problem: null });
    expect(settingsLabel(tuned)).toBe('vehicle > 0.03 close 5x5 cross x2, road > 0.9, hood kept');
  });

  it('is absent without an entry, and other keys do not matter', () => {
    expect(postprocessFromMetadata({ trained_by: 'x' })).toEqual({ settings: null, problem: null });
  });

  it('names what is wrong with an entry it cannot use', () => {
    const problem = (meta: Record<string, string>) => postprocessFromMetadata(meta).problem;
    expect(problem({ [POSTPROCESS_KEY]: '{car' })).toBe('metadata "postprocess" left unused: it is not JSON');
    expect(problem({ [POSTPROCESS_KEY]: '[1]' })).toBe('metadata "postprocess" left unused: it is not an object');
    expect(problem(withEntry((v) => delete v.hood))).toBe('metadata "postprocess" left unused: hood undefined is not true or false');
    expect(problem(withEntry((v) => (v.car.threshold = 1)))).toBe('metadata "postprocess" left unused: car.threshold 1 is not a number between 0 and 1');
    expect(problem(withEntry((v) => delete v.road))).toBe('metadata "postprocess" left unused: road is missing');
    expect(problem(withEntry((v) => (v.car.morphology.op = 'blur')))).toBe('metadata "postprocess" left unused: car.morphology.op "blur" is not one of none, dilate, erode, open, close');
    expect(problem(withEntry((v) => (v.road.morphology.size = 16)))).toBe('metadata "postprocess" left unused: road.morphology.size 16 is not a whole number from 1 to 15');
    expect(problem(withEntry((v) => (v.road.morphology.shape = 'disc')))).toBe('metadata "postprocess" left unused: road.morphology.shape "disc" is not one of square, cross');
    expect(problem(withEntry((v) => (v.car.morphology.iterations = 1.5)))).toBe('metadata "postprocess" left unused: car.morphology.iterations 1.5 is not a whole number from 1 to 5');
    for (const meta of [withEntry((v) => delete v.hood), { [POSTPROCESS_KEY]: 'x' }]) expect(postprocessFromMetadata(meta).settings).toBeNull();
  });
});
