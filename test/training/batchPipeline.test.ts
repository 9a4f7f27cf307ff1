import { describe, expect, it } from 'vitest';
import { CARLA_SCHEME } from '../../src/data/labelScheme';
import { framesToInput } from '../../src/inference/frameInput';
import { BatchPipeline, croppedSpec } from '../../src/training/batchPipeline';
import { PairDataError, SamplePairSource, type PairSource } from '../../src/training/pairSource';
import { labelToTarget } from '../../src/training/trainingTargets';
import { oneHotValues } from '../../src/training/oneHotTargets';
import * as tf from '@tensorflow/tfjs';
import { sampleData } from './support/runFixtures';

const DATA = { count: 6, val: 0, frameWidth: 64, frameHeight: 48, inputHeight: 32, inputWidth: 64 };

function counting(source: PairSource): PairSource & { loads: number[] } {
  const loads: number[] = [];
  return { count: source.count, name: (i) => source.name(i), load: (i) => (loads.push(i), source.load(i)), loads };
}

describe('BatchPipeline', () => {
  const data = sampleData(DATA);
  const sample = () => new SamplePairSource(6, 1, 64, 48);

  it('gives the same targets and inputs as the full-frame helpers (crop, resize, hood)', async () => {
    await tf.setBackend('cpu');
    const source = sample();
    const pipeline = new BatchPipeline(source, data.spec, CARLA_SCHEME, data.hood, 1 << 24);
    const batch = await pipeline.batch([2, 5]);
    expect(batch.names).toEqual(['sample 2.png', 'sample 5.png']);
    for (const [b, index] of [2, 5].entries()) {
      const pair = await source.load(index);
      const expected = labelToTarget(pair.label, data.spec, CARLA_SCHEME, data.hood);
      const targets = oneHotValues(batch.classes, CARLA_SCHEME.classes.length);
      expect(Array.from(targets.subarray(b * expected.length, (b + 1) * expected.length))).toEqual(Array.from(expected));
      const viaFull = framesToInput([pair.frame], data.spec);
      const viaCrop = framesToInput([batch.frames[b]], croppedSpec(data.spec));
      expect(Array.from(await viaCrop.data())).toEqual(Array.from(await viaFull.data()));
      tf.dispose([viaFull, viaCrop]);
    }
    expect(batch.classes.length).toBe(2 * data.spec.inputHeight * data.spec.inputWidth);
    expect(Array.from(batch.classes).every((k) => k < CARLA_SCHEME.classes.length)).toBe(true);
  });

  it('decodes each pair once while it fits the budget and evicts the least recently used', async () => {
    const source = counting(sample());
    const probe = new BatchPipeline(sample(), data.spec, CARLA_SCHEME, null, 1 << 24);
    const entryBytes = (await probe.pair(0)).bytes;
    const pipeline = new BatchPipeline(source, data.spec, CARLA_SCHEME, null, entryBytes * 2);
    await pipeline.batch([0, 1]);
    await pipeline.batch([0]); // 0 becomes most recent
    await pipeline.batch([2]); // evicts 1
    expect(pipeline.stats()).toMatchObject({ entries: 2, bytes: entryBytes * 2, budgetBytes: entryBytes * 2, hits: 1, misses: 3 });
    await pipeline.batch([0]);
    await pipeline.batch([1]);
    expect(source.loads).toEqual([0, 1, 2, 1]);
    pipeline.setBudget(0);
    expect(pipeline.stats().entries).toBe(0);
  });

  it('prefetches a batch once, so asking for it does not load again', async () => {
    const source = counting(sample());
    const pipeline = new BatchPipeline(source, data.spec, CARLA_SCHEME, null, 1 << 24);
    pipeline.prefetch([3, 4]);
    pipeline.prefetch([3, 4]);
    await pipeline.batch([3, 4]);
    expect(source.loads).toEqual([3, 4]);
  });

  it('reports a frame of the wrong size with its name, and a failed prefetch when the batch is asked for', async () => {
    const small = new SamplePairSource(6, 1, 32, 24);
    const pipeline = new BatchPipeline(small, data.spec, CARLA_SCHEME, null, 1 << 24);
    pipeline.prefetch([1]);
    await expect(pipeline.batch([1])).rejects.toThrow(PairDataError);
    await expect(pipeline.batch([1])).rejects.toThrow(/sample 1\.png: the frame is 32x24, expected 64x48/);
  });
});
