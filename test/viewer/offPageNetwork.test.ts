/**
 * The viewer's network off the page's thread: the engine with an off-page network renders what it
 * renders with the network on the page, falls back to the page when the worker cannot start the
 * backend; the client sends a model once, again after a worker stopped, and hands errors on.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { framesToInput, type FramePixels } from '../../src/inference/frameInput';
import { probabilitiesAtCropSize } from '../../src/inference/frameMasks';
import { defaultModelConfig, originalInputSpec } from '../../src/model/config';
import { FoldedLinkNet } from '../../src/model/foldedLinkNet';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { ORIGINAL_SETTINGS } from '../../src/postprocess/settings';
import { seededRandom } from '../../src/util/seededRandom';
import { channelRange, ViewerEngine } from '../../src/viewer/engine';
import { NetworkWorker, NetworkWorkerUnavailable, offPageNetworkFor, type OffPageNetwork, type OffPageProbabilities } from '../../src/worker/networkClient';
import type { NetworkReply, NetworkRequest } from '../../src/worker/networkProtocol';
import { torchWeightsFromTfLayout } from '../../src/weights/pytorchLayout';

const [W, H] = [64, 48];
const config = defaultModelConfig({
  encoder: 'resnet18',
  input: { ...originalInputSpec(), frameWidth: W, frameHeight: H, cropTop: 8, cropBottom: 40, inputHeight: 32, inputWidth: 64 },
});

function randomFrame(seed: number): FramePixels {
  const r = seededRandom(seed);
  return { data: Uint8ClampedArray.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.floor(r() * 256))), width: W, height: H, channels: 4 };
}

/** What the worker computes, in this thread: the model's weights folded, the crop's probabilities read back. */
class InThreadNetwork implements OffPageNetwork {
  runs = 0;
  folds = 0;
  private kept: { model: LinkNetModel; net: FoldedLinkNet } | null = null;

  async run(model: LinkNetModel, frame: FramePixels): Promise<OffPageProbabilities> {
    this.runs++;
    if (this.kept?.model !== model) {
      this.kept?.net.dispose();
      this.kept = { model, net: FoldedLinkNet.fromTorchWeights(model.config, torchWeightsFromTfLayout(model.config, await model.readTfWeights())) };
      this.folds++;
    }
    const net = this.kept.net;
    const probs = tf.tidy(() => tf.squeeze(probabilitiesAtCropSize(net.predict(framesToInput([frame], model.config.input)), model.config.input), [0]) as tf.Tensor3D);
    const values = (await probs.data()) as Float32Array;
    probs.dispose();
    const [rows, width, classes] = probs.shape;
    return { values, shape: [rows, width, classes], networkMs: 12.5, setupMs: 0 };
  }

  dispose(): void {
    this.kept?.net.dispose();
    this.kept = null;
  }
}

