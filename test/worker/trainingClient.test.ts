/**
 * The page's training client against an in-process worker double that answers like the training
 * worker: messages go out in protocol form, listeners receive everything, getWeights resolves with
 * its own request's answer and rejects when the weights are unavailable or the worker dies.
 */
import { describe, expect, it } from 'vitest';
import { TrainingClient, type WorkerLike } from '../../src/worker/trainingClient';
import type { FromTrainingWorker, ToTrainingWorker } from '../../src/worker/trainingProtocol';
import { defaultModelConfig } from '../../src/model/config';

class EchoWorker implements WorkerLike {
  sent: ToTrainingWorker[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<FromTrainingWorker>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: ToTrainingWorker): void {
    this.sent.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: FromTrainingWorker): void {
    this.onmessage?.({ data: message } as MessageEvent<FromTrainingWorker>);
  }
}

describe('TrainingClient', () => {
  it('sends control messages in protocol form', () => {
    const worker = new EchoWorker();
    const client = new TrainingClient(worker);
    client.pause();
    client.resume();
    client.setLearningRate(1e-5);
    client.setThresholds({ road: 0.7, car: 0.1 });
    client.injectFault('device-lost');
    client.stop();
    expect(worker.sent).toEqual([
      { type: 'pause' },
      { type: 'resume' },
      { type: 'set-learning-rate', learningRate: 1e-5 },
      { type: 'set-thresholds', thresholds: { road: 0.7, car: 0.1 } },
      { type: 'inject-fault', fault: 'device-lost' },
      { type: 'stop' },
    ]);
  });

  it('passes every message to its listeners until they unsubscribe', () => {
    const worker = new EchoWorker();
    const client = new TrainingClient(worker);
    const got: string[] = [];
    const off = client.onMessage((m) => got.push(m.type));
    worker.reply({ type: 'phase', phase: 'running', runId: 'r' });
    worker.reply({ type: 'saved', step: 3, at: 1, phase: 'running', bestScore: null });
    off();
    worker.reply({ type: 'phase', phase: 'paused', runId: 'r' });
    expect(got).toEqual(['phase', 'saved']);
  });

  it('resolves getWeights with the answer to its own request', async () => {
    const worker = new EchoWorker();
    const client = new TrainingClient(worker);
    const first = client.getWeights();
    const second = client.getWeights();
    const ids = worker.sent.map((m) => (m.type === 'get-weights' ? m.requestId : -1));
    expect(new Set(ids).size).toBe(2);
    const config = defaultModelConfig({ encoder: 'resnet18' });
    worker.reply({ type: 'weights-unavailable', requestId: ids[0], message: 'being restored' });
    worker.reply({ type: 'weights', requestId: ids[1], config, weights: { 'firstconv.weight': new Float32Array([1, 2]) }, step: 4 });
    await expect(first).rejects.toThrow('being restored');
    const w = await second;
    expect(w.step).toBe(4);
    expect(Array.from(w.weights['firstconv.weight'])).toEqual([1, 2]);
  });

  it('reports a crashed worker as a failure and rejects pending requests; dispose terminates', async () => {
    const worker = new EchoWorker();
    const client = new TrainingClient(worker);
    const failures: FromTrainingWorker[] = [];
    client.onMessage((m) => failures.push(m));
    const pending = client.getWeights();
    worker.onerror?.({ message: 'out of memory', preventDefault() {} } as ErrorEvent);
    await expect(pending).rejects.toThrow(/stopped: out of memory/);
    expect(failures[0]).toMatchObject({ type: 'failure', failure: 'other' });
    client.dispose();
    expect(worker.terminated).toBe(true);
    await expect(client.getWeights()).rejects.toThrow(/closed/);
  });
});
