/**
 * The studio's score and `cli eval --grade-at input` agree: the sample dataset written to disk by
 * the `sample` command, a tiny run (resnet18, 32x64 input) trained by the run loop the training
 * worker uses, its best checkpoint saved and exported through the same code as the Training tab
 * (model store -> model session -> safetensors with metadata), then `eval --grade-at input` on
 * the val folder gives the score the run recorded for that checkpoint. Full-frame grading (the
 * default) still gives a valid, different-by-design number; another model gives another score.
 * wasm backend (single-threaded in Node, deterministic).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { runEval, type EvalReport } from '../../src/cli/commands/eval';
import { runSample } from '../../src/cli/commands/sample';
import type { CliIo, ParsedValues } from '../../src/cli/framework';
import { hoodToPng } from '../../src/data/hoodFile';
import { CARLA_SCHEME } from '../../src/data/labelScheme';
import { fileBytes } from '../../src/util/browserDownload';
import { generateSampleFrame } from '../../src/data/sample/generateFrame';
import { framesToInput } from '../../src/inference/frameInput';
import type { ClassThresholds } from '../../src/inference/frameMasks';
import { defaultModelConfig } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { findChallengePairs } from '../../src/node/imageFiles';
import { ModelSession } from '../../src/state/modelSession';
import { TrainingRun } from '../../src/training/runLoop';
import { estimateHoodFromPairs, inputSpecFor } from '../../src/training/trainingData';
import { saveModelToBrowser } from '../../src/weights/browserModelStore';
import { writeSafetensorsModel } from '../../src/weights/modelFile';
import type { CheckpointInfo, TrainingData } from '../../src/worker/trainingProtocol';
import { ofType, startRequest, testEnvironment, testSettings, type TestEnvironment } from '../training/support/runFixtures';
import { cli, makeTempDir } from './support';
import { registerMemoryModelStore } from '../support/memoryModelStore';

const SAMPLE = { count: 6, seed: 3, valFraction: 0.34, width: 96, height: 72 };
const INPUT = { height: 32, width: 64 };

/**
 * A two-step run validates once, at its end. Its masks at fixed thresholds are all-or-nothing
 * this early (every pixel road, or none), which any model would score the same; so, as a person
 * would move the sliders, the thresholds are set just before that validation to the median road
 * and vehicle probabilities of the val frames: about half the pixels each, the score then
 * depends on where this model puts them.
 */
function medianThresholds(model: LinkNetModel, data: TrainingData): ClassThresholds {
  const frames = data.val.map((i) => {
    const f = generateSampleFrame(i, { seed: SAMPLE.seed, width: SAMPLE.width, height: SAMPLE.height });
    return { data: f.rgb, width: f.width, height: f.height, channels: 3 };
  });
  const probs = tf.tidy(() => model.predict(framesToInput(frames, data.spec)).dataSync());
  const median = (channel: number) => {
    const v = Float32Array.from(probs.filter((_, i) => i % 3 === channel)).sort();
    return v[Math.floor(v.length / 2)];
  };
  return { road: median(1), car: median(2) };
}

const quiet: CliIo = { stdout: () => undefined, stderr: () => undefined };

