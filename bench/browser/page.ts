/**
 * The benchmark's in-page side, loaded by bench/run.ts into bench/browser/bench.html through the
 * Vite dev server (`await import('/bench/browser/page.ts')`). One page per backend: set it up,
 * then run jobs one page.evaluate at a time.
 */
import * as tf from '@tensorflow/tfjs';
import { probeAll } from '../../src/backend/probes';
import { selectBackend, type BackendName } from '../../src/backend/selectBackend';
import { wasmThreads } from '../../src/backend/wasmSetup';
import type { ProfileJob, ProfileRow } from '../core/profile';
import { recordKernelCalls, replayPaired, replayTotals, type ReplayJob, type ReplayReport } from '../core/kernelReplay';
import { benchInput, MODEL_SEED, oneHotTargets, runOrtJob, runTfjsJob, type OrtLike, type OrtTarget } from '../core/measure';
import { registerWebgpuKernels, unregisterWebgpuKernels, WEBGPU_KERNEL_NAMES } from '../../src/backend/webgpuKernels';
import { defaultLossConfig } from '../../src/loss/fbetaLoss';
import { defaultModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { Trainer } from '../../src/training/trainStep';
import { profileTfjs } from '../core/profileRun';
import type { BenchJob, BenchRow } from '../core/types';
import { runEndToEndJob } from './endToEnd';

export interface PageSetup {
  ok: boolean;
  reason?: string;
  threads: number | null;
}

export interface GpuDescription {
  webgpuAdapter: string | null;
  webgpuReason: string | null;
  webglRenderer: string | null;
  userAgent: string;
  crossOriginIsolated: boolean;
}

export async function describeGpu(): Promise<GpuDescription> {
  const probes = await probeAll(20_000);
  return {
    webgpuAdapter: probes.webgpu.available ? probes.webgpu.adapter : null,
    webgpuReason: probes.webgpu.available ? null : probes.webgpu.reason,
    webglRenderer: probes.webgl.available ? `${probes.webgl.adapter ?? 'unknown'} (WebGL ${probes.webglVersion ?? '?'})` : null,
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
  };
}

let tfjsThreads: number | null = null;

export async function setupTfjs(name: BackendName): Promise<PageSetup> {
  try {
    const info = await selectBackend({ forced: { name, source: 'benchmark' }, purpose: 'inference', timeoutMs: 90_000 });
    if (tf.getBackend() !== name) {
      return { ok: false, reason: `did not initialise (${info.reasons.join('; ') || `got ${tf.getBackend()}`})`, threads: null };
    }
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e), threads: null };
  }
  tfjsThreads = name === 'wasm' ? wasmThreads() : null;
  return { ok: true, threads: tfjsThreads };
}

export function runTfjs(job: BenchJob): Promise<BenchRow> {
  if (job.task === 'end-to-end') return runEndToEndJob(job, tfjsThreads);
  return runTfjsJob(job, 'browser', tfjsThreads);
}

/**
 * Per-kernel profile of one warm inference and training step on the page's backend. `job.setup`:
 * a module of this checkout (path from the repository root) whose `setup()` (or default export)
 * runs first, e.g. to register other kernels.
 */
export async function profileTfjsPage(job: ProfileJob): Promise<ProfileRow[]> {
  if (job.setup) {
    const mod = (await import(/* @vite-ignore */ `/${job.setup.replace(/^\.?\//, '')}`)) as { setup?: (backend: string) => unknown; default?: (backend: string) => unknown };
    const setup = mod.setup ?? mod.default;
    if (typeof setup !== 'function') throw new Error(`${job.setup}: exports no setup() or default function`);
    await setup(tf.getBackend());
  }
  return profileTfjs(job, 'browser');
}

/** `--kernel-replay`: the studio's WebGPU kernels against TensorFlow.js's own on one training step's calls (see kernelReplay.ts). */
export async function replayWebgpuKernelsPage(job: ReplayJob): Promise<ReplayReport> {
  if (tf.getBackend() !== 'webgpu') return { job, rows: [], totalOursMs: 0, totalBuiltinMs: 0, status: 'unavailable', reason: `the page runs ${tf.getBackend()}` };
  registerWebgpuKernels();
  const config = defaultModelConfig({ encoder: job.encoder });
  const model = LinkNetModel.create(config, MODEL_SEED);
  const classes = config.classes.length;
  const x = tf.tensor4d(benchInput(job.batch * job.height * job.width * 3), [job.batch, job.height, job.width, 3]);
  const t = tf.tensor4d(oneHotTargets(job.batch, job.height, job.width, classes), [job.batch, job.height, job.width, classes]);
  const trainer = new Trainer(model, defaultLossConfig());
  let calls;
  try {
    const step = async () => {
      await trainer.step(x, t);
    };
    await step();
    calls = await recordKernelCalls(WEBGPU_KERNEL_NAMES, step);
  } finally {
    trainer.dispose();
    model.dispose();
    tf.dispose([x, t]);
  }
  const rows = await replayPaired(calls, job.pairs, (ours) => {
    if (ours) registerWebgpuKernels();
    else unregisterWebgpuKernels();
  });
  return { job, rows, ...replayTotals(rows), status: 'ok' };
}

let ortTarget: OrtTarget | null = null;

/** ONNX Runtime Web with the given execution provider; its .wasm files come from node_modules via the dev server. */
export async function setupOrt(provider: 'wasm' | 'webgpu'): Promise<PageSetup> {
  try {
    // TensorFlow.js only builds the seeded model and exports it here: the plain cpu backend will do.
    if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the TensorFlow.js cpu backend (used to build the model) did not start', threads: null };
    // The package's self-contained ES module, served as is (not through Vite's dependency optimiser,
    // whose re-optimisation mid-run breaks dynamic imports with "Failed to fetch dynamically imported module").
    const url = '/node_modules/onnxruntime-web/dist/ort.bundle.min.mjs';
    const ort = (await import(/* @vite-ignore */ url)) as typeof import('onnxruntime-web');
    ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
    const threads = globalThis.crossOriginIsolated ? navigator.hardwareConcurrency : 1;
    ort.env.wasm.numThreads = threads;
    if (provider === 'webgpu' && !(navigator as { gpu?: unknown }).gpu) return { ok: false, reason: 'navigator.gpu is missing', threads: null };
    ortTarget = { ort: ort as unknown as OrtLike, provider, threads: provider === 'wasm' ? threads : null };
    return { ok: true, threads: ortTarget.threads };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e), threads: null };
  }
}

export function runOrt(job: BenchJob): Promise<BenchRow> {
  if (!ortTarget) throw new Error('setupOrt first');
  return runOrtJob(job, 'browser', ortTarget, 'onnxruntime-web');
}
