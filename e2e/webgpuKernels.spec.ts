/**
 * The studio's WebGPU kernels (src/backend/webgpuKernels) in real Chromium (SwiftShader here):
 * each filter gradient equals the CPU backend's on LinkNet-like layer shapes (stem 7x7/2, 3x3/1,
 * 3x3/2, 1x1/2 downsample, odd sizes and channel counts, a long inner dimension that is split
 * across workgroups, a transposed convolution), so does each input gradient and transposed
 * convolution (every stride phase, a phase without taps, channels not a multiple of the tile,
 * several inner steps and channel tiles), and so does each softmax (the network's 3 classes,
 * large logits, 1 and 32 classes, and 40 going to the built-in kernel), as do TensorFlow.js's own
 * kernels; nothing leaks; each of our programs and each built-in one really ran. The kernels' own
 * times, ours against the built-in, on three layer shapes and a 64x128 softmax are logged (not
 * asserted).
 */
import { expect, test } from '@playwright/test';
import type { GradCase, SoftmaxCase, WebgpuKernelReport } from '../src/testing/webgpuKernelParity';

const CASES: GradCase[] = [
  { label: 'stem 7x7/2 pad 3', op: 'conv2d', input: [2, 32, 48, 3], filter: [7, 7, 3, 8], strides: 2, pad: 3 },
  { label: '3x3/1 pad 1', op: 'conv2d', input: [2, 16, 24, 16], filter: [3, 3, 16, 16], strides: 1, pad: 1 },
  { label: '3x3/2 pad 1, odd image', op: 'conv2d', input: [1, 17, 23, 8], filter: [3, 3, 8, 12], strides: 2, pad: 1 },
  { label: '1x1/2 downsample', op: 'conv2d', input: [2, 16, 16, 16], filter: [1, 1, 16, 80], strides: 2, pad: 'valid' },
  { label: "3x3 'same', 5->7 channels", op: 'conv2d', input: [1, 9, 11, 5], filter: [3, 3, 5, 7], strides: 1, pad: 'same' },
  { label: 'classifier 2x2 pad 1, 32->3', op: 'conv2d', input: [2, 16, 24, 32], filter: [2, 2, 32, 3], strides: 1, pad: 1 },
  { label: 'long inner dimension (split)', op: 'conv2d', input: [4, 64, 64, 8], filter: [3, 3, 8, 8], strides: 1, pad: 1 },
  {
    label: 'transposed 3x3/2',
    op: 'conv2dTranspose',
    input: [2, 8, 12, 16],
    filter: [3, 3, 8, 16],
    strides: 2,
    pad: 'valid',
    outputShape: [2, 17, 25, 8],
  },
  // Conv2DBackpropInput: input gradients of convolutions, and transposed convolutions.
  { label: 'dx 3x3/1 pad 1', op: 'conv2d', compute: 'inputGradient', input: [2, 16, 24, 16], filter: [3, 3, 16, 16], strides: 1, pad: 1 },
  { label: 'dx 3x3/2 pad 1, odd image', op: 'conv2d', compute: 'inputGradient', input: [1, 17, 23, 8], filter: [3, 3, 8, 12], strides: 2, pad: 1 },
  { label: 'dx 1x1/2 downsample', op: 'conv2d', compute: 'inputGradient', input: [2, 16, 16, 16], filter: [1, 1, 16, 80], strides: 2, pad: 'valid' },
  { label: 'dx 7x7/2 pad 3, 8->12', op: 'conv2d', compute: 'inputGradient', input: [2, 21, 30, 8], filter: [7, 7, 8, 12], strides: 2, pad: 3 },
  { label: "dx 3x3 'same', 8->7 (dy one by one)", op: 'conv2d', compute: 'inputGradient', input: [1, 9, 11, 8], filter: [3, 3, 8, 7], strides: 1, pad: 'same' },
  { label: 'dx 2x2/3, 12->5: phases without taps', op: 'conv2d', compute: 'inputGradient', input: [1, 14, 13, 12], filter: [2, 2, 12, 5], strides: 3, pad: 'valid' },
  { label: 'dx classifier 2x2 pad 1, 32->3', op: 'conv2d', compute: 'inputGradient', input: [2, 16, 24, 32], filter: [2, 2, 32, 3], strides: 1, pad: 1 },
  { label: 'dx stem, 3 channels (built-in)', op: 'conv2d', compute: 'inputGradient', input: [1, 16, 20, 3], filter: [7, 7, 3, 8], strides: 2, pad: 3 },
  {
    label: 'deconv 3x3/2 (decoder)',
    op: 'conv2dTranspose',
    compute: 'output',
    input: [2, 8, 12, 16],
    filter: [3, 3, 8, 16],
    strides: 2,
    pad: 'valid',
    outputShape: [2, 17, 25, 8],
  },
  {
    label: 'deconv 3x3/2, 64->40',
    op: 'conv2dTranspose',
    compute: 'output',
    input: [1, 10, 12, 64],
    filter: [3, 3, 40, 64],
    strides: 2,
    pad: 'valid',
    outputShape: [1, 21, 25, 40],
  },
];