describe('eval --grade-at input scores an exported best checkpoint as the studio did (wasm)', () => {
  const tmp = makeTempDir('eval-parity');
  const modelPath = join(tmp.dir, 'best.safetensors');
  const hoodPath = join(tmp.dir, 'hood.png');
  const valDir = join(tmp.dir, 'data', 'val');
  let env: TestEnvironment;
  let best: CheckpointInfo;
  let recordedScores: number[];
  let thresholds: ClassThresholds = { road: 0.5, car: 0.5 };

  beforeAll(async () => {
    await useWasmBackendInNode();
    registerMemoryModelStore();
    const dataDir = join(tmp.dir, 'data');
    runSample({ out: dataDir, count: String(SAMPLE.count), seed: String(SAMPLE.seed), 'val-fraction': String(SAMPLE.valFraction), width: String(SAMPLE.width), height: String(SAMPLE.height) }, quiet);
    const pairs = findChallengePairs(dataDir).pairs;
    const val = pairs.filter((p) => p.name.startsWith('val')).map((p) => Number(p.name.match(/(\d+)\.png$/)![1]));
    expect(val).toEqual([4, 5]);
    // The studio estimates the hood over every label of the dataset and can export it as a PNG.
    const hood = estimateHoodFromPairs(pairs, SAMPLE.width, SAMPLE.height, CARLA_SCHEME).mask;
    expect(hood).not.toBeNull();
    writeFileSync(hoodPath, hoodToPng({ mask: hood!, width: SAMPLE.width, height: SAMPLE.height }));

    // The page trains on the generated sample (not the files): the same pixels.
    const data: TrainingData = {
      source: { kind: 'sample', count: SAMPLE.count, seed: SAMPLE.seed, width: SAMPLE.width, height: SAMPLE.height },
      train: [0, 1, 2, 3],
      val,
      spec: inputSpecFor(SAMPLE.width, SAMPLE.height, INPUT.height, INPUT.width),
      scheme: CARLA_SCHEME,
      hood,
      fingerprint: 'eval-parity',
    };
    env = testEnvironment();
    env.checkpoints = { save: async (name, model, metadata) => void (await saveModelToBrowser(name, model, metadata)) };
    const settings = testSettings({ batchSize: 2, epochs: 1, learningRate: 3e-3, seed: 4 });
    const run = await TrainingRun.create(startRequest(data, settings), env);
    const post = env.post;
    env.post = (m) => {
      post(m);
      // The last step's report comes before its validation (between steps, like a message from the page).
      if (m.type === 'step' && m.report.step === m.report.totalSteps) {
        thresholds = medianThresholds(run.currentModel!, data);
        run.setThresholds(thresholds);
      }
    };
    await run.start();
    expect(run.currentPhase).toBe('finished');
    run.dispose();
    const checkpoints = ofType(env.messages, 'checkpoint');
    expect(checkpoints.length).toBeGreaterThan(0);
    best = checkpoints.at(-1)!.info;
    recordedScores = ofType(env.messages, 'validation').map((m) => m.report.score);

    // The Training tab's export: load the checkpoint from the store into the session, write F32 safetensors.
    const session = new ModelSession();
    await session.loadFromBrowser(best.name);
    const [file] = await session.exportFiles('F32');
    writeFileSync(modelPath, await fileBytes(file!));
    session.clear();
  });

  afterAll(() => tmp.cleanup());

  const evalWith = (extra: ParsedValues) => runEval({ model: modelPath, data: valDir, backend: 'wasm', hood: hoodPath, ...extra }, quiet);

  it('gives the recorded validation score of the best checkpoint', async () => {
    expect(best.score).toBeGreaterThan(0);
    expect(recordedScores).toEqual([best.score]);
    expect(thresholds.road).not.toBe(0.5);
    // Through the command line (`npm run cli -- eval ...`), JSON on stdout.
    const r = await cli('eval', '--model', modelPath, '--data', valDir, '--hood', hoodPath, '--grade-at', 'input', '--backend', 'wasm');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as EvalReport;
    expect(report.gradeAt).toBe('input');
    expect(report.frames).toBe(2);
    expect(report.thresholds).toEqual({ car: thresholds.car, road: thresholds.road });
    expect(report.thresholdSource).toBe('model metadata');
    expect(report.leakedTensors).toBe(0);
    expect(Math.abs(report.score - best.score)).toBeLessThan(1e-6);
    const validation = ofType(env.messages, 'validation').find((m) => m.report.step === best.step)!.report;
    expect(Math.abs(report.fRoad - validation.fRoad)).toBeLessThan(1e-6);
    expect(Math.abs(report.fCar - validation.fCar)).toBeLessThan(1e-6);
    console.log(`parity: studio best score ${best.score} (step ${best.step}, road ${validation.fRoad}, car ${validation.fCar}, thresholds ${JSON.stringify(thresholds)}), eval --grade-at input ${report.score}`);
  });

  it('does not depend on the batch size; other thresholds give another score', async () => {
    const one = await evalWith({ 'grade-at': 'input', batch: '1' });
    expect(Math.abs(one.score - best.score)).toBeLessThan(1e-6);
    const other = await evalWith({ 'grade-at': 'input', 'car-threshold': String(thresholds.car * 1.05), 'road-threshold': String(thresholds.road * 1.05) });
    expect(other.thresholdSource).toBe('options');
    expect(Math.abs(other.score - best.score)).toBeGreaterThan(1e-3);
  });

  it('still grades full frames by default: a valid score, different by design', async () => {
    const full = await evalWith({ 'car-threshold': String(thresholds.car), 'road-threshold': String(thresholds.road) });
    expect(full.gradeAt).toBe('frame');
    expect(full.frames).toBe(2);
    expect(full.failed).toEqual([]);
    expect(full.score).toBeGreaterThan(0);
    expect(full.score).toBeLessThanOrEqual(1);
    expect(full.thresholdSource).toBe('options');
    console.log(`full-frame eval of the same model, same thresholds: ${full.score}`);
  });

  it('scores a different model differently', async () => {
    const config = defaultModelConfig({ encoder: 'resnet18', classes: CARLA_SCHEME.classes.map((c) => c.name), input: inputSpecFor(SAMPLE.width, SAMPLE.height, INPUT.height, INPUT.width) });
    const fresh = LinkNetModel.create(config, 77);
    const otherPath = join(tmp.dir, 'other.safetensors');
    try {
      writeFileSync(otherPath, await writeSafetensorsModel(fresh, 'F32', { thresholds: JSON.stringify(thresholds) }));
    } finally {
      fresh.dispose();
    }
    const r = await runEval({ model: otherPath, data: valDir, backend: 'wasm', hood: hoodPath, 'grade-at': 'input' }, quiet);
    expect(r.thresholdSource).toBe('model metadata');
    expect(Math.abs(r.score - best.score)).toBeGreaterThan(1e-3);
  });
});
