/**
 * `npm run bench [-- --quick]`: LinkNet inference (and training steps) side by side with its peers.
 *
 * Node: TensorFlow.js wasm (predict and the folded/fused path), TensorFlow.js cpu (tiny size only) and
 * ONNX Runtime for Node (native CPU) on the ONNX export of the same seeded model. Headless Chromium
 * (Playwright, pages served by the Vite dev server): each TensorFlow.js backend that initialises
 * (webgpu, webgl, wasm; cpu at the tiny size only) and ONNX Runtime Web (wasm, webgpu). Writes
 * bench/results/<date>-<machine>.json and .md and prints the markdown table. See bench/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { useWasmBackendInNode, wasmBackendInfo } from '../src/backend/wasmTraining/nodeWasm';
import { useWebgpuBackendInNode } from '../src/backend/webgpuInNode';
import { jobsFor, parseOptions, type BenchOptions, type NodeBackend } from './core/options';
import { emptyRow, runOrtJob, runTfjsJob } from './core/measure';
import { runNodeFrameJob } from './core/nodeFrame';
import type { ReplayReport } from './core/kernelReplay';
import type { ProfileJob, ProfileRow } from './core/profile';
import { profileTfjs } from './core/profileRun';
import { markdownTable } from './core/table';
import type { BenchJob, BenchReport, BenchRow, Environment } from './core/types';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function logRow(r: BenchRow): void {
  const what = `${r.platform} ${r.label} ${r.encoder} ${r.height}x${r.width} b${r.batch}`;
  if (r.status !== 'ok') console.log(`  ${what}: ${r.status} ${r.reason ?? ''}`);
  else console.log(`  ${what}: warm-up ${r.warmupMs?.toFixed(0)} ms, median ${r.medianMs?.toFixed(1)} ms (${r.runsMs.length} runs), ${r.imagesPerSecond?.toFixed(2)} img/s`);
}

type NodeTfjsBackend = Exclude<NodeBackend, 'ort'>;

/** Initialises a TensorFlow.js backend in Node; returns the label suffix and thread count of its rows. */
async function nodeTfjsBackend(backend: NodeTfjsBackend, env: Environment): Promise<{ suffix: string; threads: number | null }> {
  if (backend === 'wasm') {
    await useWasmBackendInNode();
    const wasm = await wasmBackendInfo();
    return { suffix: wasm.simd ? ', SIMD' : '', threads: wasm.threads };
  }
  if (backend === 'webgpu' || backend === 'webgpu-builtin') {
    const gpu = await useWebgpuBackendInNode({ kernels: backend === 'webgpu' ? 'studio' : 'builtin' });
    env.nodeWebgpuAdapter = `${gpu.adapter} (${gpu.vendor || 'unknown vendor'}${gpu.architecture ? `, ${gpu.architecture}` : ''}), Dawn`;
    return { suffix: backend === 'webgpu' ? ', Dawn' : ', Dawn, TF.js kernels', threads: null };
  }
  await tf.setBackend('cpu');
  return { suffix: '', threads: null };
}

