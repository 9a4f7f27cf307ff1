/** The commands in this process (captured output): info, predict, eval, score and their error paths. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolHelp } from '../../src/cli/cli';
import { ORIGINAL_SETTINGS } from '../../src/postprocess/settings';
import { postprocessToMetadata } from '../../src/weights/postprocessMetadata';
import { morphologyCpu } from '../../src/postprocess/morphologyCpu';
import { summarizeModel } from '../../src/model/summary';
import { AnswerFileWriter } from '../../src/io/answerFile';
import { decodeNpy } from '../../src/io/npy';
import { decodePng, encodeMaskPng } from '../../src/io/png';
import { LYFT_REAL_DIR } from '../paths';
import { cli, makeTempDir, smallConfig, writeSmallModel } from './support';

const VAL = join(LYFT_REAL_DIR, 'val');
const FRAME = join(VAL, 'CameraRGB/NikolasEnt_val_1.png');
const tmp = makeTempDir('cmd');
let modelPath: string;

beforeAll(async () => {
  modelPath = await writeSmallModel(tmp.dir);
});
afterAll(() => tmp.cleanup());

/** A hood mask like the challenge helper's: rows 496 and below. */
function writeRowHood(path: string): Uint8Array {
  const hood = new Uint8Array(800 * 600);
  hood.fill(1, 496 * 800);
  writeFileSync(path, encodeMaskPng(hood, 800, 600));
  return hood;
}

