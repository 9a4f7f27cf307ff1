import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLossConfig } from '../../src/loss/fbetaLoss';
import { LinkNetModel, type TorchWeights } from '../../src/model/linkNetModel';
import { computeGradients, Trainer } from '../../src/training/trainStep';
import { readSafetensorsModel } from '../../src/weights/modelFile';
import { nhwcToNchw, tfToTorch } from '../../src/weights/pytorchLayout';
import { FIXTURES_DIR } from '../paths';
import { fixture, maxAbsError, nhwcFixture, relativeMaxError } from './fixtures';

const STEP = 'linknet34_trainstep.safetensors';
const LR = 1e-3;

/*
 * Tolerances. Loss, the head's gradient and BatchNorm statistics meet the fixture README's figures.
 * The fixture's gradient of firstconv (the far end of the backward pass) differs from what PyTorch
 * 2.13 on CPU computes from the same weights and input by 3.2e-3 relative (checked by re-running the
 * step in PyTorch); our port is within 1.2e-4 of PyTorch 2.13 and 3.2e-3 of the fixture, so 5e-3
 * is the honest bound. Adam's first step moves every weight by lr * sign(grad): where a gradient is
 * within float32 noise of zero its sign is arbitrary (PyTorch 2.13 flips the same elements), so a
 * post-step tensor may differ from the fixture by up to 2 * lr on a few elements, and nowhere else.
 */
export interface TrainStepTolerances {
  firstconvGrad: number;
  /** Fraction of a post-step tensor's elements allowed to differ by up to one Adam step. */
  disagreementFraction: number;
  evalProbs: number;
}

/** CPU: measured 3.2e-3, 0.03 % / 0.12 % (firstconv / decoder4.deconv2), 3.5e-3. */
export const CPU_TOLERANCES: TrainStepTolerances = { firstconvGrad: 5e-3, disagreementFraction: 5e-3, evalProbs: 1e-2 };

/*
 * This fixture's backward pass (random weights, batch 2, BatchNorm over a few pixels in the deep
 * layers) amplifies float32 rounding about a thousand-fold: wasm's XNNPACK kernels sum in another
 * order than the JS CPU kernels, the forward differs by ~1e-5, and firstconv's gradient by 2.4e-2.
 * It is conditioning, not a kernel error: fed the same inputs, the decoder's backward agrees between
 * the two backends to 3e-6, and each wasm gradient kernel matches the CPU one to 1e-4 on its own
 * (test/backend/wasmTrainingKernels.test.ts). Measured on wasm: 2.35e-2, 0.77 %, 1.2e-2.
 */
export const WASM_TOLERANCES: TrainStepTolerances = { firstconvGrad: 3e-2, disagreementFraction: 1e-2, evalProbs: 2e-2 };

/**
 * Elements beyond 1e-3 * max|ref|. Adam's first step is lr * g / (|g| + eps), so two
 * implementations that disagree on a near-zero gradient differ by at most 2 * lr there
 * ('disagreements'); any larger difference is a real error ('other').
 */
function postStepMismatch(actual: Float32Array, expected: Float32Array): { disagreements: number; other: number } {
  let maxRef = 0;
  for (const v of expected) maxRef = Math.max(maxRef, Math.abs(v));
  let disagreements = 0;
  let other = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= 1e-3 * maxRef)) {
      if (d <= 2 * LR * 1.001) disagreements++;
      else other++;
    }
  }
  return { disagreements, other };
}

