/** The CLI as a real child process: help, exit codes, messages without stack traces. */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LYFT_REAL_DIR } from '../paths';
import { cliProcess, makeTempDir, writeSmallModel } from './support';

const FRAME = join(LYFT_REAL_DIR, 'val/CameraRGB/NikolasEnt_train_0.png');

describe('CLI subprocess (tsx src/cli/main.ts)', () => {
  const tmp = makeTempDir('proc');
  afterAll(() => tmp.cleanup());

  it('--help lists every command and exits 0', () => {
    const r = cliProcess('--help');
    expect(r.code).toBe(0);
    for (const name of ['info', 'predict', 'eval', 'score', 'convert']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.stdout).toContain('Usage:');
  });

  it('an unknown option exits 2 with a message and a pointer to the command help', () => {
    const r = cliProcess('eval', '--model', 'm.safetensors', '--frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: eval: unknown option --frobnicate');
    expect(r.stderr).toContain('eval --help');
    expect(r.stdout).toBe('');
  });

  it('a missing model file exits 1 with "error: ..." and no stack trace', () => {
    const r = cliProcess('info', '--model', join(tmp.dir, 'nope.safetensors'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`error: model file ${join(tmp.dir, 'nope.safetensors')} does not exist`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  describe('predict with bad images in the folder', () => {
    let model: string;
    const frames = join(tmp.dir, 'frames');
    const out = join(tmp.dir, 'out');
    beforeAll(async () => {
      model = await writeSmallModel(tmp.dir);
      mkdirSync(frames);
      copyFileSync(FRAME, join(frames, 'good.png'));
      const bytes = readFileSync(FRAME);
      writeFileSync(join(frames, 'truncated.png'), bytes.subarray(0, bytes.length >> 1));
      writeFileSync(join(frames, 'text.png'), 'not an image\n');
    });

    it('reports each bad image by name, writes the good one, and exits 1', () => {
      const r = cliProcess('predict', '--model', model, '--input', frames, '--out', out, '--backend', 'wasm');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: truncated\.png: cannot decode PNG \(truncated\)/);
      expect(r.stderr).toMatch(/error: text\.png: cannot decode PNG \(not-png\)/);
      expect(r.stderr).toContain('backend: wasm');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toContain('good.png');
      expect(r.stdout).toMatch(/1 frame written .*2 failed: text\.png, truncated\.png/);
      expect(existsSync(join(out, 'good_car.png'))).toBe(true);
      expect(existsSync(join(out, 'good_road.png'))).toBe(true);
      expect(existsSync(join(out, 'truncated_car.png'))).toBe(false);
    });
  });
});