describe('the viewer engine with its network off the page', () => {
  let previous = '';
  beforeAll(async () => {
    previous = tf.getBackend();
    await useWasmBackendInNode();
  });
  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  it('renders, counts, probes and exports what it does with the network on the page, and keeps no more tensors', async () => {
    const model = LinkNetModel.create(config, 3);
    const network = new InThreadNetwork();
    const offPage = new ViewerEngine('javascript', () => network);
    const onPage = new ViewerEngine('javascript', () => null);
    const r = seededRandom(5);
    const bits = () => Uint8Array.from({ length: W * H }, () => (r() < 0.4 ? 1 : 0));
    const truth = { width: W, height: H, car: bits(), road: bits() };
    const hood = { width: W, height: H, mask: Uint8Array.from({ length: W * H }, (_, i) => (i >= 44 * W ? 1 : 0)) };
    try {
      let kept = -1;
      for (const seed of [1, 2]) {
        const frame = randomFrame(seed);
        const a = await offPage.infer(model, frame, 'frame');
        const b = await onPage.infer(model, frame, 'frame');
        expect(a.network).toBe(12.5);
        expect(a.ranges).toEqual(b.ranges);
        expect(a.ranges.car[0]).toBeLessThan(a.ranges.car[1]);
        const probs = await offPage.readProbabilities();
        expect(probs.values).toEqual((await onPage.readProbabilities()).values);
        const mid = probs.values.reduce((s, v) => s + v, 0) / probs.values.length;
        const settings = { ...ORIGINAL_SETTINGS, car: { ...ORIGINAL_SETTINGS.car, threshold: mid }, road: { ...ORIGINAL_SETTINGS.road, threshold: mid } };
        for (const mode of ['masks', 'heat', 'errors'] as const) {
          const view = { mode, opacity: 0.5, showCar: true, showRoad: true, focus: 'car' as const };
          const ra = await offPage.render(settings, hood, view, truth);
          const rb = await onPage.render(settings, hood, view, truth);
          expect({ ...ra, ms: 0 }).toEqual({ ...rb, ms: 0 });
          expect(ra.carPixels).toBeGreaterThan(0);
          expect((await offPage.readOverlay()).rgba).toEqual((await onPage.readOverlay()).rgba);
        }
        expect(await offPage.readMasks()).toEqual(await onPage.readMasks());
        expect(await offPage.probe(10, 20)).toEqual(await onPage.probe(10, 20));
        // Frame after frame the off-page engine keeps the same tensors (its probabilities, nothing else grows).
        if (kept < 0) kept = tf.memory().numTensors;
        else expect(tf.memory().numTensors).toBe(kept);
      }
      expect([network.runs, network.folds, offPage.runs]).toEqual([2, 1, 2]);
    } finally {
      offPage.dispose();
      onPage.dispose();
      network.dispose();
      model.dispose();
    }
  });

  it("hands the worker the weights as the backend holds them, which it permutes into the model's PyTorch weights", async () => {
    const model = LinkNetModel.create(config, 3);
    try {
      const torch = await model.readTorchWeights();
      const fromTf = torchWeightsFromTfLayout(config, await model.readTfWeights());
      expect([...fromTf.keys()]).toEqual([...torch.keys()]);
      const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      for (const [name, w] of torch) expect(bytes(fromTf.get(name)!).equals(bytes(w)), name).toBe(true);
      expect(() => torchWeightsFromTfLayout(config, new Map())).toThrow(/^the weights lack /);
    } finally {
      model.dispose();
    }
  });

  it('runs the network on the page from the first time the worker cannot start the backend', async () => {
    const model = LinkNetModel.create(config, 3);
    let asked = 0;
    const failing: OffPageNetwork = {
      run: async () => {
        asked++;
        throw new NetworkWorkerUnavailable('the network worker could not start wasm: no binary');
      },
      dispose: () => undefined,
    };
    const engine = new ViewerEngine('javascript', () => failing);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (m: string) => warnings.push(m);
    try {
      for (const seed of [1, 2]) {
        const t = await engine.infer(model, randomFrame(seed), 'frame');
        expect(t.network).toBeGreaterThan(0);
        expect((await engine.readProbabilities()).values.length).toBe(32 * 64 * 3);
      }
      expect(asked).toBe(1);
      expect(warnings).toEqual(['the network worker could not start wasm: no binary: the viewer runs the network on the page']);
    } finally {
      console.warn = warn;
      engine.dispose();
      model.dispose();
    }
  });

  it('hands on any other failure of the off-page network', async () => {
    const model = LinkNetModel.create(config, 3);
    const engine = new ViewerEngine('javascript', () => ({ run: () => Promise.reject(new Error('out of memory')), dispose: () => undefined }));
    try {
      await expect(engine.infer(model, randomFrame(1), 'frame')).rejects.toThrow('out of memory');
      expect(engine.hasProbabilities).toBe(false);
    } finally {
      engine.dispose();
      model.dispose();
    }
  });
});

it('channelRange gives the lowest and highest value of one channel', () => {
  const values = Float32Array.from([0.1, 0.9, 0.5, 0.3, 0.2, 0.7]);
  expect(channelRange(values, 3, 0)).toEqual([Math.fround(0.1), Math.fround(0.3)]);
  expect(channelRange(values, 3, 1)).toEqual([Math.fround(0.2), Math.fround(0.9)]);
});