function unavailableRows(jobs: BenchJob[], backend: string, label: string, e: unknown): BenchRow[] {
  const reason = `did not initialise: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  return jobs.map((job) => ({ ...emptyRow(job, 'node', backend, label), status: 'unavailable' as const, reason }));
}

async function runNode(opts: BenchOptions, rows: BenchRow[], env: Environment): Promise<void> {
  tf.enableProdMode();
  const push = (row: BenchRow) => {
    rows.push(row);
    logRow(row);
  };
  for (const backend of opts.nodeBackends) {
    console.log(`--- Node ${backend}`);
    if (backend === 'ort') {
      const jobs = jobsFor(opts, ['ort']);
      let ort: Parameters<typeof runOrtJob>[2]['ort'];
      try {
        ort = (await import('onnxruntime-node')) as unknown as typeof ort;
      } catch (e) {
        unavailableRows(jobs, 'cpu', 'onnxruntime-node cpu', e).forEach(push);
        continue;
      }
      const threads = os.cpus().length;
      for (const job of jobs) push(await runOrtJob(job, 'node', { ort, provider: 'cpu', threads }, 'onnxruntime-node'));
      continue;
    }
    const jobs =
      backend === 'cpu'
        ? jobsFor(opts, ['tfjs', 'tfjs-folded'], { tinyOnly: true })
        : backend === 'wasm'
          ? jobsFor(opts, ['tfjs', 'tfjs-folded'], { training: true })
          : jobsFor(opts, ['tfjs', 'tfjs-folded'], { training: true, gpu: true, endToEnd: opts.endToEnd });
    let setup: { suffix: string; threads: number | null };
    try {
      setup = await nodeTfjsBackend(backend, env);
    } catch (e) {
      unavailableRows(jobs, backend, `tfjs ${backend}`, e).forEach(push);
      continue;
    }
    for (const job of jobs) {
      // A macrotask turn between jobs: wasm and cpu jobs resolve every await as a microtask, so a
      // signal (a time limit's SIGTERM) is only handled here.
      await new Promise((resolve) => setImmediate(resolve));
      const row = job.task === 'end-to-end' ? await runNodeFrameJob(job) : await runTfjsJob(job, 'node', setup.threads);
      row.label += setup.suffix;
      // Both WebGPU variants run on backend 'webgpu': keep them apart for the table's pairings.
      row.backend = backend === 'webgpu-builtin' ? backend : row.backend;
      push(row);
    }
  }
}

function logProfile(p: ProfileRow): void {
  const what = `${p.platform} ${p.backend} ${p.task} ${p.encoder} ${p.height}x${p.width} b${p.batch}`;
  if (p.status !== 'ok' || !p.summary) return console.log(`  ${what}: ${p.status} ${p.reason ?? ''}`);
  const top = p.summary.top.slice(0, 3).map((k) => `${k.name} ${(k.share * 100).toFixed(0)}%`).join(', ');
  console.log(`  ${what}: ${p.summary.calls} kernel calls, ${p.summary.totalMs.toFixed(0)} ms of kernels in ${p.wallMs?.toFixed(0)} ms; ${top}`);
}

/** Node's part of --profile: tfjs wasm (with the studio's training kernels), after the optional setup module. */
async function profileNode(job: ProfileJob): Promise<ProfileRow[]> {
  console.log('--- Node profile');
  tf.enableProdMode();
  await useWasmBackendInNode();
  if (job.setup) {
    const mod = (await import(pathToFileURL(join(ROOT, job.setup)).href)) as { setup?: (b: string) => unknown; default?: (b: string) => unknown };
    const setup = mod.setup ?? mod.default;
    if (typeof setup !== 'function') throw new Error(`${job.setup}: exports no setup() or default function`);
    await setup(tf.getBackend());
  }
  const rows = await profileTfjs(job, 'node');
  rows.forEach(logProfile);
  return rows;
}

function machineName(): string {
  const cpus = os.cpus();
  return `${os.hostname()}-${cpus.length}cpu`;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const cpus = os.cpus();
  const env: Environment = {
    date: new Date().toISOString(),
    machine: machineName(),
    cpus: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    browser: null,
    webgpuAdapter: null,
    webglRenderer: null,
    nodeWebgpuAdapter: null,
    loadAverage: os.loadavg(),
    notes: [],
  };
  const rows: BenchRow[] = [];
  const profiles: ProfileRow[] = [];
  const replays: ReplayReport[] = [];
  // Stopped from outside (a time limit's SIGTERM, Ctrl-C): the rows so far are still written.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      env.notes.push(`Stopped by ${signal} after ${rows.length} rows: the rows that had not finished are missing.`);
      writeReport(opts, env, rows, profiles, replays, started);
      process.exit(124);
    });
  }
  if (opts.profile) {
    const job: ProfileJob = { encoder: opts.profileEncoder, ...opts.profileSize, batch: opts.profileBatch, topN: opts.profileTop, setup: opts.profileSetup, pageQuery: opts.pageQuery };
    if (opts.nodeBackends.length > 0) profiles.push(...(await profileNode({ ...job, pageQuery: null })));
    if (opts.profileBrowser.length > 0) {
      console.log('--- headless Chromium profile');
      const replay = opts.kernelReplayPairs > 0 ? { encoder: job.encoder, height: job.height, width: job.width, batch: job.batch, pairs: opts.kernelReplayPairs } : null;
      // Playwright and Vite only load when a browser runs (a machine with Node alone runs the Node engines).
      const { profileBrowser } = await import('./browser/drive');
      const browser = await profileBrowser(opts, ROOT, job, replay);
      browser.profiles.forEach(logProfile);
      profiles.push(...browser.profiles);
      replays.push(...browser.replays);
      env.browser = browser.browser;
      env.webgpuAdapter = browser.gpu?.webgpuAdapter ?? (browser.gpu?.webgpuReason ? `none (${browser.gpu.webgpuReason})` : null);
      env.webglRenderer = browser.gpu?.webglRenderer ?? null;
      env.notes.push(...browser.notes);
    }
  }
  if (opts.nodeBackends.length > 0 && !opts.profile) await runNode(opts, rows, env);
  if (opts.browserBackends.length > 0 && !opts.profile) {
    console.log('--- headless Chromium');
    const { runBrowser } = await import('./browser/drive');
    const browser = await runBrowser(opts, ROOT, (row) => {
      rows.push(row);
      logRow(row);
    });
    env.browser = browser.browser;
    env.webgpuAdapter = browser.gpu?.webgpuAdapter ?? (browser.gpu?.webgpuReason ? `none (${browser.gpu.webgpuReason})` : null);
    env.webglRenderer = browser.gpu?.webglRenderer ?? null;
    env.notes.push(...browser.notes);
  }
  writeReport(opts, env, rows, profiles, replays, started);
}

/** Writes the JSON and markdown report and prints the table. */
function writeReport(opts: BenchOptions, env: Environment, rows: BenchRow[], profiles: ProfileRow[], replays: ReplayReport[], started: number): void {
  if (/swiftshader/i.test(`${env.webgpuAdapter} ${env.webglRenderer} ${env.nodeWebgpuAdapter}`)) {
    env.notes.push('WebGPU and WebGL run on SwiftShader (a CPU rasteriser): no GPU in this machine; their numbers say nothing about a real GPU.');
  }
  env.notes.push('Every engine runs the same seeded LinkNet (same weights); ONNX Runtime runs the ONNX export of it (BatchNorm folded).');
  const report: BenchReport = { environment: env, options: { ...opts }, rows, wallSeconds: (performance.now() - started) / 1000 };
  if (opts.profile) report.profiles = profiles;
  if (replays.length) report.replays = replays;
  const day = env.date.slice(0, 10);
  const suffix = opts.profile ? '-profile' : opts.quick ? '-quick' : '';
  const out = opts.out ?? join(ROOT, 'bench/results', `${day}-${env.machine}${suffix}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const table = markdownTable(report);
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(out.replace(/\.json$/, '') + '.md', table + '\n');
  console.log('\n' + table);
  console.log(`\nwrote ${relative(process.cwd(), out)} and .md`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
