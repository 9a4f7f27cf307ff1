/**
 * Times LinkNet training steps on the wasm backend with the training kernels (src/backend/wasmTraining),
 * using the real model (src/model/linkNetModel.ts) and train step (src/training/trainStep.ts).
 *
 *   npx tsx bench/wasmTraining.ts [--encoder resnet34] [--batch 2] [--size 128x160] [--steps 3]
 *                                 [--builtin] [--cpu] [--profile]
 *
 * --builtin  also time wasm with the built-in Conv2DBackpropInput/MaxPoolGrad (ours only adds the
 *            missing Conv2DBackpropFilter), to show what replacing them buys.
 * --cpu      also time one (cold) step on the pure-JS CPU backend (slow: minutes at the default size).
 * --profile  per-kernel totals of one wasm step (tf.profile).
 * Each backend runs one warm-up step first (XNNPACK set-up, JIT); the median of --steps is reported.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../src/backend/wasmTraining';
import { useWasmBackendInNode, wasmBackendInfo } from '../src/backend/wasmTraining/nodeWasm';
import { defaultLossConfig } from '../src/loss/fbetaLoss';
import { defaultModelConfig, type EncoderName } from '../src/model/config';
import { LinkNetModel } from '../src/model/linkNetModel';
import { computeGradients, Trainer } from '../src/training/trainStep';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const encoder = arg('encoder', 'resnet34') as EncoderName;
const batch = Number(arg('batch', '2'));
const [height, width] = arg('size', '128x160').split('x').map(Number);
const steps = Number(arg('steps', '3'));

function inputs(): { x: tf.Tensor4D; t: tf.Tensor4D } {
  let s = 12345;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const n = batch * height * width;
  const x = Float32Array.from({ length: n * 3 }, rnd);
  const t = new Float32Array(n * 3); // one-hot built as float32 directly
  for (let p = 0; p < n; p++) t[p * 3 + Math.floor(rnd() * 3)] = 1;
  return { x: tf.tensor4d(x, [batch, height, width, 3]), t: tf.tensor4d(t, [batch, height, width, 3]) };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function timeSteps(label: string, count: number): Promise<number> {
  const model = LinkNetModel.create(defaultModelConfig({ encoder }), 1);
  const trainer = new Trainer(model, defaultLossConfig());
  const { x, t } = inputs();
  const times: number[] = [];
  let loss = 0;
  for (let i = 0; i <= count; i++) {
    const start = performance.now();
    const r = await trainer.step(x, t);
    const ms = performance.now() - start;
    loss = r.loss;
    if (!(loss > 0)) throw new Error(`${label}: loss ${loss} (expected > 0)`);
    if (i === 0) console.log(`  ${label}: ${count === 0 ? 'single (cold)' : 'warm-up'} step ${ms.toFixed(0)} ms`);
    if (i > 0 || count === 0) times.push(ms);
  }
  const med = median(times);
  if (count > 0) console.log(`  ${label}: ${count} steps, median ${med.toFixed(0)} ms/step (${times.map((t) => t.toFixed(0)).join(', ')}), last loss ${loss.toFixed(5)}, tensors ${tf.memory().numTensors}`);
  trainer.dispose();
  model.dispose();
  tf.dispose([x, t]);
  return med;
}

async function profileStep(): Promise<void> {
  const model = LinkNetModel.create(defaultModelConfig({ encoder }), 1);
  const trainer = new Trainer(model, defaultLossConfig());
  const { x, t } = inputs();
  await trainer.step(x, t); // warm-up
  const prof = await tf.profile(async () => {
    await trainer.apply(computeGradients(model, x, t, defaultLossConfig()));
  });
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of prof.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.calls++;
    byName.set(k.name, e);
  }
  console.log('  kernel                    ms  calls');
  for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(`  ${name.padEnd(22)} ${e.ms.toFixed(0).padStart(6)} ${String(e.calls).padStart(6)}`);
  }
  trainer.dispose();
  model.dispose();
  tf.dispose([x, t]);
}

async function main(): Promise<void> {
  console.log(`LinkNet (${encoder}) training step: batch ${batch}, ${height}x${width}, Adam, soft F-beta loss`);
  await useWasmBackendInNode();
  const info = await wasmBackendInfo();
  console.log(`wasm: simd ${info.simd}, threads ${info.threads}; training kernels: ${info.trainingKernels.join(', ')}`);
  const results: Record<string, number> = {};
  results['wasm + training kernels'] = await timeSteps('wasm + training kernels', steps);
  if (flag('profile')) await profileStep();
  if (flag('builtin')) {
    unregisterWasmTrainingKernels();
    registerWasmTrainingKernels({ replaceBuiltins: false });
    results['wasm, built-in grads'] = await timeSteps('wasm, built-in Conv2DBackpropInput/MaxPoolGrad', steps);
    registerWasmTrainingKernels();
  }
  if (flag('cpu')) {
    await tf.setBackend('cpu');
    results['cpu (one cold step)'] = await timeSteps('cpu (pure JS)', 0);
  }
  console.log('summary (median ms/step):', JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(v)]))));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
