/** `eval --grade-at`: the option's help, its usage errors, and the thresholds a checkpoint records. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedThresholds } from '../../src/cli/commands/eval';
import { runSample } from '../../src/cli/commands/sample';
import { cli, makeTempDir, writeSmallModel } from './support';

describe('eval --grade-at', () => {
  it('is in the help with what each mode does', async () => {
    const help = (await cli('help', 'eval')).stdout;
    expect(help).toContain('--grade-at frame|input');
    expect(help).toContain("--grade-at input grades the way the studio's training validation does");
    expect(help).toContain('--batch N');
  });

  it('refuses an unknown mode and options that do not go with the mode', async () => {
    const cases: [string[], string][] = [
      [['eval', '--model', 'm', '--data', 'd', '--grade-at', 'pixels'], 'error: --grade-at must be one of frame, input, got "pixels"'],
      [['eval', '--model', 'm', '--data', 'd', '--grade-at', 'input', '--answer-out', 'a.json'], 'error: --answer-out and --truth-out hold full-frame masks: use them with --grade-at frame'],
      [['eval', '--model', 'm', '--data', 'd', '--grade-at', 'input', '--truth-out', 't.json'], 'error: --answer-out and --truth-out hold full-frame masks'],
      [['eval', '--model', 'm', '--data', 'd', '--batch', '2'], 'error: --batch goes with --grade-at input'],
      [['eval', '--model', 'm', '--data', 'd', '--grade-at', 'input', '--postprocess', 'model'], 'error: --postprocess goes with --grade-at frame'],
      [['eval', '--model', 'm', '--data', 'd', '--postprocess', 'viewer'], 'error: --postprocess must be one of options, model, got "viewer"'],
      [['eval', '--model', 'm', '--data', 'd', '--grade-at', 'input', '--batch', '0'], 'error: --batch must be a whole number in [1, 1024], got "0"'],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toContain(message);
    }
  });

  it('names the pair when a frame does not have the model\'s frame size', async () => {
    const tmp = makeTempDir('eval-grade-at');
    try {
      const modelPath = await writeSmallModel(tmp.dir); // 800x600 frames
      const data = join(tmp.dir, 'data');
      runSample({ out: data, count: '2', width: '64', height: '48' }, { stdout: () => undefined, stderr: () => undefined });
      const r = await cli('eval', '--model', modelPath, '--data', data, '--grade-at', 'input', '--hood', 'none', '--backend', 'cpu');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: --grade-at input stopped: .*0\.png: the frame is 64x48, expected 800x600/);
    } finally {
      tmp.cleanup();
    }
  });

  it('reads the thresholds the validation recorded in the model metadata, and nothing malformed', () => {
    expect(recordedThresholds({ thresholds: '{"road":0.75,"car":0.01}' })).toEqual({ road: 0.75, car: 0.01 });
    expect(recordedThresholds({})).toBeNull();
    expect(recordedThresholds({ thresholds: 'not json' })).toBeNull();
    expect(recordedThresholds({ thresholds: '{"road":0.75}' })).toBeNull();
    expect(recordedThresholds({ thresholds: '{"road":1.5,"car":0.2}' })).toBeNull();
  });
});
