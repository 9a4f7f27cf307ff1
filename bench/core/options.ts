/** The benchmark's command-line options and the job lists they give. */
import { ENCODER_NAMES, inputSizeProblem, type EncoderName } from '../../src/model/config';
import type { BenchJob, Size } from './types';

export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu', 'ort-wasm', 'ort-webgpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];
/** SwiftShader compiles LinkNet's WebGPU/WebGL shaders for minutes on a small CPU: --quick leaves those backends out. */
export const QUICK_BROWSER_BACKENDS: readonly BrowserBackend[] = ['wasm', 'ort-wasm'];

/**
 * Engines in Node: tfjs wasm; tfjs webgpu through Dawn (the `webgpu` package: needs a Vulkan driver,
 * so never a default) with the studio's WebGPU kernels, or with TensorFlow.js's own
 * (webgpu-builtin, their "before"); tfjs cpu (tiny size only); ONNX Runtime for Node (native CPU).
 */
export const NODE_BACKENDS = ['wasm', 'webgpu', 'webgpu-builtin', 'cpu', 'ort'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

export interface BenchOptions {
  quick: boolean;
  encoders: EncoderName[];
  sizes: Size[];
  /** Sizes for the GPU engines (tfjs webgpu/webgl, ORT webgpu): SwiftShader needs minutes per LinkNet34 frame at 320x800. */
  gpuSizes: Size[];
  /** Sizes at which the slow engines (tfjs cpu) run: those no larger than this many pixels. */
  tinyPixels: number;
  runs: number;
  budgetMs: number;
  trainSizes: Size[];
  trainBatches: number[];
  /** Batch sizes of the inference jobs (frames per network run; default 1). */
  inferBatches: number[];
  /** Browser backends that also run training steps. */
  trainBrowser: BrowserBackend[];
  browserBackends: BrowserBackend[];
  /** Engines run in Node, in this order (default wasm, ort, and cpu unless --quick; none with --no-node). */
  nodeBackends: NodeBackend[];
  port: number;
  /** Limit for one browser job (ms); past it the page is closed and the backend's remaining jobs time out. */
  jobTimeoutMs: number;
  out: string | null;
  /** Browser tfjs backends also run the viewer's whole per-frame pipeline (end-to-end rows). */
  endToEnd: boolean;
  /** `--profile`: per-kernel profiles only (no timed rows). */
  profile: boolean;
  profileEncoder: EncoderName;
  profileSize: Size;
  /** Training-step batch of the profile. */
  profileBatch: number;
  /** Browser tfjs backends to profile ('none': Node only). */
  profileBrowser: BrowserBackend[];
  /** Kernels listed per profile (the rest summed in one line). */
  profileTop: number;
  /** --kernel-replay N (with --profile): on WebGPU, N alternating pairs per distinct call of the studio's kernels in a training step (0: off). */
  kernelReplayPairs: number;
  /** A module (path from the repository root) whose setup() runs before profiling, e.g. to register other kernels. */
  profileSetup: string | null;
  /** Query string for the bench page (the studio's backend selection reads the page URL). */
  pageQuery: string | null;
}

const USAGE = `usage: npm run bench -- [--quick] [--encoders resnet34,resnet18] [--sizes 320x800,160x416,64x128]
       [--gpu-sizes SIZES] [--runs 5] [--budget 60] [--infer-batches 1] [--train-sizes 64x128] [--train-batches 1,4,8] [--train-browser wasm]
       [--browser ${BROWSER_BACKENDS.join(',')}|none] [--node-backends ${NODE_BACKENDS.join(',')}|none] [--no-node] [--no-end-to-end] [--page-query a=b] [--port N] [--job-timeout 900] [--out file.json]
       npm run bench -- --profile [--profile-encoder resnet18] [--profile-size 64x128] [--profile-batch 2]
       [--profile-browser webgpu,wasm|none] [--profile-top 15] [--profile-setup path/to/module.ts] [--kernel-replay 3] [--no-node]
--quick: resnet18 at 64x128, 2 timed runs, training batch 1, no tfjs cpu in Node, browser wasm and ORT wasm only
(${QUICK_BROWSER_BACKENDS.join(', ')}): about 1-2 min on 2 cores.
--node-backends: webgpu is TensorFlow.js's WebGPU backend in Node through Dawn with the studio's kernels (webgpu-builtin:
with TensorFlow.js's own); it needs a Vulkan driver (a GPU's, or SwiftShader's with
VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json) and runs at --gpu-sizes.
--profile: instead of timed rows, tf.profile of one warm inference and one warm training step per backend
(Node wasm and the --profile-browser backends): top kernels by total time.`;

function parseSizes(text: string): Size[] {
  return text.split(',').filter(Boolean).map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m) throw new Error(`size "${s}" is not HEIGHTxWIDTH`);
    const size = { height: Number(m[1]), width: Number(m[2]) };
    const problem = inputSizeProblem(size.height, size.width);
    if (problem) throw new Error(problem);
    return size;
  });
}