describe('help and dispatch', () => {
  it('prints help for each command with usage, options and an example', async () => {
    for (const name of ['info', 'predict', 'eval', 'score', 'convert']) {
      const r = await cli(name, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: npm run cli -- ${name} `));
      expect(r.stdout).toContain('Options:');
      expect(r.stdout).toMatch(/Examples?:\n {2}npm run cli -- /);
      expect(r.stdout).toContain('-h, --help');
    }
    expect((await cli('help', 'eval')).stdout).toContain('--hood auto|none|PNG');
    expect((await cli('-h')).stdout).toBe(toolHelp());
  });

  it('usage errors exit 2 with a message', async () => {
    const cases: [string[], string][] = [
      [[], 'Usage:'],
      [['frobnicate'], 'error: unknown command "frobnicate"'],
      [['--model', 'x'], 'error: unknown option --model (give a command first)'],
      [['info'], 'error: info: --model is required'],
      [['info', '--model'], 'error: info: option --model needs a value'],
      [['info', '--model', 'x', 'extra'], 'error: info: unexpected argument "extra"'],
      [['info', '--json=yes', '--model', 'x'], 'error: info: option --json takes no value'],
      [['predict', '--model', 'm', '--input', 'i', '--out', 'o', '--car-threshold', '1.5'], 'error: --car-threshold must be a number in [0, 1], got "1.5"'],
      [['predict', '--model', 'm', '--input', FRAME, '--out', 'o', '--backend', 'webgl'], 'error: --backend must be one of cpu, wasm, got "webgl"'],
      [['eval', '--model', 'm', '--data', VAL, '--limit', '0'], 'error: --limit must be a whole number >= 1, got "0"'],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toContain(message);
    }
  });
});

describe('info', () => {
  it('gives the architecture, input spec, parameters and GMAC of summarizeModel at the input size', async () => {
    const r = await cli('info', '--model', modelPath, '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    const summary = summarizeModel(smallConfig(), { height: 64, width: 160 });
    expect(info).toMatchObject({
      format: 'safetensors',
      kind: 'linknet',
      architecture: 'LinkNet',
      encoder: 'resnet18',
      classes: ['background', 'road', 'vehicle'],
      finalActivation: 'softmax',
      input: { channelOrder: 'bgr', cropRows: [205, 525], frame: { height: 600, width: 800 }, size: { height: 64, width: 160 }, resized: true },
      parameters: summary.parameters,
      buffers: summary.buffers,
      gmac: summary.gmac,
      output: { height: 64, width: 160 },
      extraMetadata: { trained_by: 'cli test' },
    });
    const text = await cli('info', '--model', modelPath);
    expect(text.stdout).toContain('encoder:          resnet18');
    expect(text.stdout).toContain(`parameters:       ${summary.parameters.toLocaleString('en-US')}`);
    expect(text.stdout).toContain(`compute:          ${summary.gmac.toFixed(2)} GMAC per 64x160 input`);
    expect(text.stdout).not.toContain('post-processing:');
  });

  it('names the post-processing a file carries, or why it is unusable', async () => {
    const withSettings = await writeSmallModel(tmp.dir, 1, postprocessToMetadata(ORIGINAL_SETTINGS), 'tuned.safetensors');
    const r = await cli('info', '--model', withSettings);
    expect(r.stdout).toContain('post-processing:  vehicle > 0.00001 dilate 3x3 square, road > 0.99999, hood removed');
    expect(JSON.parse((await cli('info', '--model', withSettings, '--json')).stdout).postprocess).toEqual(ORIGINAL_SETTINGS);
    const broken = await writeSmallModel(tmp.dir, 1, { postprocess: '{"hood": true}' }, 'broken.safetensors');
    expect((await cli('info', '--model', broken)).stdout).toContain('post-processing:  none usable (metadata "postprocess" left unused: car is missing)');
  });
});

describe('predict', () => {
  it('writes 0/1 car and road masks at frame size, zero on the hood, and [C,H,W] softmax probabilities', async () => {
    const out = join(tmp.dir, 'pred');
    const hoodPath = join(tmp.dir, 'hood.png');
    const hood = writeRowHood(hoodPath);
    const tensorsBefore = tf.memory().numTensors;
    // Thresholds 0: every pixel of the crop is predicted, so the hood and the crop's edges show.
    const r = await cli('predict', '--model', modelPath, '--input', FRAME, '--out', out, '--hood', hoodPath, '--probs',
      '--car-threshold', '0', '--road-threshold', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(r.stderr).toMatch(/backend: wasm/);
    expect(r.stderr).toContain('hood: ');
    expect(r.stderr).not.toContain('warning');
    expect(readdirSync(out).sort()).toEqual(['NikolasEnt_val_1_car.png', 'NikolasEnt_val_1_probs.npy', 'NikolasEnt_val_1_road.png']);
    for (const which of ['car', 'road']) {
      const img = decodePng(new Uint8Array(readFileSync(join(out, `NikolasEnt_val_1_${which}.png`))));
      expect([img.width, img.height, img.channels]).toEqual([800, 600, 1]);
      expect(new Set(img.data)).toEqual(new Set([0, 1]));
      for (let i = 0; i < img.data.length; i++) {
        const row = Math.floor(i / 800);
        const expected = row >= 205 && row < 525 && !hood[i] ? 1 : 0;
        if (img.data[i] !== expected) throw new Error(`${which} pixel ${i} (row ${row}) is ${img.data[i]}, expected ${expected}`);
      }
    }
    const npy = decodeNpy(new Uint8Array(readFileSync(join(out, 'NikolasEnt_val_1_probs.npy'))));
    expect(npy.shape).toEqual([3, 64, 160]);
    const plane = 64 * 160;
    let worst = 0;
    for (let i = 0; i < plane; i++) worst = Math.max(worst, Math.abs(npy.data[i] + npy.data[plane + i] + npy.data[2 * plane + i] - 1));
    expect(worst).toBeLessThan(1e-5);
  });

  it('applies the post-processing the model carries with --postprocess model: its thresholds and morphology, the options overriding', async () => {
    const carried = {
      car: { threshold: 0.3, morphology: { op: 'dilate' as const, size: 5, shape: 'cross' as const, iterations: 2 } },
      road: { threshold: 0.34, morphology: { op: 'none' as const, size: 3, shape: 'square' as const, iterations: 1 } },
      hood: true,
    };
    const tuned = await writeSmallModel(tmp.dir, 1, postprocessToMetadata(carried), 'carried.safetensors');
    const masks = async (out: string, ...args: string[]) => {
      const r = await cli('predict', '--model', tuned, '--input', FRAME, '--out', out, '--backend', 'cpu', ...args);
      expect(r.code, r.stderr).toBe(0);
      const read = (which: string) => decodePng(new Uint8Array(readFileSync(join(out, `NikolasEnt_val_1_${which}.png`)))).data;
      return { car: read('car'), road: read('road'), stderr: r.stderr };
    };
    const plain = await masks(join(tmp.dir, 'pp-plain'), '--car-threshold', '0.3', '--road-threshold', '0.34');
    const model = await masks(join(tmp.dir, 'pp-model'), '--postprocess', 'model');
    expect(model.stderr).toContain('post-processing from the model: vehicle > 0.3 dilate 5x5 cross x2, road > 0.34, hood kept');
    expect(model.road).toEqual(plain.road);
    const dilated = morphologyCpu(new Uint8Array(plain.car), 800, 600, carried.car.morphology);
    expect(model.car).toEqual(dilated);
    expect(dilated.reduce((a, b) => a + b, 0)).toBeGreaterThan(plain.car.reduce((a, b) => a + b, 0));
    // A threshold option wins over the model's.
    const over = await masks(join(tmp.dir, 'pp-over'), '--postprocess', 'model', '--road-threshold', '0.9');
    expect(over.stderr).toContain('road > 0.9,');
    // eval grades with them too: the dilation adds vehicle pixels to what the same thresholds alone predict.
    const graded = async (...args: string[]) => {
      const r = await cli('eval', '--model', tuned, '--data', VAL, '--limit', '1', '--hood', 'none', '--backend', 'cpu', ...args);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const byModel = await graded('--postprocess', 'model');
    const byOptions = await graded('--car-threshold', '0.3', '--road-threshold', '0.34');
    expect(byModel).toMatchObject({ thresholdSource: 'model metadata', thresholds: { car: 0.3, road: 0.34 }, morphology: { car: carried.car.morphology, road: carried.road.morphology } });
    expect(byOptions).toMatchObject({ thresholdSource: 'options', morphology: null });
    expect(byModel.counts.road).toEqual(byOptions.counts.road);
    expect(byModel.counts.car.tp + byModel.counts.car.fp).toBeGreaterThan(byOptions.counts.car.tp + byOptions.counts.car.fp);
    // A model without post-processing, and a wrong choice, are refused.
    const none = await cli('predict', '--model', modelPath, '--input', FRAME, '--out', join(tmp.dir, 'x'), '--backend', 'cpu', '--postprocess', 'model');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('carries no post-processing (metadata "postprocess")');
    const wrong = await cli('predict', '--model', tuned, '--input', FRAME, '--out', join(tmp.dir, 'x'), '--postprocess', 'file');
    expect(wrong.code).toBe(2);
  });

  it('processes a folder frame by frame without keeping tensors, and reports a frame of the wrong size', async () => {
    const frames = join(tmp.dir, 'frames');
    mkdirSync(frames);
    copyFileSync(FRAME, join(frames, '2.png'));
    copyFileSync(join(VAL, 'CameraRGB/NikolasEnt_train_0.png'), join(frames, '10.png'));
    writeFileSync(join(frames, '1.png'), encodeMaskPng(new Uint8Array(64 * 48), 64, 48));
    writeFileSync(join(frames, 'notes.txt'), 'ignored');
    const tensorsBefore = tf.memory().numTensors;
    const out = join(tmp.dir, 'pred-folder');
    const r = await cli('predict', '--model', modelPath, '--input', frames, '--out', out, '--backend', 'cpu');
    expect(r.code).toBe(1);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(r.stderr).toContain('backend: cpu');
    expect(r.stderr).toContain("error: 1.png: the frame has 1 channel(s); a colour (RGB) image is needed");
    // Natural order: 1, 2, 10.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('[')).map((l) => l.split(' ')[1])).toEqual(['2.png:', '10.png:']);
    expect(readdirSync(out).sort()).toEqual(['10_car.png', '10_road.png', '2_car.png', '2_road.png']);
  });

  it('says what is wrong with the input, the hood and the model', async () => {
    const bad = [
      [['--input', join(tmp.dir, 'none.png')], 'error: input '],
      [['--input', (mkdirSync(join(tmp.dir, 'no-png')), join(tmp.dir, 'no-png'))], 'holds no .png files'],
      [['--input', FRAME, '--hood', FRAME.replace('val_1', 'nope')], 'error: hood mask '],
    ] as const;
    for (const [args, message] of bad) {
      const r = await cli('predict', '--model', modelPath, '--out', join(tmp.dir, 'x'), '--backend', 'cpu', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    const smallHood = join(tmp.dir, 'small-hood.png');
    writeFileSync(smallHood, encodeMaskPng(new Uint8Array(100), 10, 10));
    const r = await cli('predict', '--model', modelPath, '--out', join(tmp.dir, 'x'), '--backend', 'cpu', '--input', FRAME, '--hood', smallHood);
    expect(r.stderr).toContain('is 10x10, but the frames are 800x600');
    const m = await cli('predict', '--model', FRAME, '--out', join(tmp.dir, 'x'), '--input', FRAME, '--backend', 'cpu');
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('is a PNG image, not a model file');
    expect(existsSync(join(tmp.dir, 'x'))).toBe(false);
  });
});

describe('eval and score', () => {
  it('grades lyft-real val with the hood estimated from the labels', async () => {
    const answer = join(tmp.dir, 'answer.json');
    const r = await cli('eval', '--model', modelPath, '--data', VAL, '--car-threshold', '0.2', '--road-threshold', '0.3', '--answer-out', answer);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.frames).toBe(5);
    expect(report.failed).toEqual([]);
    expect(report.thresholds).toEqual({ car: 0.2, road: 0.3 });
    expect(report.hood.source).toMatch(/^auto/);
    expect(Math.abs(report.hood.pixels - 73231)).toBeLessThanOrEqual(200);
    for (const key of ['fRoad', 'fCar', 'score', 'precisionRoad', 'recallRoad', 'precisionCar', 'recallCar']) {
      expect(report[key], key).toBeGreaterThanOrEqual(0);
      expect(report[key], key).toBeLessThanOrEqual(1);
    }
    expect(report.score).toBeCloseTo((report.fRoad + report.fCar) / 2, 12);
    expect(report.fps).toBeGreaterThan(0);
    expect(report.leakedTensors).toBe(0);
    expect(report.backend).toBe('wasm');
    // Truth pixels are the same whatever the model: road = 6/7, car = 10 minus the hood.
    const truthRoad = report.counts.road.tp + report.counts.road.fn;
    const truthCar = report.counts.car.tp + report.counts.car.fn;
    expect(truthRoad).toBeGreaterThan(0.15 * 5 * 480000 * 0.9);
    expect(truthCar).toBeLessThan(0.07 * 5 * 480000);

    // The answer file it wrote scores the same with `score`.
    const truthPath = join(tmp.dir, 'truth.json');
    writeFileSync(truthPath, truthFileFromLabels(join(VAL, 'CameraSeg'), report.hood.pixels > 0));
    const s = await cli('score', '--answer', answer, '--truth', truthPath);
    expect(s.code, s.stderr).toBe(0);
    const scored = JSON.parse(s.stdout);
    expect(scored.score).toBeCloseTo(report.score, 12);
  });

  it('--hood none keeps the hood in the car truth; --limit uses the first pairs; the whole lyft-real tree is found', async () => {
    const r = await cli('eval', '--model', modelPath, '--data', LYFT_REAL_DIR, '--hood', 'none', '--limit', '2');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.frames).toBe(2);
    expect(report.hood).toEqual({ source: 'none', pixels: 0 });
    expect(report.counts.car.tp + report.counts.car.fn).toBeGreaterThanOrEqual(2 * 73000);
    expect(r.stderr).toContain('[1/2] train/CameraRGB/');
  });

  it('scores a truth file against itself as 1', async () => {
    const truthPath = join(tmp.dir, 'self.json');
    writeFileSync(truthPath, truthFileFromLabels(join(VAL, 'CameraSeg'), true));
    const r = await cli('score', '--answer', truthPath, '--truth', truthPath, '--fps', '25');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fRoad: 1, fCar: 1, score: 1, frames: 5, finalScore: 100, missingFrames: [], extraFrames: [] });
  });

  it('reports missing or malformed answer files and data folders', async () => {
    const notJson = join(tmp.dir, 'bad.json');
    writeFileSync(notJson, '{"1": 5}');
    const cases: [string[], string][] = [
      [['score', '--answer', join(tmp.dir, 'none.json'), '--truth', notJson], 'error: answer file '],
      [['score', '--answer', notJson, '--truth', notJson], 'error: answer: frame 1: value must be a pair of strings'],
      [['eval', '--model', modelPath, '--data', join(tmp.dir, 'nothing')], 'error: data folder '],
      [['eval', '--model', modelPath, '--data', tmp.dir], 'error: no CameraRGB/*.png + CameraSeg/*.png pairs'],
      [['eval', '--model', modelPath, '--data', VAL, '--hood', join(tmp.dir, 'nohood.png'), '--backend', 'cpu'], 'error: hood mask '],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr, argv.join(' ')).toContain(message);
    }
  });
});

/** An answer-format truth file built from the labels: road = 6/7, car = 10 minus the hood (rows >= 496 from the bottom-centre fill). */
function truthFileFromLabels(segDir: string, removeHood: boolean): string {
  const writer = new AnswerFileWriter();
  const files = readdirSync(segDir).filter((f) => f.endsWith('.png')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }));
  const labels = files.map((f) => decodePng(new Uint8Array(readFileSync(join(segDir, f)))));
  // The hood: vehicle pixels present in every label and connected to the bottom rows.
  const n = 800 * 600;
  const hood = new Uint8Array(n);
  if (removeHood) {
    for (let i = 0; i < n; i++) hood[i] = labels.every((l) => l.data[i * l.channels] === 10) && i >= 480 * 800 ? 1 : 0;
  }
  for (const label of labels) {
    const car = new Uint8Array(n);
    const road = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = label.data[i * label.channels];
      road[i] = v === 6 || v === 7 ? 1 : 0;
      car[i] = v === 10 && !hood[i] ? 1 : 0;
    }
    writer.addFrame(car, road, 800, 600);
  }
  return writer.toJSON();
}
