/**
 * `--profile`: tf.profile over one warm inference (batch 1) and one warm training step
 * (`Trainer.step`: forward, loss, backward kernels, Adam), on the current TensorFlow.js backend,
 * the same way in Node and in the browser page. Each is run once to warm up (shader compilation,
 * kernel selection), once unprofiled for a reference time, then once profiled.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultLossConfig } from '../../src/loss/fbetaLoss';
import { defaultModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { Trainer } from '../../src/training/trainStep';
import { kernelChangesSinceLoad } from './kernelRegistry';
import { benchInput, kernelTimingMethod, MODEL_SEED, oneHotTargets } from './measure';
import { aggregateKernels, kernelRecord, timingProblem, type KernelRecord, type ProfileJob, type ProfileRow } from './profile';

async function profiled(run: () => Promise<void>): Promise<{ records: KernelRecord[]; wallMs: number }> {
  let wallMs = 0;
  const info = await tf.profile(async () => {
    const t0 = performance.now();
    await run();
    wallMs = performance.now() - t0;
  });
  return { records: info.kernels.map((k) => kernelRecord(k.name, k.kernelTimeMs)), wallMs };
}

async function timed(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

export async function profileTfjs(job: ProfileJob, platform: ProfileRow['platform']): Promise<ProfileRow[]> {
  const backend = tf.getBackend();
  const config = defaultModelConfig({ encoder: job.encoder });
  const base = {
    platform, backend, encoder: job.encoder, height: job.height, width: job.width, setup: job.setup, pageQuery: job.pageQuery,
    kernelChanges: kernelChangesSinceLoad(backend), timing: kernelTimingMethod(backend),
  };
  const rows: ProfileRow[] = [];
  const model = LinkNetModel.create(config, MODEL_SEED);
  const tensors: tf.Tensor[] = [];
  try {
    for (const task of ['inference', 'training'] as const) {
      const batch = task === 'training' ? job.batch : 1;
      const row: ProfileRow = { ...base, task, batch, status: 'ok', wallMs: null, unprofiledMs: null, summary: null };
      rows.push(row);
      let trainer: Trainer | null = null;
      try {
        const x = tf.tensor4d(benchInput(batch * job.height * job.width * 3), [batch, job.height, job.width, 3]);
        tensors.push(x);
        let run: () => Promise<void>;
        if (task === 'inference') {
          run = async () => {
            const out = model.predict(x);
            await out.data();
            out.dispose();
          };
        } else {
          const classes = config.classes.length;
          const t = tf.tensor4d(oneHotTargets(batch, job.height, job.width, classes), [batch, job.height, job.width, classes]);
          tensors.push(t);
          const active = new Trainer(model, defaultLossConfig());
          trainer = active;
          run = async () => {
            const { loss } = await active.step(x, t);
            if (!Number.isFinite(loss)) throw new Error(`training step gave loss ${loss}`);
          };
        }
        await run();
        row.unprofiledMs = await timed(run);
        const { records, wallMs } = await profiled(run);
        row.wallMs = wallMs;
        row.summary = aggregateKernels(records, job.topN);
        const problem = timingProblem(row.summary);
        if (problem) row.timing = `${row.timing} — ${problem}`;
      } catch (e) {
        row.status = 'error';
        row.reason = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
      } finally {
        trainer?.dispose();
      }
    }
  } finally {
    model.dispose();
    tf.dispose(tensors);
  }
  return rows;
}
