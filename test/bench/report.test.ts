import { describe, expect, it } from 'vitest';
import { jobsFor, parseOptions, QUICK_BROWSER_BACKENDS } from '../../bench/core/options';
import { emptyRow, median } from '../../bench/core/measure';
import { markdownTable, speedRatio } from '../../bench/core/table';
import type { BenchJob, BenchRow } from '../../bench/core/types';

const job = (engine: BenchJob['engine'], over: Partial<BenchJob> = {}): BenchJob => ({
  task: 'inference', engine, encoder: 'resnet18', height: 64, width: 128, batch: 1, runs: 3, budgetMs: 1000, ...over,
});

function row(engine: BenchJob['engine'], platform: BenchRow['platform'], backend: string, medianMs: number, over: Partial<BenchJob> = {}): BenchRow {
  const r = emptyRow(job(engine, over), platform, backend, `${engine} ${backend}`);
  r.runsMs = [medianMs];
  r.medianMs = medianMs;
  r.imagesPerSecond = 1000 / medianMs;
  return r;
}

describe('benchmark options and jobs', () => {
  it('--quick: resnet18 at the tiny size, browser wasm engines only, no node cpu', () => {
    const o = parseOptions(['--quick']);
    expect(o.encoders).toEqual(['resnet18']);
    expect(o.sizes).toEqual([{ height: 64, width: 128 }]);
    expect(o.browserBackends).toEqual([...QUICK_BROWSER_BACKENDS]);
    expect(o.nodeCpu).toBe(false);
    expect(o.trainBatches).toEqual([1]);
  });

  it('refuses sizes LinkNet cannot take and unknown backends', () => {
    expect(() => parseOptions(['--sizes', '160x400'])).toThrow(/multiple of 32/);
    expect(() => parseOptions(['--browser', 'webgl2'])).toThrow(/unknown browser backend/);
    expect(() => parseOptions(['--frobnicate'])).toThrow(/unknown argument/);
  });

  it('orders inference jobs smallest size first and keeps cpu to the tiny size', () => {
    const o = parseOptions(['--sizes', '320x800,64x128,160x416', '--encoders', 'resnet34,resnet18', '--train-batches', '1,4']);
    const jobs = jobsFor(o, ['tfjs'], { training: true });
    expect(jobs.filter((j) => j.task === 'inference').map((j) => `${j.height}x${j.width}/${j.encoder}`)).toEqual([
      '64x128/resnet34', '64x128/resnet18', '160x416/resnet34', '160x416/resnet18', '320x800/resnet34', '320x800/resnet18',
    ]);
    expect(jobs.filter((j) => j.task === 'training').map((j) => j.batch)).toEqual([1, 4, 1, 4]);
    expect(jobsFor(o, ['tfjs'], { tinyOnly: true }).every((j) => j.height === 64)).toBe(true);
  });
});

describe('benchmark table', () => {
  it('computes ratios to ONNX Runtime and the folded gain from the same case only', () => {
    const rows = [
      row('ort', 'node', 'cpu', 50),
      row('ort', 'browser', 'wasm', 200),
      row('tfjs', 'browser', 'wasm', 100),
      row('tfjs-folded', 'browser', 'wasm', 80),
      row('ort', 'node', 'cpu', 1, { height: 320, width: 800 }), // another case: must not be used
    ];
    expect(speedRatio(rows[2], rows[0])).toBeCloseTo(0.5);
    const table = markdownTable({
      environment: { date: 'd', machine: 'm', cpus: 'c', cpuCount: 2, memoryGiB: 8, node: 'v', browser: null, webgpuAdapter: null, webglRenderer: null, loadAverage: [1, 1, 1], notes: ['a note'] },
      options: {}, rows, wallSeconds: 1,
    });
    const line = table.split('\n').find((l) => l.includes('tfjs-folded wasm'))!;
    // vs ORT node 50/80, vs ORT web 200/80, folded gain 100/80.
    expect(line).toContain('| 0.63x | 2.50x | 1.25x | – |');
    expect(table).toContain('- a note');
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
