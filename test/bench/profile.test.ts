import { describe, expect, it } from 'vitest';
import { diffKernels } from '../../bench/core/kernelRegistry';
import { aggregateKernels, kernelChangesText, kernelRecord, profileMarkdown, timingProblem, type ProfileRow } from '../../bench/core/profile';

const rec = (name: string, ms: number | null) => ({ name, ms });

describe('kernel records from tf.profile', () => {
  it('keeps numbers, turns {error} and anything else into untimed records', () => {
    expect(kernelRecord('Conv2D', 1.5)).toEqual({ name: 'Conv2D', ms: 1.5 });
    expect(kernelRecord('Conv2D', { error: 'WebGL query timers are not supported' })).toEqual({ name: 'Conv2D', ms: null, error: 'WebGL query timers are not supported' });
    expect(kernelRecord('Conv2D', undefined).ms).toBeNull();
    expect(kernelRecord('Conv2D', Number.NaN).ms).toBeNull();
  });
});

describe('aggregateKernels', () => {
  it('sums calls and time per kernel, sorts by total time and gives shares of the sum', () => {
    const s = aggregateKernels([rec('Add', 1), rec('Conv2D', 6), rec('Add', 1), rec('Conv2D', 2), rec('Relu', 0)], 10);
    expect(s.calls).toBe(5);
    expect(s.totalMs).toBe(10);
    expect(s.zeroCalls).toBe(1);
    expect(s.top.map((k) => [k.name, k.calls, k.totalMs])).toEqual([['Conv2D', 2, 8], ['Add', 2, 2], ['Relu', 1, 0]]);
    expect(s.top[0].share).toBeCloseTo(0.8);
    expect(s.top.reduce((a, k) => a + k.share, 0)).toBeCloseTo(1);
    expect(s.rest).toEqual({ kernels: 0, calls: 0, totalMs: 0 });
  });

  it('leaves out the op-level records of fused ops (their time includes the kernel)', () => {
    const s = aggregateKernels([rec('fusedConv2d__op', 5), rec('FusedConv2D', 4)], 5);
    expect(s.calls).toBe(1);
    expect(s.totalMs).toBe(4);
    expect(s.top.map((k) => k.name)).toEqual(['FusedConv2D']);
  });

  it('sums the kernels beyond the top N into rest', () => {
    const s = aggregateKernels([rec('A', 5), rec('B', 3), rec('C', 1), rec('C', 1), rec('D', 0.5)], 2);
    expect(s.top.map((k) => k.name)).toEqual(['A', 'B']);
    expect(s.rest).toEqual({ kernels: 2, calls: 3, totalMs: 2.5 });
  });

  it('counts untimed calls and keeps the first error; shares are 0 when nothing is timed', () => {
    const s = aggregateKernels([{ name: 'Conv2D', ms: null, error: 'no timer' }, { name: 'Add', ms: null, error: 'other' }], 5);
    expect(s.untimedCalls).toBe(2);
    expect(s.error).toBe('no timer');
    expect(s.top.every((k) => k.share === 0)).toBe(true);
    expect(timingProblem(s)).toMatch(/no kernel has a time \(no timer\)/);
  });

  it('flags all-zero times (e.g. WebGPU without timestamp queries) and no records as unusable', () => {
    expect(timingProblem(aggregateKernels([rec('Conv2D', 0), rec('Add', 0)], 5))).toMatch(/every kernel time is 0 ms/);
    expect(timingProblem(aggregateKernels([], 5))).toMatch(/no kernel calls/);
    expect(timingProblem(aggregateKernels([rec('Conv2D', 1)], 5))).toBeNull();
  });
});

describe('profileMarkdown', () => {
  const row = (over: Partial<ProfileRow>): ProfileRow => ({
    platform: 'browser', backend: 'webgpu', task: 'training', encoder: 'resnet18', height: 64, width: 128, batch: 2, setup: null,
    pageQuery: null, kernelChanges: null, status: 'ok', timing: 'WebGPU timestamp queries', wallMs: 200, unprofiledMs: 150, summary: null, ...over,
  });

  it('writes one table per row with calls, ms and shares, and the rest in one line', () => {
    const summary = aggregateKernels([rec('Conv2DBackpropFilter', 60), rec('Conv2D', 30), rec('Add', 6), rec('Relu', 4)], 2);
    const md = profileMarkdown([row({ summary })]);
    expect(md).toContain('### browser webgpu: training step (batch 2), resnet18 64x128');
    expect(md).toContain('| Conv2DBackpropFilter | 1 | 60.0 | 60.0% |');
    expect(md).toContain('| Conv2D | 1 | 30.0 | 30.0% |');
    expect(md).toContain('| (2 other kernels) | 2 | 10.0 | 10.0% |');
    expect(md).toContain('kernel times sum to 100 ms (50.0% of the profiled wall time)');
  });

  it('says when the times are unusable instead of printing shares', () => {
    const md = profileMarkdown([row({ summary: aggregateKernels([rec('Conv2D', 0)], 5) })]);
    expect(md).toContain('**Kernel times unusable: every kernel time is 0 ms');
    expect(md).toContain('| Conv2D | 1 | 0.00 | – |');
  });

  it('names the page query, the setup module and the kernels that are not TensorFlow.js\'s own', () => {
    const md = profileMarkdown([row({
      pageQuery: 'webgpuKernels=builtin', setup: 'src/x.ts', summary: aggregateKernels([rec('Conv2D', 1)], 5),
      kernelChanges: { replaced: ['Conv2DBackpropFilter'], added: [] },
    })]);
    expect(md).toContain('resnet18 64x128, page ?webgpuKernels=builtin, setup src/x.ts');
    expect(md).toContain("Kernels not TensorFlow.js's own: replaced Conv2DBackpropFilter.");
  });

  it('reports failed rows with their reason', () => {
    expect(profileMarkdown([row({ status: 'timeout', reason: 'webgpu profile did not finish in 480 s' })])).toContain('timeout: webgpu profile did not finish in 480 s');
  });
});

describe('end-to-end stage medians', () => {
  it('takes the median of each stage separately', async () => {
    const { stageMedians } = await import('../../bench/core/frameJob');
    const f = (network: number, draw: number) => ({ decode: 1, upload: 2, network, postprocess: 3, draw });
    expect(stageMedians([f(10, 9), f(30, 1), f(20, 5)])).toEqual({ decode: 1, upload: 2, network: 20, postprocess: 3, draw: 5 });
    expect(stageMedians([])).toEqual({ decode: 0, upload: 0, network: 0, postprocess: 0, draw: 0 });
  });
});

describe('kernel registry changes', () => {
  it('finds replaced (same name, other function) and added kernels', () => {
    const f1 = () => 1;
    const f2 = () => 2;
    const f3 = () => 3;
    const before = new Map<string, unknown>([['Conv2D', f1], ['MaxPoolGrad', f2]]);
    const after = new Map<string, unknown>([['Conv2D', f1], ['MaxPoolGrad', f3], ['Conv2DBackpropFilter', f3]]);
    const changes = diffKernels(before, after);
    expect(changes).toEqual({ replaced: ['MaxPoolGrad'], added: ['Conv2DBackpropFilter'] });
    expect(kernelChangesText(changes)).toBe('replaced MaxPoolGrad; added Conv2DBackpropFilter');
    expect(kernelChangesText(diffKernels(before, before))).toBe('none');
  });
});