/** resnet18 LinkNet layers at 64x128, batch 2 (the head's deconvolution: inference, batch 1). */
const TIMED: GradCase[] = [
  { label: 'stem 7x7/2, 3->64, x 2x64x128', op: 'conv2d', input: [2, 64, 128, 3], filter: [7, 7, 3, 64], strides: 2, pad: 3 },
  { label: 'layer1 3x3/1, 64->64, x 2x16x32', op: 'conv2d', input: [2, 16, 32, 64], filter: [3, 3, 64, 64], strides: 1, pad: 1 },
  { label: 'final 2x2, 32->3, x 2x64x128', op: 'conv2d', input: [2, 64, 128, 32], filter: [2, 2, 32, 3], strides: 1, pad: 1 },
  { label: 'dx final 2x2, 32->3, x 2x64x128', op: 'conv2d', compute: 'inputGradient', input: [2, 64, 128, 32], filter: [2, 2, 32, 3], strides: 1, pad: 1 },
  { label: 'dx layer1 3x3/1, 64->64, x 2x16x32', op: 'conv2d', compute: 'inputGradient', input: [2, 16, 32, 64], filter: [3, 3, 64, 64], strides: 1, pad: 1 },
  {
    label: 'head deconv 3x3/2, 64->32, 1x32x64',
    op: 'conv2dTranspose',
    compute: 'output',
    input: [1, 32, 64, 64],
    filter: [3, 3, 32, 64],
    strides: 2,
    pad: 'valid',
    outputShape: [1, 65, 129, 32],
  },
];

const SOFTMAX_CASES: SoftmaxCase[] = [
  { label: 'softmax: LinkNet probabilities 2x32x48x3', shape: [2, 32, 48, 3], spread: 8 },
  { label: 'softmax: large logits 1x7x9x3', shape: [1, 7, 9, 3], spread: 80 },
  { label: 'softmax: one class 4x5x1', shape: [4, 5, 1], spread: 3 },
  { label: 'softmax: 32 classes 3x32', shape: [3, 32], spread: 5 },
  { label: 'softmax: 40 classes (built-in) 3x40', shape: [3, 40], spread: 5 },
];
const SOFTMAX_TIMED: SoftmaxCase = { label: 'softmax 1x64x128x3', shape: [1, 64, 128, 3], spread: 8 };

const REDUCE_CASES = [
  { label: 'mean [0,1,2]: batch-norm 2x16x32x64', shape: [2, 16, 32, 64], axis: [0, 1, 2], keepDims: true, mean: true },
  { label: 'sum [0,1,2]: loss 2x32x48x3', shape: [2, 32, 48, 3], axis: [0, 1, 2], keepDims: false, mean: false },
  { label: 'sum [0]: one slice 3x5x7', shape: [3, 5, 7], axis: [0], keepDims: false, mean: false },
  { label: 'mean [2] (built-in) 4x5x6', shape: [4, 5, 6], axis: [2], keepDims: false, mean: true },
];

const BROADCAST_CASES = [
  { label: 'mul by channels 2x16x32x64 * [64]', a: [2, 16, 32, 64], b: [64], op: 'mul' as const },
  { label: 'sub channels [1,1,5] - 3x4x5', a: [1, 1, 5], b: [3, 4, 5], op: 'sub' as const },
  { label: 'add 4x6 + [4,1] (built-in)', a: [4, 6], b: [4, 1], op: 'add' as const },
];

/** Training BatchNorm: sliced columns with vec4 passes; one-pass columns, one element per thread. */
const BATCH_NORM_SHAPES: Array<[number, number, number, number]> = [
  [2, 16, 32, 16],
  [1, 3, 5, 6],
];