/** The whole training-step fixture on the current backend; the backend is chosen by the caller. */
export function describeTrainStepParity(backend: string, setup: () => Promise<void>, tolerances: TrainStepTolerances): void {
  describe(`one LinkNet34 training step matches PyTorch (${backend})`, () => {
    let model: LinkNetModel;
    let loss = NaN;
    const grads = new Map<string, Float32Array>();
    let after: TorchWeights;
    let evalProbs: Float32Array;

    beforeAll(async () => {
      await setup();
      const loaded = readSafetensorsModel(new Uint8Array(readFileSync(resolve(FIXTURES_DIR, 'linknet34_weights.safetensors'))));
      model = LinkNetModel.fromTorchWeights(loaded.config, loaded.weights);
      const input = nhwcFixture(STEP, 'input');
      const target = nhwcFixture(STEP, 'target');
      const trainer = new Trainer(model, defaultLossConfig(), { learningRate: LR, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      const g = computeGradients(model, input, target, defaultLossConfig());
      for (const name of ['finalconv3.weight', 'firstconv.weight']) {
        const t = g.grads.get(name)!;
        grads.set(name, tfToTorch((await t.data()) as Float32Array, t.shape, 'conv'));
      }
      loss = (await trainer.apply(g)).loss;
      after = await model.readTorchWeights();
      const probs = model.predict(input);
      evalProbs = nhwcToNchw((await probs.data()) as Float32Array, probs.shape);
      tf.dispose([input, target, probs]);
      trainer.dispose();
    }, 1_200_000);
    afterAll(() => model?.dispose());

    it('loss within 1e-5', () => {
      const expected = fixture(STEP).readFloat32('loss')[0];
      expect(loss).not.toBe(0);
      expect(Math.abs(loss - expected)).toBeLessThan(1e-5);
    });

    it('gradient of finalconv3.weight (the head) within 1e-3 relative', () => {
      expect(relativeMaxError(grads.get('finalconv3.weight')!, fixture(STEP).readFloat32('grad.finalconv3.weight'))).toBeLessThan(1e-3);
    });

    it(`gradient of firstconv.weight (through the whole network) within ${tolerances.firstconvGrad} relative`, () => {
      expect(relativeMaxError(grads.get('firstconv.weight')!, fixture(STEP).readFloat32('grad.firstconv.weight'))).toBeLessThan(tolerances.firstconvGrad);
    });

    it('BatchNorm running statistics after the step within 1e-3 relative (momentum 0.1, unbiased variance)', () => {
      const names = [...fixture(STEP).entries.keys()].filter((n) => n.startsWith('after.') && n.includes('running_'));
      expect(names.length).toBeGreaterThanOrEqual(3);
      for (const full of names) {
        expect(relativeMaxError(after.get(full.slice(6))!, fixture(STEP).readFloat32(full)), full).toBeLessThan(1e-3);
      }
    });

    it('parameters after the Adam step: within 1e-3 relative except rare near-zero-gradient elements (at most 2 lr off)', () => {
      const names = [...fixture(STEP).entries.keys()].filter((n) => n.startsWith('after.') && !n.includes('running_') && n !== 'after.eval_probs');
      expect(names.length).toBeGreaterThanOrEqual(5);
      for (const full of names) {
        const expected = fixture(STEP).readFloat32(full);
        const { disagreements, other } = postStepMismatch(after.get(full.slice(6))!, expected);
        console.info(`${full}: ${disagreements} of ${expected.length} elements differ by an Adam step on a near-zero gradient`);
        expect(other, `${full}: elements off by more than an Adam step`).toBe(0);
        expect(disagreements / expected.length, `${full}: fraction of near-zero-gradient disagreements`).toBeLessThanOrEqual(tolerances.disagreementFraction);
      }
      // Adam really stepped: the head moved by about lr per element.
      const before = fixture('linknet34_weights.safetensors').readFloat32('finalconv3.weight');
      const moved = after.get('finalconv3.weight')!;
      expect(Math.abs(Math.abs(moved[0] - before[0]) - LR)).toBeLessThan(1e-4);
    });

    it(`eval-mode probabilities after the step within ${tolerances.evalProbs} (moved by the disagreements above)`, () => {
      expect(maxAbsError(evalProbs, fixture(STEP).readFloat32('after.eval_probs'))).toBeLessThan(tolerances.evalProbs);
    });
  });
}
