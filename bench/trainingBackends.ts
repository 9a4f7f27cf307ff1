/**
 * Training throughput of LinkNet per TensorFlow.js backend, side by side, for a matrix of encoders x sizes.
 * Uses the real model (src/model/linkNetModel.ts) and train step (src/training/trainStep.ts: training-mode
 * forward, soft F-beta loss, gradients, Adam, BatchNorm running statistics).
 *
 *   npm run bench:training [-- --quick]
 *   npm run bench:training -- --encoders resnet34,resnet18 --sizes 128x160,64x160 --batch 2 --steps 3
 *                             --backends wasm,wasm-builtin,wasm-plain,cpu --cpu-steps 1 [--cpu-timeout 0]
 *                             [--seed 1] [--out file.json]
 *
 * Backends (see bench/README.md):
 *   wasm          wasm with the studio training kernels (src/backend/wasmTraining): Conv2DBackpropFilter,
 *                 Conv2DBackpropInput and MaxPoolGrad.
 *   wasm-builtin  wasm with its built-in Conv2DBackpropInput and MaxPoolGrad, plus the studio Conv2DBackpropFilter
 *                 (tfjs-backend-wasm 4.22 has none, and cannot train without it).
 *   wasm-plain    tfjs-backend-wasm 4.22 as shipped. Probed, not timed, while it lacks Conv2DBackpropFilter:
 *                 the row says "cannot train" with the engine's own error.
 *   cpu           the pure-JS CPU backend, in a child process so that --cpu-timeout can stop it (one step of
 *                 resnet18 at 64x160 takes minutes). No warm-up; --cpu-steps timed steps (default 1: "cold, 1 step").
 *                 A stopped row reports a lower bound (> limit) and the speed-ups become lower bounds too.
 *
 * wasm rows run one warm-up step, then --steps timed steps; the median is reported, in wall time and in this
 * process's CPU time (user + system; less sensitive to a shared machine). Every backend gets the same
 * seeded model initialisation and the same inputs; everything is disposed between runs and the tensor count is
 * checked. Prints a markdown table and writes JSON to bench/results/<YYYY-MM-DD>-<hostname>-training.json.
 */
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isWasmTrainingKernelRegistered,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNEL_NAMES,
} from '../src/backend/wasmTraining';
import { useWasmBackendInNode, wasmBackendInfo } from '../src/backend/wasmTraining/nodeWasm';
import { defaultLossConfig } from '../src/loss/fbetaLoss';
import { defaultModelConfig, ENCODER_NAMES, inputSizeProblem, type EncoderName } from '../src/model/config';
import { LinkNetModel } from '../src/model/linkNetModel';
import { Trainer } from '../src/training/trainStep';

// ---------------------------------------------------------------------------------------------------------------
// Options

const BACKENDS = ['wasm', 'wasm-builtin', 'wasm-plain', 'cpu'] as const;
type BackendId = (typeof BACKENDS)[number];

interface Options {
  encoders: EncoderName[];
  sizes: Array<{ height: number; width: number }>;
  batch: number;
  steps: number;
  cpuSteps: number;
  /** Seconds after which a cpu row is stopped (0: no limit). */
  cpuTimeout: number;
  backends: BackendId[];
  seed: number;
  quick: boolean;
  out: string | null;
}

const USAGE = `usage: npm run bench:training -- [--quick] [--encoders resnet34,resnet18] [--sizes 128x160,64x160]
       [--batch 2] [--steps 3] [--cpu-steps 1] [--cpu-timeout 0] [--backends ${BACKENDS.join(',')}] [--seed 1]
       [--out file.json]
--quick: resnet18 at 64x160 only, 1 timed step, cpu stopped after 120 s (explicit options still override).
--cpu-timeout: seconds before a cpu row is stopped and reported as a lower bound (0: no limit).`;

