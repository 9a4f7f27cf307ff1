import { describe, expect, it } from 'vitest';
import { originalInputSpec } from '../../src/model/config';
import { describeGeometry, geometryDifferences, geometryOf, withGeometry } from '../../src/model/inputGeometry';
import { computeModelState, DEFAULT_BATCH, useStudioStore } from '../../src/state/studioStore';

const quarter = { frameWidth: 800, frameHeight: 600, cropTop: 205, cropBottom: 525, inputHeight: 96, inputWidth: 192 };

describe('input geometry', () => {
  it('describes a geometry, and matches one with itself', () => {
    expect(describeGeometry(quarter)).toBe('96×192 from rows 205–525 of 800×600 frames');
    expect(geometryDifferences(quarter, { ...quarter })).toEqual([]);
    expect(geometryOf(originalInputSpec())).toEqual({ ...quarter, inputHeight: 320, inputWidth: 800 });
  });

  it('names each difference: input size, crop rows, frame size', () => {
    expect(geometryDifferences(geometryOf(originalInputSpec()), quarter)).toEqual(['input 320×800 instead of 96×192']);
    expect(geometryDifferences({ ...quarter, cropTop: 200 }, quarter)).toEqual(['rows 200–525 instead of 205–525']);
    expect(geometryDifferences({ ...quarter, frameWidth: 1280, frameHeight: 720 }, quarter)).toEqual(['1280×720 frames instead of 800×600']);
  });

  it('takes the geometry and keeps channel order, scale, mean and std', () => {
    const spec = { ...originalInputSpec(), channelOrder: 'rgb' as const, mean: [0.5, 0.5, 0.5] as [number, number, number] };
    expect(withGeometry(spec, { ...quarter, cropTop: 100 })).toEqual({ ...spec, ...quarter, cropTop: 100 });
  });

  it("sets the model panel's frame, crop and input size at once", () => {
    const before = useStudioStore.getState().model;
    useStudioStore.getState().setInputGeometry(quarter);
    const after = useStudioStore.getState().model;
    expect(after.size).toEqual({ height: 96, width: 192 });
    expect(geometryOf(after.config.input)).toEqual(quarter);
    expect(after.config.input.channelOrder).toBe(before.config.input.channelOrder);
    expect(after.summary).not.toBeNull();
    useStudioStore.setState({ model: computeModelState(before.config, before.size, DEFAULT_BATCH) });
  });
});