/** Parameters of Adam's case: a conv filter, a bias, a 1x1 filter. */
const ADAM_SHAPES = [[3, 3, 16, 32], [32], [1, 1, 7, 3]];

const RELATIVE_TOLERANCE = 1e-5;

test('WebGPU filter and input gradients, transposed convolutions, softmax, leading-axis sums and means, per-channel broadcasts, the Adam update and training BatchNorm equal the CPU backend; timings against the built-in kernels', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-status', /ready|failed/, { timeout: 180_000 });
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');

  const report = await page.evaluate(
    async ({ cases, timed, other }) => {
      const url = '/src/testing/webgpuKernelParity.ts';
      const harness = (await import(/* @vite-ignore */ url)) as typeof import('../src/testing/webgpuKernelParity');
      return harness.runWebgpuKernelParity(cases, timed, 5, other);
    },
    {
      cases: CASES,
      timed: TIMED,
      other: {
        softmaxCases: SOFTMAX_CASES,
        softmaxTimed: SOFTMAX_TIMED,
        adamShapes: ADAM_SHAPES,
        reduceCases: REDUCE_CASES,
        broadcastCases: BROADCAST_CASES,
        batchNormShapes: BATCH_NORM_SHAPES,
      },
    },
  );
  const lines = [
    ...[...report.cases, ...report.softmax, ...(report.adam ? [report.adam] : []), ...report.reduce, ...report.broadcast, ...report.batchNorm].map(
      (c) =>
        `${c.label.padEnd(32)} ours ${c.relativeError.toExponential(2)}  built-in ${c.builtinRelativeError.toExponential(2)}  max|ref| ${c.maxAbsReference.toPrecision(3)}  leaked ${c.leakedTensors}`,
    ),
    ...[...report.timings, ...(report.softmaxTiming ? [report.softmaxTiming] : [])].map((t) => `${t.label.padEnd(32)} ours ${t.oursMs.toFixed(1)} ms  built-in ${t.builtinMs.toFixed(1)} ms  paired speed-up ${t.speedup.toFixed(2)}x`),
  ].join('\n');
  console.log(lines);
  await testInfo.attach('webgpu-kernels', { body: lines, contentType: 'text/plain' });
  const context = `\n${lines}\n${problems.join('\n')}`;

  expect(report.registeredAtStart, `selectBackend registers the studio's kernels${context}`).toBe(true);
  expect(report.backend).toBe('webgpu');
  expect(report.oursCompiled, `the studio's programs ran${context}`).toEqual([
    'studioAdamUpdate',
    'studioBatchNorm',
    'studioChannelBroadcast',
    'studioColumnSlices',
    'studioFilterGradColumns',
    'studioFilterGradTiled',
    'studioInputGradQuads',
    'studioSliceTotals',
    'studioSoftmaxRows',
    'studioSumSplits',
  ]);
  expect(report.builtinCompiled, `the built-in kernels ran for comparison${context}`).toEqual(['conv2DDerFilter', 'conv2DDerInput', 'softmax']);
  expect(report.cases).toHaveLength(CASES.length);
  expect(report.softmax).toHaveLength(SOFTMAX_CASES.length);
  expect(report.adam, `Adam's case ran${context}`).not.toBeNull();
  expect(report.reduce).toHaveLength(REDUCE_CASES.length);
  expect(report.broadcast).toHaveLength(BROADCAST_CASES.length);
  expect(report.batchNorm).toHaveLength(BATCH_NORM_SHAPES.length);
  for (const c of [...report.cases, ...report.softmax, report.adam!, ...report.reduce, ...report.broadcast, ...report.batchNorm] as WebgpuKernelReport['cases']) {
    expect(c.maxAbsReference, `${c.label}: reference is not all zero${context}`).toBeGreaterThan(0.09);
    expect(c.nonFinite, `${c.label}${context}`).toBe(0);
    expect(c.relativeError, `${c.label}: ours against the CPU backend${context}`).toBeLessThan(RELATIVE_TOLERANCE);
    expect(c.builtinRelativeError, `${c.label}: built-in against the CPU backend${context}`).toBeLessThan(RELATIVE_TOLERANCE);
    expect(c.leakedTensors, `${c.label}${context}`).toBe(0);
  }
  expect(report.timings).toHaveLength(TIMED.length);
  expect(problems, problems.join('\n')).toEqual([]);
});