function parseOptions(argv: string[]): Options {
  const values = new Map<string, string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('--') && ['encoders', 'sizes', 'batch', 'steps', 'cpu-steps', 'cpu-timeout', 'backends', 'seed', 'out'].includes(a.slice(2))) {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value\n${USAGE}`);
      values.set(a.slice(2), argv[++i]);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  const list = (s: string) => s.split(',').map((v) => v.trim()).filter(Boolean);
  const count = (name: string, fallback: number, min: number) => {
    const raw = values.get(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min} (got "${raw}")`);
    return n;
  };

  const encoders = list(values.get('encoders') ?? (quick ? 'resnet18' : 'resnet34,resnet18'));
  for (const e of encoders) {
    if (!ENCODER_NAMES.includes(e as EncoderName)) throw new Error(`unknown encoder "${e}" (one of ${ENCODER_NAMES.join(', ')})`);
  }
  const sizes = list(values.get('sizes') ?? (quick ? '64x160' : '128x160,64x160')).map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s);
    if (!m) throw new Error(`size "${s}" is not HEIGHTxWIDTH`);
    const [height, width] = [Number(m[1]), Number(m[2])];
    const problem = inputSizeProblem(height, width);
    if (problem) throw new Error(problem);
    return { height, width };
  });
  const backends = list(values.get('backends') ?? BACKENDS.join(','));
  for (const b of backends) {
    if (!BACKENDS.includes(b as BackendId)) throw new Error(`unknown backend "${b}" (one of ${BACKENDS.join(', ')})`);
  }
  if (encoders.length === 0 || sizes.length === 0 || backends.length === 0) throw new Error(`empty --encoders, --sizes or --backends\n${USAGE}`);
  return {
    encoders: encoders as EncoderName[],
    sizes,
    batch: count('batch', 2, 1),
    steps: count('steps', quick ? 1 : 3, 1),
    cpuSteps: count('cpu-steps', 1, 1),
    cpuTimeout: count('cpu-timeout', quick ? 120 : 0, 0),
    backends: backends as BackendId[],
    seed: count('seed', 1, 0),
    quick,
    out: values.get('out') ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs and measurement

interface InputData {
  shape: [number, number, number, number];
  x: Float32Array;
  t: Float32Array;
}

/** Deterministic inputs (uniform [0,1) image, random one-hot targets over 3 classes), shared by every backend. */
function makeInputs(batch: number, height: number, width: number): InputData {
  let s = 12345;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const n = batch * height * width;
  const x = Float32Array.from({ length: n * 3 }, rnd);
  const t = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) t[p * 3 + Math.floor(rnd() * 3)] = 1;
  return { shape: [batch, height, width, 3], x, t };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const load1 = () => Number(os.loadavg()[0].toFixed(2));

interface RunResult {
  encoder: EncoderName;
  height: number;
  width: number;
  batch: number;
  backend: BackendId;
  /** What ran, exactly (backend and which gradient kernels are the studio's). */
  label: string;
  /** wasm: the studio training kernels registered for this run. */
  studioKernels: string[];
  /** stopped: a cpu row ran past --cpu-timeout (stepMs holds the steps it finished, if any). */
  status: 'ok' | 'cannot train' | 'stopped' | 'error';
  /** Why not, when status is not ok. */
  reason?: string;
  warmupSteps: number;
  warmupMs: number[];
  /** Timed steps: wall time and this process's CPU time (user + system), ms. */
  stepMs: number[];
  stepCpuMs: number[];
  medianMs: number | null;
  medianCpuMs: number | null;
  /** Stopped with no finished step: the step took longer than this (ms, wall). */
  lowerBoundMs: number | null;
  imagesPerSecond: number | null;
  /** CPU-backend ms/step divided by this row's (same encoder and size), wall and CPU time; null without a cpu row. */
  speedupOverCpu: number | null;
  speedupOverCpuCpuTime: number | null;
  /** True when the speed-up is a lower bound (the cpu row was stopped). */
  speedupIsLowerBound: boolean;
  /** Loss reported by the first step (warm-up or cold): equal init and inputs give (nearly) equal values. */
  firstLoss: number | null;
  lastLoss: number | null;
  tensorsBefore: number;
  /** After the first step (model, Adam state and inputs alive) and after the last: growth means a per-step leak. */
  tensorsAfterFirstStep: number | null;
  tensorsAfterLastStep: number | null;
  /** After disposing model, optimiser and inputs: should equal tensorsBefore (null: unknown, the row was stopped). */
  tensorsAfter: number | null;
  wasmThreads: number | null;
  wasmSimd: boolean | null;
  /** 'child': ran in a child process (cpu rows). */
  process: 'main' | 'child';
  loadAvg1Start: number;
  loadAvg1End: number;
  wallMs: number;
}

function emptyResult(backend: BackendId, encoder: EncoderName, shape: InputData['shape'], label: string): RunResult {
  return {
    encoder,
    height: shape[1],
    width: shape[2],
    batch: shape[0],
    backend,
    label,
    studioKernels: [],
    status: 'ok',
    warmupSteps: backend === 'cpu' ? 0 : 1,
    warmupMs: [],
    stepMs: [],
    stepCpuMs: [],
    medianMs: null,
    medianCpuMs: null,
    lowerBoundMs: null,
    imagesPerSecond: null,
    speedupOverCpu: null,
    speedupOverCpuCpuTime: null,
    speedupIsLowerBound: false,
    firstLoss: null,
    lastLoss: null,
    tensorsBefore: tf.memory().numTensors,
    tensorsAfterFirstStep: null,
    tensorsAfterLastStep: null,
    tensorsAfter: null,
    wasmThreads: null,
    wasmSimd: null,
    process: 'main',
    loadAvg1Start: load1(),
    loadAvg1End: 0,
    wallMs: 0,
  };
}

const CPU_LABEL = 'cpu (pure JS)';

function studioKernelsNow(): string[] {
  return WASM_TRAINING_KERNEL_NAMES.filter((name) => isWasmTrainingKernelRegistered(name));
}

/** Puts the wasm kernel registry in the state a backend row needs; returns the row's label. */
function configureWasm(backend: Exclude<BackendId, 'cpu'>): string {
  unregisterWasmTrainingKernels(); // back to the built-ins
  if (backend === 'wasm') {
    registerWasmTrainingKernels();
    return `wasm + studio ${studioKernelsNow().join(', ')}`;
  }
  if (backend === 'wasm-builtin') {
    registerWasmTrainingKernels({ replaceBuiltins: false });
    const ours = studioKernelsNow();
    const builtins = WASM_TRAINING_KERNEL_NAMES.filter((n) => !ours.includes(n) && tf.getKernel(n, 'wasm'));
    return `wasm, built-in ${builtins.join('/')} + studio ${ours.join(', ')}`;
  }
  return 'wasm, tfjs-backend-wasm 4.22 kernels only';
}

/** Prefix of the lines a cpu child process reports on stdout. */
const STEP_LINE = '@@step ';
const RESULT_LINE = '@@result ';
const STEP_START_LINE = '@@start';

/**
 * Model init (seeded), warm-up and timed steps on the current backend; disposes everything and checks the
 * tensor count. `onStep` sees every step as it finishes (the cpu child reports them to the parent).
 */
async function timeTraining(
  r: RunResult,
  data: InputData,
  seed: number,
  timedSteps: number,
  onStep: (step: { index: number; warmup: boolean; ms: number; cpuMs: number; loss: number }) => void,
  onStepStart: () => void = () => {},
): Promise<void> {
  const model = LinkNetModel.create(defaultModelConfig({ encoder: r.encoder }), seed);
  const trainer = new Trainer(model, defaultLossConfig());
  const x = tf.tensor4d(data.x, data.shape);
  const t = tf.tensor4d(data.t, data.shape);
  try {
    for (let i = 0; i < r.warmupSteps + timedSteps; i++) {
      onStepStart();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const { loss } = await trainer.step(x, t);
      const ms = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (!Number.isFinite(loss) || !(loss > 0)) throw new Error(`loss ${loss} after step ${i + 1} (expected finite and > 0)`);
      if (i === 0) {
        r.firstLoss = loss;
        r.tensorsAfterFirstStep = tf.memory().numTensors;
      }
      r.lastLoss = loss;
      const warmup = i < r.warmupSteps;
      if (warmup) r.warmupMs.push(ms);
      else {
        r.stepMs.push(ms);
        r.stepCpuMs.push(cpuMs);
      }
      onStep({ index: i, warmup, ms, cpuMs, loss });
    }
    r.tensorsAfterLastStep = tf.memory().numTensors;
  } catch (e) {
    r.status = 'error';
    r.reason = (e as Error).message;
  } finally {
    trainer.dispose();
    model.dispose();
    tf.dispose([x, t]);
  }
  r.tensorsAfter = tf.memory().numTensors;
}

function logStep(s: { index: number; warmup: boolean; ms: number; cpuMs: number; loss: number }): void {
  console.log(`    step ${s.index + 1}${s.warmup ? ' (warm-up)' : ''}: ${s.ms.toFixed(0)} ms (CPU time ${s.cpuMs.toFixed(0)} ms), loss ${s.loss.toFixed(5)}`);
}

function finish(r: RunResult, started: number): RunResult {
  if (r.stepMs.length > 0) {
    r.medianMs = median(r.stepMs);
    r.medianCpuMs = median(r.stepCpuMs);
    r.imagesPerSecond = (r.batch * 1000) / r.medianMs;
  }
  r.loadAvg1End = load1();
  r.wallMs = performance.now() - started;
  return r;
}

/** A wasm row, in this process. */
async function runWasm(backend: Exclude<BackendId, 'cpu'>, encoder: EncoderName, data: InputData, opts: Options, wasm: { threads: number; simd: boolean }): Promise<RunResult> {
  const started = performance.now();
  // main() initialised wasm (paths, kernels); configureWasm() sets the kernels this row needs.
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  const r = emptyResult(backend, encoder, data.shape, configureWasm(backend));
  r.studioKernels = studioKernelsNow();
  r.wasmThreads = wasm.threads;
  r.wasmSimd = wasm.simd;
  // tfjs-backend-wasm 4.22 as shipped: probe the kernel every weight gradient needs (runKernel throws before
  // allocating anything) instead of leaking a half-built gradient tape. If a later version has it, time it.
  if (backend === 'wasm-plain' && !tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    r.status = 'cannot train';
    r.warmupSteps = 0;
    try {
      tf.engine().runKernel('Conv2DBackpropFilter', {}, {});
      r.reason = 'Conv2DBackpropFilter is missing (the probe unexpectedly ran)';
    } catch (e) {
      r.reason = `no Conv2DBackpropFilter: "${(e as Error).message}"`;
    }
    r.tensorsAfter = tf.memory().numTensors;
  } else {
    await timeTraining(r, data, opts.seed, opts.steps, logStep);
  }
  return finish(r, started);
}

interface ChildJob {
  encoder: EncoderName;
  height: number;
  width: number;
  batch: number;
  seed: number;
  steps: number;
}

/** The cpu child process: runs one cpu row and reports steps and the result on stdout. */
async function cpuChild(job: ChildJob): Promise<void> {
  const started = performance.now();
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  const data = makeInputs(job.batch, job.height, job.width);
  const r = emptyResult('cpu', job.encoder, data.shape, CPU_LABEL);
  r.process = 'child';
  await timeTraining(r, data, job.seed, job.steps, (s) => console.log(STEP_LINE + JSON.stringify(s)), () => console.log(STEP_START_LINE));
  console.log(RESULT_LINE + JSON.stringify(finish(r, started)));
}

/** A cpu row in a child process (same inputs and seed), stopped after opts.cpuTimeout seconds if set. */
function runCpu(encoder: EncoderName, data: InputData, opts: Options): Promise<RunResult> {
  const started = performance.now();
  const job: ChildJob = { encoder, height: data.shape[1], width: data.shape[2], batch: data.shape[0], seed: opts.seed, steps: opts.cpuSteps };
  // Same script, same tsx loader (process.execArgv), hidden --cpu-child mode.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], '--cpu-child', JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const partial = emptyResult('cpu', encoder, data.shape, CPU_LABEL);
  partial.process = 'child';
  partial.tensorsBefore = 0; // a fresh process
  let result: RunResult | null = null;
  let stderr = '';
  let buffer = '';
  /** When the running step began (the child says so), for the lower bound of a stopped step. */
  let stepStartedAt: number | null = null;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line === STEP_START_LINE) stepStartedAt = performance.now();
      else if (line.startsWith(STEP_LINE)) {
        stepStartedAt = null;
        const s = JSON.parse(line.slice(STEP_LINE.length)) as Parameters<typeof logStep>[0];
        if (s.index === 0) partial.firstLoss = s.loss;
        partial.lastLoss = s.loss;
        partial.stepMs.push(s.ms);
        partial.stepCpuMs.push(s.cpuMs);
        logStep(s);
      } else if (line.startsWith(RESULT_LINE)) result = JSON.parse(line.slice(RESULT_LINE.length)) as RunResult;
      // Other lines (tfjs's "install tfjs-node" banner) are dropped.
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => {
    let stopped = false;
    const timer = opts.cpuTimeout > 0
      ? setTimeout(() => {
          stopped = true;
          child.kill('SIGKILL'); // our own child, by its handle
        }, opts.cpuTimeout * 1000)
      : null;
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (result && !stopped) {
        resolve({ ...result, loadAvg1Start: partial.loadAvg1Start, wallMs: performance.now() - started });
        return;
      }
      const r = partial;
      if (stopped) {
        r.status = 'stopped';
        r.reason = `stopped by --cpu-timeout ${opts.cpuTimeout} s (child process, start-up included), ${r.stepMs.length} of ${opts.cpuSteps} step(s) done`;
        // The step that was running had taken this long (wall); start-up and model init are not counted.
        if (r.stepMs.length === 0 && stepStartedAt !== null) r.lowerBoundMs = performance.now() - stepStartedAt;
      } else {
        r.status = 'error';
        r.reason = `cpu child exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`;
      }
      resolve(finish(r, started));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/** Fills the speed-ups of one encoder x size group from its cpu row (lower bounds when that row was stopped). */
function addSpeedups(group: RunResult[]): void {
  const cpu = group.find((r) => r.backend === 'cpu');
  if (!cpu) return;
  const cpuMs = cpu.medianMs ?? cpu.lowerBoundMs;
  const cpuCpuMs = cpu.medianCpuMs ?? cpu.lowerBoundMs; // a stopped step used at most its wall time in CPU time
  if (cpuMs === null) return;
  for (const r of group) {
    if (r === cpu || r.medianMs === null) continue;
    r.speedupOverCpu = cpuMs / r.medianMs;
    r.speedupIsLowerBound = cpu.status === 'stopped';
    if (cpuCpuMs !== null && r.medianCpuMs) r.speedupOverCpuCpuTime = cpu.status === 'stopped' ? null : cpuCpuMs / r.medianCpuMs;
  }
}

function stepsText(r: RunResult, opts: Options): string {
  if (r.status === 'cannot train') return '—';
  if (r.backend === 'cpu') return opts.cpuSteps <= 1 ? 'cold, 1 step' : `${opts.cpuSteps} steps, no warm-up (1st cold)`;
  return `${r.warmupSteps} warm-up + ${r.stepMs.length} timed`;
}

function timingText(r: RunResult): string {
  if (r.status === 'cannot train') return `cannot train: ${r.reason}`;
  if (r.status === 'error') return `error: ${r.reason}`;
  if (r.medianMs === null) return r.lowerBoundMs !== null ? `> ${r.lowerBoundMs.toFixed(0)} (stopped)` : '—';
  return `${r.medianMs.toFixed(0)}${r.status === 'stopped' ? ' (stopped early)' : ''}`;
}

function speedupText(r: RunResult, hasCpu: boolean): string {
  if (r.backend === 'cpu') return r.medianMs === null && r.lowerBoundMs === null ? '—' : '1× (baseline)';
  if (r.speedupOverCpu === null) return hasCpu ? '—' : 'no cpu row';
  const gt = r.speedupIsLowerBound ? '> ' : '';
  const cpuTime = r.speedupOverCpuCpuTime === null ? '' : `, ${r.speedupOverCpuCpuTime.toFixed(0)}× CPU time`;
  return `${gt}${r.speedupOverCpu.toFixed(0)}×${cpuTime}`;
}

function markdownTable(results: RunResult[], opts: Options): string {
  const head = [
    'encoder',
    'size (HxW)',
    'batch',
    'backend',
    'steps',
    'ms/step (median)',
    'CPU ms/step',
    'images/s',
    'speed-up vs cpu',
    'loss (1st step)',
    'tensors before → after',
    'wasm threads / SIMD',
    'load 1m (start → end)',
  ];
  const rows = results.map((r) => {
    const hasCpu = results.some((c) => c.backend === 'cpu' && c.encoder === r.encoder && c.height === r.height && c.width === r.width);
    let tensors = r.tensorsAfter === null ? `${r.tensorsBefore} → ? (stopped)` : `${r.tensorsBefore} → ${r.tensorsAfter}`;
    if (r.tensorsAfter !== null && r.tensorsAfter !== r.tensorsBefore) tensors += ` (LEAK ${r.tensorsAfter - r.tensorsBefore})`;
    if (r.tensorsAfterFirstStep !== null && r.tensorsAfterLastStep !== null && r.tensorsAfterLastStep !== r.tensorsAfterFirstStep) {
      tensors += ` (grew ${r.tensorsAfterLastStep - r.tensorsAfterFirstStep} over the steps)`;
    }
    return [
      r.encoder,
      `${r.height}x${r.width}`,
      String(r.batch),
      r.label,
      stepsText(r, opts),
      timingText(r),
      r.medianCpuMs === null ? '—' : r.medianCpuMs.toFixed(0),
      r.imagesPerSecond === null ? (r.lowerBoundMs !== null ? `< ${((r.batch * 1000) / r.lowerBoundMs).toFixed(3)}` : '—') : r.imagesPerSecond.toFixed(r.imagesPerSecond < 0.1 ? 4 : 2),
      speedupText(r, hasCpu),
      r.firstLoss === null ? '—' : r.firstLoss.toFixed(5),
      tensors,
      r.wasmThreads === null ? '—' : `${r.wasmThreads} (Node) / ${r.wasmSimd ? 'SIMD' : 'no SIMD'}`,
      `${r.loadAvg1Start.toFixed(2)} → ${r.loadAvg1End.toFixed(2)}`,
    ];
  });
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--cpu-child');
  if (childAt >= 0) return cpuChild(JSON.parse(process.argv[childAt + 1]) as ChildJob);

  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const cpus = os.cpus();
  const machine = {
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    tfjs: tf.version.tfjs,
    loadAvgStart: os.loadavg().map((v) => Number(v.toFixed(2))),
    loadAvgEnd: [] as number[],
  };

  await useWasmBackendInNode();
  const info = await wasmBackendInfo();
  const wasm = { threads: info.threads, simd: info.simd };
  console.log(`LinkNet training throughput per backend (Adam, soft F-beta loss, batch ${opts.batch}, model seed ${opts.seed})`);
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, tfjs ${machine.tfjs}, load average ${machine.loadAvgStart.join(' ')} (1/5/15 min)`);
  console.log(`wasm: threads: ${wasm.threads} (Node: tfjs-backend-wasm runs single-threaded there), SIMD: ${wasm.simd ? 'yes' : 'no'}`);
  const cpuPlan = `${opts.cpuSteps === 1 ? 'cold, 1 step' : `${opts.cpuSteps} steps, no warm-up`}${opts.cpuTimeout ? `, stopped after ${opts.cpuTimeout} s` : ''}`;
  console.log(`matrix: ${opts.encoders.join(',')} x ${opts.sizes.map((s) => `${s.height}x${s.width}`).join(',')} x ${opts.backends.join(',')}; wasm: 1 warm-up + ${opts.steps} timed steps; cpu: ${cpuPlan}`);

  const results: RunResult[] = [];
  for (const encoder of opts.encoders) {
    for (const { height, width } of opts.sizes) {
      const data = makeInputs(opts.batch, height, width);
      const group: RunResult[] = [];
      for (const backend of opts.backends) {
        console.log(`  ${encoder} ${height}x${width} batch ${opts.batch}, ${backend}:`);
        const r = backend === 'cpu' ? await runCpu(encoder, data, opts) : await runWasm(backend, encoder, data, opts, wasm);
        if (r.status !== 'ok') console.log(`    ${r.status}: ${r.reason}`);
        if (r.medianMs !== null) console.log(`    median ${r.medianMs.toFixed(0)} ms/step, ${r.imagesPerSecond!.toFixed(3)} images/s, tensors ${r.tensorsBefore} → ${r.tensorsAfter ?? '?'}`);
        group.push(r);
      }
      addSpeedups(group);
      results.push(...group);
    }
  }
  // Leave the wasm registry as useWasmBackendInNode() sets it up.
  unregisterWasmTrainingKernels();
  registerWasmTrainingKernels();
  machine.loadAvgEnd = os.loadavg().map((v) => Number(v.toFixed(2)));

  console.log('');
  console.log(markdownTable(results, opts));
  console.log('');
  console.log(`wasm threads: ${wasm.threads} (Node), SIMD ${wasm.simd ? 'on' : 'off'}. Load average (1/5/15 min) start ${machine.loadAvgStart.join(' ')}, end ${machine.loadAvgEnd.join(' ')} on ${machine.cores} cores: the machine may be shared; CPU ms/step is less affected than ms/step.`);
  if (results.some((r) => r.backend === 'cpu') && opts.cpuSteps === 1) {
    console.log('cpu rows are one cold step (no warm-up), so the speed-ups compare warm wasm with cold cpu.');
  }
  if (results.some((r) => r.status === 'stopped')) console.log('A stopped cpu row gives lower bounds: "> N" ms/step and "> N×" speed-ups.');

  const here = dirname(fileURLToPath(import.meta.url));
  const out = opts.out ?? join(here, 'results', `${localDate(startedAt)}-${machine.hostname}-training.json`);
  mkdirSync(dirname(out), { recursive: true });
  const json = {
    benchmark: 'bench/trainingBackends.ts',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    wasm,
    options: { ...opts, sizes: opts.sizes.map((s) => `${s.height}x${s.width}`), out: undefined },
    notes: [
      'ms/step is wall time and includes the loss read-back (Trainer.step resolves after it); CPU ms/step is this process\'s user + system time.',
      'Every backend gets the same seeded model init and the same inputs per encoder x size.',
      'cpu rows run in a child process; no warm-up; with cpuSteps 1 the single step is cold.',
      'The machine may be shared: see the load averages.',
    ],
    results,
  };
  writeFileSync(out, JSON.stringify(json, null, 2) + '\n');
  console.log(`JSON: ${relative(process.cwd(), out) || out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
