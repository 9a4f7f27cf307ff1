/**
 * The step report's BCE term: with a BCE weight > 0 it is the unweighted mean binary cross-entropy
 * of the step's own forward pass (the reported loss is the class terms plus weight x BCE, to float32
 * precision); with weight 0 it is null. Tiny resnet18 run (32x64 input) on the wasm backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { defaultLossConfig } from '../../src/loss/fbetaLoss';
import { TrainingRun } from '../../src/training/runLoop';
import type { StepReport } from '../../src/worker/trainingProtocol';
import { ofType, sampleData, startRequest, testEnvironment, testSettings } from './support/runFixtures';

const DATA = { count: 3, val: 1, frameWidth: 64, frameHeight: 48, inputHeight: 32, inputWidth: 64, seed: 2 };

async function stepsWithBceWeight(bceWeight: number): Promise<StepReport[]> {
  const env = testEnvironment();
  const settings = testSettings({ batchSize: 2, epochs: 1, seed: 3, loss: { ...defaultLossConfig(), bceWeight } });
  const run = await TrainingRun.create(startRequest(sampleData({ ...DATA }), settings), env);
  await run.start();
  run.dispose();
  return ofType(env.messages, 'step').map((m) => m.report);
}

describe('StepReport.bce (wasm backend)', () => {
  beforeAll(async () => {
    await useWasmBackendInNode();
  });

  it('reports the BCE term of the loss when its weight is > 0, null when it is 0', async () => {
    const [withBce] = await stepsWithBceWeight(0.5);
    expect(withBce!.bce).not.toBeNull();
    const bce = withBce!.bce!;
    // Three classes near 1/3 each at the start: BCE is about -(1/3 ln 1/3 + 2/3 ln 2/3) = 0.64.
    expect(bce).toBeGreaterThan(0.3);
    expect(bce).toBeLessThan(1.5);
    const fTerms = withBce!.terms.reduce((a, b) => a + b, 0);
    expect(withBce!.loss).toBeCloseTo(fTerms + 0.5 * bce, 5);

    const [without] = await stepsWithBceWeight(0);
    expect(without!.bce).toBeNull();
    expect(without!.loss).toBeCloseTo(without!.terms.reduce((a, b) => a + b, 0), 5);
    // Same seed, same first forward pass: the F terms match; only the BCE part of the loss differs.
    without!.terms.forEach((t, c) => expect(t).toBeCloseTo(withBce!.terms[c]!, 6));
  });
});