/** A stand-in worker: answers each request with `answer` (asynchronously, like a worker), records what it was sent. */
class FakeWorker {
  onmessage: ((e: MessageEvent<NetworkReply>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  readonly sent: NetworkRequest[] = [];
  readonly transferred: Transferable[][] = [];
  terminated = false;

  constructor(private readonly answer: (r: NetworkRequest) => NetworkReply | null) {}

  postMessage(request: NetworkRequest, transfer: Transferable[] = []): void {
    this.sent.push(request);
    this.transferred.push(transfer);
    const reply = this.answer(request);
    if (reply) setTimeout(() => this.onmessage?.({ data: reply } as MessageEvent<NetworkReply>), 0);
  }

  crash(message: string): void {
    this.onerror?.({ message, preventDefault: () => undefined } as ErrorEvent);
  }

  terminate(): void {
    this.terminated = true;
  }
}

describe('the network worker client', () => {
  const probabilities = (): NetworkReply => ({ type: 'probabilities', values: new Float32Array(6), shape: [1, 2, 3], networkMs: 4 });
  const answer = (r: NetworkRequest): NetworkReply => (r.type === 'model' ? { type: 'ready', key: r.key } : probabilities());
  /** A model as far as the client sees it: its config and its weights read back. */
  /** A model as far as the client sees it: its config and its weights read back (the same arrays each time, like a backend's storage). */
  const fakeModel = (bias: number) => {
    const weights = new Map([['final.bias', Float32Array.from([bias, bias, bias])]]);
    return { config, weights, readTfWeights: async () => weights } as unknown as LinkNetModel & { weights: Map<string, Float32Array> };
  };

  it('sends a model once, again when another comes, and each frame with its model key', async () => {
    const workers: FakeWorker[] = [];
    const client = new NetworkWorker('wasm', () => {
      workers.push(new FakeWorker(answer));
      return workers.at(-1) as unknown as Worker;
    });
    const [m1, m2] = [fakeModel(1), fakeModel(2)];
    const frame = randomFrame(1);
    await client.run(m1, frame);
    await client.run(m1, frame);
    const last = await client.run(m2, frame);
    expect(last.shape).toEqual([1, 2, 3]);
    expect(workers).toHaveLength(1);
    const sent = workers[0]!.sent;
    expect(sent.map((r) => r.type)).toEqual(['model', 'run', 'run', 'model', 'run']);
    const models = sent.filter((r) => r.type === 'model');
    expect(models.map((m) => [m.key, m.backend, m.weights[0]![1][0]])).toEqual([[1, 'wasm', 1], [2, 'wasm', 2]]);
    expect(sent.filter((r) => r.type === 'run').map((r) => r.key)).toEqual([1, 1, 2]);
    // On wasm the weights read back are the page's own copies: their buffers are transferred, not cloned.
    const first = models[0]!.weights[0]![1];
    expect(first).toBe(m1.weights.get('final.bias'));
    expect(workers[0]!.transferred[0]).toEqual([first.buffer]);
    // The frame's pixels went over as a copy: the page's frame is untouched.
    const run = sent[1] as Extract<NetworkRequest, { type: 'run' }>;
    expect(run.frame.data).not.toBe(frame.data);
    expect(Array.from(run.frame.data)).toEqual(Array.from(frame.data));
    client.dispose();
    expect(workers[0]!.terminated).toBe(true);
  });

  it('on the CPU backend (whose reads are its own storage) and for a view into a larger buffer, transfers copies', async () => {
    const worker = new FakeWorker(answer);
    const cpu = new NetworkWorker('cpu', () => worker as unknown as Worker);
    const model = fakeModel(3);
    await cpu.run(model, randomFrame(1));
    const sentWeight = (worker.sent[0] as Extract<NetworkRequest, { type: 'model' }>).weights[0]![1];
    expect(sentWeight).not.toBe(model.weights.get('final.bias'));
    expect(Array.from(sentWeight)).toEqual([3, 3, 3]);
    expect(worker.transferred[0]).toEqual([sentWeight.buffer]);
    cpu.dispose();
    const wasmWorker = new FakeWorker(answer);
    const wasm = new NetworkWorker('wasm', () => wasmWorker as unknown as Worker);
    const view = { config, readTfWeights: async () => new Map([['final.bias', new Float32Array(8).subarray(2, 5)]]) } as unknown as LinkNetModel;
    await wasm.run(view, randomFrame(1));
    const viewSent = (wasmWorker.sent[0] as Extract<NetworkRequest, { type: 'model' }>).weights[0]![1];
    expect(viewSent.buffer.byteLength).toBe(12);
    wasm.dispose();
  });

  it('runs take turns, so a model sent for one run is not replaced under another', async () => {
    const worker = new FakeWorker(answer);
    const client = new NetworkWorker('cpu', () => worker as unknown as Worker);
    const [m1, m2] = [fakeModel(1), fakeModel(2)];
    await Promise.all([client.run(m1, randomFrame(1)), client.run(m2, randomFrame(2)), client.run(m1, randomFrame(3))]);
    expect(worker.sent.map((r) => `${r.type} ${r.key}`)).toEqual(['model 1', 'run 1', 'model 2', 'run 2', 'model 3', 'run 3']);
    client.dispose();
  });

  it('a failed backend is NetworkWorkerUnavailable, another failure an Error; a crashed worker is made again and the model sent again', async () => {
    let failBackend = true;
    let failRun = true;
    let hang = false;
    const workers: FakeWorker[] = [];
    const client = new NetworkWorker('wasm', () => {
      workers.push(
        new FakeWorker((r) => {
          if (r.type === 'model' && failBackend) return { type: 'failed', error: 'the network worker could not start wasm: no binary', backend: true };
          if (r.type === 'run' && failRun) return { type: 'failed', error: 'out of memory' };
          if (r.type === 'run' && hang) return null;
          return answer(r);
        }),
      );
      return workers.at(-1) as unknown as Worker;
    });
    const model = fakeModel(1);
    await expect(client.run(model, randomFrame(1))).rejects.toBeInstanceOf(NetworkWorkerUnavailable);
    failBackend = false;
    await expect(client.run(model, randomFrame(1))).rejects.toThrow(/^out of memory$/);
    // The worker stops while a frame is out: that run fails with the reason.
    [failRun, hang] = [false, true];
    const pending = client.run(model, randomFrame(1));
    await new Promise((r) => setTimeout(r, 5));
    workers[0]!.crash('boom');
    await expect(pending).rejects.toThrow('the network worker stopped: boom');
    expect(workers[0]!.terminated).toBe(true);
    // The next run starts a new worker and sends it the model first.
    hang = false;
    await client.run(model, randomFrame(2));
    expect(workers).toHaveLength(2);
    expect(workers[1]!.sent.map((r) => r.type)).toEqual(['model', 'run']);
    client.dispose();
  });

  it('is used only for the backends that compute on the page thread, where workers exist', () => {
    expect(offPageNetworkFor('webgpu')).toBeNull();
    expect(offPageNetworkFor('webgl')).toBeNull();
    // Node has no Worker: the page (here, the test) runs the network.
    expect(offPageNetworkFor('wasm')).toBeNull();
  });
});
