/** Shared helpers for the CLI tests: a small model on disk, captured output, a real subprocess. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../../src/cli/cli';
import { defaultModelConfig, originalInputSpec, type ModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { writeSafetensorsModel } from '../../src/weights/modelFile';
import { REPO_ROOT } from '../paths';

/** A resnet18 LinkNet that takes the original crop resized to 64x160: fast enough for tests. */
export function smallConfig(): ModelConfig {
  return defaultModelConfig({ encoder: 'resnet18', input: { ...originalInputSpec(), inputHeight: 64, inputWidth: 160 } });
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `segstudio-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a seeded small model as `<dir>/<name>` (F32, with an extra metadata key and any `metadata` given). */
export async function writeSmallModel(dir: string, seed = 1, metadata: Record<string, string> = {}, name = 'small.safetensors'): Promise<string> {
  tf.enableProdMode();
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const model = LinkNetModel.create(smallConfig(), seed);
  try {
    const path = join(dir, name);
    writeFileSync(path, await writeSafetensorsModel(model, 'F32', { trained_by: 'cli test', ...metadata }));
    return path;
  } finally {
    model.dispose();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured output. */
export async function cli(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const TSX_CLI = resolve(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');

/** Runs `tsx src/cli/main.ts ...argv` as a real child process (what `npm run cli --` does). */
export function cliProcess(...argv: string[]): CliRun {
  const r = spawnSync(process.execPath, [TSX_CLI, 'src/cli/main.ts', ...argv], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