export function parseOptions(argv: string[]): BenchOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const withValue = ['encoders', 'sizes', 'gpu-sizes', 'runs', 'budget', 'train-sizes', 'train-batches', 'infer-batches', 'train-browser', 'browser', 'port', 'job-timeout', 'out',
    'profile-encoder', 'profile-size', 'profile-batch', 'profile-browser', 'profile-top', 'profile-setup', 'page-query', 'kernel-replay', 'node-backends'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (a === '--quick' || a === '--no-node' || a === '--no-end-to-end' || a === '--profile') flags.add(a.slice(2));
    else if (a.startsWith('--') && withValue.includes(a.slice(2))) {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value\n${USAGE}`);
      values.set(a.slice(2), argv[++i]);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  const quick = flags.has('quick');
  const profile = flags.has('profile');
  const list = (name: string, fallback: string) => (values.get(name) ?? fallback).split(',').map((v) => v.trim()).filter(Boolean);
  const count = (name: string, fallback: number, min: number) => {
    const n = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  const encoders = list('encoders', quick ? 'resnet18' : 'resnet34,resnet18');
  for (const e of encoders) if (!ENCODER_NAMES.includes(e as EncoderName)) throw new Error(`unknown encoder "${e}"`);
  const browserList = (name: string, fallback: string) => {
    const names = list(name, fallback).filter((b) => b !== 'none');
    for (const b of names) if (!BROWSER_BACKENDS.includes(b as BrowserBackend)) throw new Error(`unknown browser backend "${b}" (one of ${BROWSER_BACKENDS.join(', ')})`);
    return names as BrowserBackend[];
  };
  const batches = (name: string, fallback: string) => list(name, fallback).map((b) => {
    const n = Number(b);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: "${b}" is not a batch size`);
    return n;
  });
  const nodeBackends = flags.has('no-node') ? [] : list('node-backends', quick ? 'wasm,ort' : 'wasm,ort,cpu').filter((b) => b !== 'none');
  for (const b of nodeBackends) if (!NODE_BACKENDS.includes(b as NodeBackend)) throw new Error(`unknown Node backend "${b}" (one of ${NODE_BACKENDS.join(', ')})`);
  const profileEncoder = values.get('profile-encoder') ?? 'resnet18';
  if (!ENCODER_NAMES.includes(profileEncoder as EncoderName)) throw new Error(`unknown encoder "${profileEncoder}"`);
  const profileBrowser = browserList('profile-browser', 'webgpu,wasm');
  for (const b of profileBrowser) if (b.startsWith('ort-')) throw new Error(`--profile-browser: ${b} is not a TensorFlow.js backend`);
  return {
    quick,
    encoders: encoders as EncoderName[],
    sizes: parseSizes(values.get('sizes') ?? (quick ? '64x128' : '320x800,160x416,64x128')),
    gpuSizes: parseSizes(values.get('gpu-sizes') ?? values.get('sizes') ?? (quick ? '64x128' : '320x800,160x416,64x128')),
    tinyPixels: 64 * 128,
    runs: count('runs', quick ? 2 : 5, 1),
    budgetMs: count('budget', quick ? 10 : 60, 1) * 1000,
    trainSizes: parseSizes(values.get('train-sizes') ?? '64x128'),
    trainBatches: batches('train-batches', quick ? '1' : '1,4,8'),
    inferBatches: batches('infer-batches', '1'),
    trainBrowser: browserList('train-browser', 'wasm'),
    browserBackends: browserList('browser', quick ? QUICK_BROWSER_BACKENDS.join(',') : BROWSER_BACKENDS.join(',')),
    nodeBackends: nodeBackends as NodeBackend[],
    port: count('port', Number(process.env.BENCH_PORT ?? process.env.E2E_PORT ?? 5199), 1),
    jobTimeoutMs: count('job-timeout', quick ? 120 : profile ? 480 : 900, 1) * 1000,
    out: values.get('out') ?? null,
    endToEnd: !flags.has('no-end-to-end'),
    profile,
    profileEncoder: profileEncoder as EncoderName,
    profileSize: parseSizes(values.get('profile-size') ?? '64x128')[0] ?? { height: 64, width: 128 },
    profileBatch: count('profile-batch', 2, 1),
    profileBrowser: profileBrowser as BrowserBackend[],
    profileTop: count('profile-top', 15, 1),
    kernelReplayPairs: count('kernel-replay', 0, 0),
    profileSetup: values.get('profile-setup') ?? null,
    pageQuery: values.get('page-query') ?? null,
  };
}

/**
 * Inference jobs for every encoder and size (smallest first, so a slow backend that times out has
 * its small results), each size's end-to-end job after its inference jobs (`endToEnd`), then
 * training jobs. `gpu`: use the GPU size list.
 */
export function jobsFor(opts: BenchOptions, engines: BenchJob['engine'][], { tinyOnly = false, training = false, gpu = false, endToEnd = false } = {}): BenchJob[] {
  const jobs: BenchJob[] = [];
  const base = { runs: opts.runs, budgetMs: opts.budgetMs };
  const sizes = [...(gpu ? opts.gpuSizes : opts.sizes)].sort((a, b) => a.height * a.width - b.height * b.width);
  for (const size of sizes) {
    for (const encoder of opts.encoders) {
      if (tinyOnly && size.height * size.width > opts.tinyPixels) continue;
      for (const batch of opts.inferBatches) {
        for (const engine of engines) jobs.push({ ...base, task: 'inference', engine, encoder, ...size, batch });
      }
      // A frame's stages vary more than the network alone (several readbacks, canvas work): at least 5 frames, within the budget.
      if (endToEnd) jobs.push({ ...base, runs: Math.max(opts.runs, 5), task: 'end-to-end', engine: 'tfjs', encoder, ...size, batch: 1 });
    }
  }
  if (training) {
    for (const encoder of opts.encoders) {
      for (const size of opts.trainSizes) {
        for (const batch of opts.trainBatches) jobs.push({ ...base, runs: Math.min(opts.runs, 3), task: 'training', engine: 'tfjs', encoder, ...size, batch });
      }
    }
  }
  return jobs;
}

