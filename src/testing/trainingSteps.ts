/**
 * Browser-side harness for the e2e training test: a few Adam steps of a small LinkNet on one fixed
 * batch on the page's backend, and the first step again on the CPU backend for comparison. Loaded by
 * the e2e tests through the Vite dev server; the app itself never imports it.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultLossConfig } from '../loss/fbetaLoss';
import { defaultModelConfig } from '../model/config';
import { LinkNetModel } from '../model/linkNetModel';
import { Trainer } from '../training/trainStep';
import { seededRandom } from '../util/seededRandom';

export interface TrainingStepsResult {
  backend: string;
  losses: number[];
  cpuFirstLoss: number;
  /** Tensors alive after the second and after the last step (a leak makes them differ). */
  tensorsAfterStep2: number;
  tensorsAtEnd: number;
  msPerStep: number;
}

function batch(size: number): { x: tf.Tensor4D; t: tf.Tensor4D } {
  const random = seededRandom(7);
  const [n, h, w] = [2, size, size];
  const x = Float32Array.from({ length: n * h * w * 3 }, random);
  // One-hot targets built directly as float32 (never an int32 cast: a WebGPU pitfall).
  const t = new Float32Array(n * h * w * 3);
  for (let p = 0; p < n * h * w; p++) t[p * 3 + ((p % w) < w / 3 ? 0 : (p % w) < (2 * w) / 3 ? 1 : 2)] = 1;
  return { x: tf.tensor4d(x, [n, h, w, 3]), t: tf.tensor4d(t, [n, h, w, 3]) };
}

async function train(steps: number, size: number): Promise<{ losses: number[]; counts: number[]; ms: number }> {
  const model = LinkNetModel.create(defaultModelConfig({ encoder: 'resnet18' }), 3);
  const trainer = new Trainer(model, defaultLossConfig(), { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const { x, t } = batch(size);
  const losses: number[] = [];
  const counts: number[] = [];
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    losses.push((await trainer.step(x, t)).loss);
    counts.push(tf.memory().numTensors);
  }
  const ms = (performance.now() - started) / steps;
  tf.dispose([x, t]);
  trainer.dispose();
  model.dispose();
  return { losses, counts, ms };
}

export async function runTrainingSteps(expectedBackend: string, steps = 4, size = 64): Promise<TrainingStepsResult> {
  const backend = tf.getBackend();
  if (backend !== expectedBackend) throw new Error(`the page runs ${backend}, not ${expectedBackend}`);
  const run = await train(steps, size);
  await tf.setBackend('cpu');
  const cpu = await train(1, size);
  await tf.setBackend(backend);
  return {
    backend,
    losses: run.losses,
    cpuFirstLoss: cpu.losses[0],
    tensorsAfterStep2: run.counts[1],
    tensorsAtEnd: run.counts[run.counts.length - 1],
    msPerStep: run.ms,
  };
}
