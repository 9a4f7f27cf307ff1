/** A sample-dataset training run in Node: data, settings and an in-memory environment. */
import * as tf from '@tensorflow/tfjs';
import { CARLA_SCHEME } from '../../../src/data/labelScheme';
import { sampleHoodMask } from '../../../src/data/sample/generateFrame';
import { defaultLossConfig } from '../../../src/loss/fbetaLoss';
import { originalInputSpec, type InputSpec } from '../../../src/model/config';
import type { LinkNetModel } from '../../../src/model/linkNetModel';
import { noAugmentConfig } from '../../../src/training/augment';
import { SamplePairSource } from '../../../src/training/pairSource';
import type { BackendControl, RunEnvironment } from '../../../src/training/runLoop';
import { MemoryRunStore } from '../../../src/training/runStore';
import type { FromTrainingWorker, StartRequest, TrainingData, TrainingSettings } from '../../../src/worker/trainingProtocol';

export interface SampleDataOptions {
  count: number;
  val: number;
  frameWidth: number;
  frameHeight: number;
  inputHeight: number;
  inputWidth: number;
  seed?: number;
}

/** Crop rows of the original (205-525 of 600) scaled to the frame height. */
export function sampleSpec(o: SampleDataOptions): InputSpec {
  const base = originalInputSpec();
  const top = Math.round((base.cropTop / base.frameHeight) * o.frameHeight);
  const bottom = Math.round((base.cropBottom / base.frameHeight) * o.frameHeight);
  return { ...base, frameWidth: o.frameWidth, frameHeight: o.frameHeight, cropTop: top, cropBottom: bottom, inputHeight: o.inputHeight, inputWidth: o.inputWidth };
}

export function sampleData(o: SampleDataOptions): TrainingData {
  const seed = o.seed ?? 1;
  const train = Array.from({ length: o.count - o.val }, (_, i) => i);
  const val = Array.from({ length: o.val }, (_, i) => o.count - o.val + i);
  return {
    source: { kind: 'sample', count: o.count, seed, width: o.frameWidth, height: o.frameHeight },
    train,
    val,
    spec: sampleSpec(o),
    scheme: CARLA_SCHEME,
    hood: sampleHoodMask(o.frameWidth, o.frameHeight),
    fingerprint: `sample:${seed}:${o.count}:${o.frameWidth}x${o.frameHeight}:${o.inputHeight}x${o.inputWidth}`,
  };
}

export function testSettings(overrides: Partial<TrainingSettings> = {}): TrainingSettings {
  return {
    encoder: 'resnet18',
    batchSize: 2,
    epochs: 1,
    learningRate: 1e-3,
    schedule: 'constant',
    loss: defaultLossConfig(),
    augment: noAugmentConfig(),
    seed: 5,
    validateEverySteps: 0,
    saveEverySteps: 0,
    cacheBudgetMiB: 64,
    thresholds: { road: 0.5, car: 0.5 },
    ...overrides,
  };
}

export function startRequest(data: TrainingData, settings: TrainingSettings, runId = 'run-1'): StartRequest {
  return { type: 'start', runId, name: `test ${runId}`, settings, data, model: { kind: 'new' }, backend: tf.getBackend() };
}

/** Loses the "device" by making the next backend call fail; recreating swaps in a fresh backend. */
export class SimulatedBackend implements BackendControl {
  lost = 0;
  recreated = 0;
  name(): string {
    return tf.getBackend();
  }
  loseDevice(): void {
    this.lost++;
  }
  async recreate(): Promise<void> {
    this.recreated++;
  }
}

export interface TestEnvironment extends RunEnvironment {
  store: MemoryRunStore;
  messages: FromTrainingWorker[];
  checkpointsSaved: { name: string; metadata: Record<string, string>; step: number }[];
  backend: SimulatedBackend;
}

export function testEnvironment(store = new MemoryRunStore()): TestEnvironment {
  const messages: FromTrainingWorker[] = [];
  const checkpointsSaved: TestEnvironment['checkpointsSaved'] = [];
  return {
    messages,
    checkpointsSaved,
    post: (m) => messages.push(m),
    store,
    checkpoints: {
      async save(name: string, _model: LinkNetModel, metadata: Record<string, string>) {
        checkpointsSaved.push({ name, metadata, step: Number(metadata.step) });
      },
    },
    backend: new SimulatedBackend(),
    sourceFor: (data) => {
      if (data.source.kind !== 'sample') throw new Error('tests use the sample source');
      return new SamplePairSource(data.source.count, data.source.seed, data.source.width, data.source.height);
    },
    yieldNow: async () => undefined,
    previews: 1,
  };
}

export function ofType<T extends FromTrainingWorker['type']>(messages: FromTrainingWorker[], type: T): Extract<FromTrainingWorker, { type: T }>[] {
  return messages.filter((m): m is Extract<FromTrainingWorker, { type: T }> => m.type === type);
}
