import { describe, expect, it } from 'vitest';
import { GraderAccumulator } from '../../src/metrics/grader';
import { NEUTRAL_SETTINGS } from '../../src/postprocess/settings';
import { rankedFrame, rankingCsv, sameScoring, worstFirst } from '../../src/viewer/frameRanking';

const counts = (roadTp: number, carTp: number) => ({ road: { tp: roadTp, fp: 10 - roadTp, fn: 10 - roadTp }, car: { tp: carTp, fp: 10 - carTp, fn: 10 - carTp } });

describe('rankedFrame', () => {
  it("is the grader's result of the frame alone", () => {
    const c = counts(7, 2);
    const g = new GraderAccumulator();
    g.addCounts(c);
    const r = rankedFrame(4, 'a/CameraRGB/4.png', c);
    expect(r).toMatchObject({ index: 4, path: 'a/CameraRGB/4.png', counts: c });
    expect([r.fRoad, r.fCar, r.score]).toEqual([g.result().fRoad, g.result().fCar, g.result().score]);
    expect(r.fRoad).toBeCloseTo(0.7, 12);
    expect(r.score).toBeCloseTo((0.7 + 0.2) / 2, 12);
  });
});

describe('worstFirst', () => {
  const frames = [rankedFrame(0, 'f0', counts(8, 1)), rankedFrame(1, 'f1', counts(2, 9)), rankedFrame(2, 'f2', counts(5, 5)), rankedFrame(3, 'f3', counts(5, 5))];

  it('puts the lowest score first; ties keep the dataset order; the input is untouched', () => {
    expect(worstFirst(frames).map((f) => f.index)).toEqual([0, 2, 3, 1]);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(worstFirst([frames[3]!, frames[2]!]).map((f) => f.index)).toEqual([2, 3]);
  });

  it('ranks by one class on request', () => {
    expect(worstFirst(frames, 'fRoad').map((f) => f.index)).toEqual([1, 2, 3, 0]);
    expect(worstFirst(frames, 'fCar').map((f) => f.index)).toEqual([0, 2, 3, 1]);
  });
});

describe('sameScoring', () => {
  const base = { ...NEUTRAL_SETTINGS, car: { threshold: 0.5, morphology: { op: 'dilate' as const, size: 3, shape: 'square' as const, iterations: 1 } } };

  it('holds for equal settings built in another key order', () => {
    const reordered = { hood: base.hood, road: { morphology: { ...base.road.morphology }, threshold: base.road.threshold }, car: { morphology: { iterations: 1, shape: 'square' as const, size: 3, op: 'dilate' as const }, threshold: 0.5 } };
    expect(sameScoring(base, reordered)).toBe(true);
  });

  it('fails when a threshold, a morphology or the hood changes; an unused kernel size does not count', () => {
    expect(sameScoring(base, { ...base, car: { ...base.car, threshold: 0.4 } })).toBe(false);
    expect(sameScoring(base, { ...base, car: { ...base.car, morphology: { ...base.car.morphology, size: 5 } } })).toBe(false);
    expect(sameScoring(base, { ...base, hood: !base.hood })).toBe(false);
    const none = { ...base, road: { ...base.road, morphology: { op: 'none' as const, size: 3, shape: 'square' as const, iterations: 1 } } };
    expect(sameScoring(none, { ...none, road: { ...none.road, morphology: { ...none.road.morphology, size: 7 } } })).toBe(true);
  });
});

describe('rankingCsv', () => {
  it('lists the frames worst first with their counts, F-scores and the settings they were scored with', () => {
    const settings = { hood: true, car: { threshold: 0.3, morphology: { op: 'dilate' as const, size: 3, shape: 'square' as const, iterations: 2 } }, road: { threshold: 0.5, morphology: { op: 'none' as const, size: 3, shape: 'square' as const, iterations: 1 } } };
    const csv = rankingCsv([rankedFrame(0, 'a/x,1.png', counts(8, 1)), rankedFrame(1, 'a/y.png', counts(2, 2))], settings);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('rank,frame,pair_index,road_tp,road_fp,road_fn,vehicle_tp,vehicle_fp,vehicle_fn,f_road,f_vehicle,score,settings');
    expect(lines[1]).toBe(`1,a/y.png,1,2,8,8,2,8,8,${0.2},${0.2},${0.2},"vehicle > 0.3 dilate 3x3 square x2, road > 0.5, hood removed"`);
    expect(lines[2]).toMatch(/^2,"a\/x,1\.png",0,8,2,2,1,9,9,/);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});
