/** What the benchmark measures (jobs) and what it reports (rows); shared by Node and the browser page. */
import type { EncoderName } from '../../src/model/config';
import type { StageTimings } from '../../src/viewer/timings';
import type { ReplayReport } from './kernelReplay';
import type { KernelTotal, ProfileRow } from './profile';

/** tfjs: LinkNetModel.predict; tfjs-folded: FoldedLinkNet (BatchNorm folded, fused conv+bias+ReLU); ort: the ONNX export in ONNX Runtime. */
export type Engine = 'tfjs' | 'tfjs-folded' | 'ort';
/** end-to-end: the viewer's per-frame work (decode, network, GPU post-processing, overlay drawn); browser only. */
export type Task = 'inference' | 'training' | 'end-to-end';

export interface Size { height: number; width: number; }

export interface BenchJob {
  task: Task;
  engine: Engine;
  encoder: EncoderName;
  height: number;
  width: number;
  batch: number;
  /** Timed runs after the warm-up (fewer when the time budget runs out; at least one). */
  runs: number;
  /** Stop timing new runs after this many ms of timed runs. */
  budgetMs: number;
}

export type RowStatus = 'ok' | 'error' | 'timeout' | 'unavailable';

export interface BenchRow extends BenchJob {
  platform: 'node' | 'browser';
  /** The backend or execution provider: tfjs wasm/cpu/webgl/webgpu, ort cpu/wasm/webgpu. */
  backend: string;
  /** Human-readable: what ran, e.g. "tfjs webgpu (folded)". */
  label: string;
  status: RowStatus;
  reason?: string;
  /** Model construction + weight upload, or ONNX export + session creation (ms). */
  setupMs: number | null;
  /** First run: includes shader compilation / kernel selection (ms). */
  warmupMs: number | null;
  runsMs: number[];
  medianMs: number | null;
  /** Images per second at the median (batch / median). */
  imagesPerSecond: number | null;
  /** tfjs tensor count before the job and after it (model disposed): equal means no leak. */
  tensorsBefore: number | null;
  tensorsAfter: number | null;
  /** tfjs tensor count right after a warm run, minus before it (inference: should be 0 after disposal). */
  tensorsLeakedPerRun: number | null;
  /** tfjs.memory().numBytes after the warm-up (model weights + kept tensors), and tf.profile's peak during one run. */
  steadyBytes: number | null;
  peakBytes: number | null;
  /** Kernels one inference dispatches (tf.profile): what folding and fusing reduce, independent of machine load. */
  kernelCount?: number;
  /** Training: loss of the last step (finite, > 0). */
  loss?: number;
  /**
   * Folded rows: predict() and the folded path timed alternately on the same input after both
   * warmed up (one pair per timed run), so machine load hits both alike.
   */
  paired?: { predictMs: number[]; foldedMs: number[]; gain: number };
  /** Threads the engine runs with, where known. */
  threads?: number | null;
  /** End-to-end rows: median ms of each of the viewer's stages over the timed frames. */
  stagesMs?: StageTimings;
  /**
   * End-to-end rows: post-processing + drawing of each timed frame both ways, alternately on the
   * same kept probabilities: `js` = masks read back and the overlay composed in JavaScript (the
   * viewer before the overlay moved to the backend), `backend` = the viewer's path now. `gain` =
   * median js / median backend.
   */
  overlayPaired?: { jsMs: number[]; backendMs: number[]; gain: number; composeMethod: string; drawPath: string };
  /** tfjs inference rows: the kernels taking most time in the profiled run (tf.profile). */
  topKernels?: KernelTotal[];
  /** How those kernel times were taken (and whether they are usable). */
  kernelTiming?: string;
}

export interface Environment {
  date: string;
  machine: string;
  cpus: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  browser: string | null;
  /** WebGPU adapter and WebGL renderer descriptions, as the page saw them. */
  webgpuAdapter: string | null;
  webglRenderer: string | null;
  /** The adapter of TensorFlow.js's WebGPU backend in Node (Dawn), when --node-backends has webgpu. */
  nodeWebgpuAdapter?: string | null;
  loadAverage: number[];
  notes: string[];
}

export interface BenchReport {
  environment: Environment;
  options: Record<string, unknown>;
  rows: BenchRow[];
  /** `--profile` runs: per-kernel profiles instead of timed rows. */
  profiles?: ProfileRow[];
  /** `--profile --kernel-replay N`: the studio's WebGPU kernels against TensorFlow.js's own, call by call. */
  replays?: ReplayReport[];
  wallSeconds: number;
}
