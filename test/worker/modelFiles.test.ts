import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { smallConfig } from '../../e2e/support/modelFiles';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { exportLinkNetOnnx } from '../../src/onnx/exportOnnx';
import { ModelSession } from '../../src/state/modelSession';
import { fileBytes } from '../../src/util/browserDownload';
import { EXPORT_TARGETS, modelExportFiles } from '../../src/weights/exportFiles';
import { writeSafetensorsModel } from '../../src/weights/modelFile';
import { ModelFileError } from '../../src/weights/modelFileError';
import { modelToArtifacts, tfjsModelFiles } from '../../src/weights/tfjsFormat';
import { inThreadModelFiles, ModelFiles, ModelFilesWorker } from '../../src/worker/modelFilesClient';
import type { ModelFilesReply, ModelFilesRequest } from '../../src/worker/modelFilesProtocol';
import { runModelFilesRequest } from '../../src/worker/modelFilesWork';
import { registerMemoryModelStore } from '../support/memoryModelStore';

const config = smallConfig();

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A stand-in worker running the worker's own request function, answering asynchronously; records what it was sent. */
class StandInWorker {
  onmessage: ((e: MessageEvent<ModelFilesReply>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  readonly sent: ModelFilesRequest[] = [];
  readonly transferred: Transferable[][] = [];
  terminated = false;

  /** `answers`: false for a worker that takes each request and never answers (it will crash). */
  constructor(private readonly answers = true) {}

  postMessage(request: ModelFilesRequest, transfer: Transferable[] = []): void {
    this.sent.push(request);
    this.transferred.push(transfer);
    if (this.answers) void runModelFilesRequest(request, true).then(({ reply }) => setTimeout(() => this.onmessage?.({ data: reply } as MessageEvent<ModelFilesReply>), 0));
  }

  crash(message: string): void {
    this.onerror?.({ message, preventDefault: () => undefined } as ErrorEvent);
  }

  terminate(): void {
    this.terminated = true;
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerMemoryModelStore();
});

describe('export files from TensorFlow.js-layout weights', () => {
  it('are byte for byte the files the model-reading writers make, for every target, with their names', async () => {
    const model = LinkNetModel.create(config, 4);
    const weights = await model.readTfWeights();
    const extra = { note: 'run 3' };
    const made = new Map(EXPORT_TARGETS.map((t) => [t, modelExportFiles(t, 'road2', config, weights, extra)]));
    expect([...made].map(([t, files]) => [t, files.map((f) => f.name)])).toEqual([
      ['F32', ['road2.safetensors']],
      ['F16', ['road2-f16.safetensors']],
      ['BF16', ['road2-bf16.safetensors']],
      ['tfjs', ['model.json', 'weights.bin']],
      ['onnx', ['road2.onnx']],
    ]);
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      expect(bytesOf(made.get(dtype)![0]!.bytes).equals(bytesOf(await writeSafetensorsModel(model, dtype, extra))), dtype).toBe(true);
    }
    expect(bytesOf(made.get('onnx')![0]!.bytes).equals(bytesOf(await exportLinkNetOnnx(model, extra)))).toBe(true);
    const tfjs = tfjsModelFiles(await modelToArtifacts(model, extra));
    const [json, bin] = made.get('tfjs')!;
    expect(new TextDecoder().decode(json!.bytes)).toBe(tfjs.modelJson);
    expect(bytesOf(bin!.bytes).equals(bytesOf(tfjs.weights))).toBe(true);
    model.dispose();
  });

  it('a missing weight fails, naming it', () => {
    expect(() => modelExportFiles('tfjs', 'm', config, new Map(), {})).toThrow('missing tensor "firstconv.weight"');
  });
});

describe('the model-files worker client', () => {
  it('hands the weights over transferred and gets the same files as in this thread', async () => {
    const model = LinkNetModel.create(config, 5);
    const worker = new StandInWorker();
    const files = new ModelFiles(new ModelFilesWorker(() => worker as unknown as Worker).run);
    const viaWorker = await files.exportFiles(model, 'F16', 'm', {});
    const inThread = await new ModelFiles(inThreadModelFiles).exportFiles(model, 'F16', 'm', {});
    expect(viaWorker.map((f) => f.name)).toEqual(['m-f16.safetensors']);
    // The worker makes the Blob (handing it over copies nothing), in this thread the bytes stay bytes.
    const [blobFile, bytesFile] = [viaWorker[0]!, inThread[0]!];
    if (!('blob' in blobFile) || 'blob' in bytesFile) throw new Error('expected a Blob from the worker and bytes in this thread');
    expect(blobFile.blob.type).toBe('application/octet-stream');
    expect(bytesOf(await fileBytes(blobFile)).equals(bytesOf(bytesFile.bytes))).toBe(true);
    const request = worker.sent[0] as Extract<ModelFilesRequest, { type: 'export' }>;
    expect(request.weights.map(([name]) => name)).toEqual(model.specs.map((s) => s.name));
    // Every weight's buffer is in the transfer list (on the CPU backend, copies of the backend's own storage).
    expect(worker.transferred[0]).toEqual(request.weights.map(([, w]) => w.buffer));
    const own = (await model.readTfWeights()).get('firstconv.weight')!;
    expect(request.weights[0]![1]).not.toBe(own);
    model.dispose();
  });

  it("a worker's file error comes back as a ModelFileError; after a crash the next request starts a new worker", async () => {
    const workers: StandInWorker[] = [];
    const files = new ModelFiles(
      new ModelFilesWorker(() => {
        // The second worker started takes the request out and crashes.
        workers.push(new StandInWorker(workers.length !== 1));
        return workers.at(-1) as unknown as Worker;
      }).run,
    );
    const missing = files.load('nothing here');
    await expect(missing).rejects.toThrow(ModelFileError);
    await expect(missing).rejects.toThrow('no model named "nothing here" is saved in this browser');
    workers[0]!.crash('lost');
    expect(workers[0]!.terminated).toBe(true);
    const model = LinkNetModel.create(config, 6);
    const lost = files.exportFiles(model, 'F32', 'm', {}).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await vi.waitFor(() => expect(workers[1]?.sent).toHaveLength(1));
    workers[1]!.crash('out of memory');
    expect(await lost).toBe('the model files worker stopped: out of memory');
    const again = await files.exportFiles(model, 'F32', 'm', {});
    expect(again.map((f) => f.name)).toEqual(['m.safetensors']);
    expect(workers).toHaveLength(3);
    model.dispose();
  });
});

describe('a session saves to and loads from the browser through the model-files work', () => {
  it('saves with the encoder and classes noted, and loads the same weights back', async () => {
    const worker = new StandInWorker();
    const session = new ModelSession(new ModelFiles(new ModelFilesWorker(() => worker as unknown as Worker).run));
    await session.createNew(config, 8);
    const before = await session.linkNet!.readTorchWeights();
    const saved = await session.saveToBrowser(' kept ');
    expect(saved).toMatchObject({ name: 'kept', url: 'indexeddb://segstudio/kept', encoder: 'resnet18', classes: 2 });
    await expect(session.saveToBrowser('   ')).rejects.toThrow('give the model a name');
    expect(worker.sent.map((r) => r.type)).toEqual(['save']);
    await session.createNew(config, 9);
    const info = await session.loadFromBrowser('kept');
    expect(info.origin).toEqual({ kind: 'browser', name: 'kept' });
    const after = await session.linkNet!.readTorchWeights();
    expect([...before].filter(([name, values]) => !bytesOf(values).equals(bytesOf(after.get(name)!))).map(([n]) => n)).toEqual([]);
    expect(worker.sent.map((r) => r.type)).toEqual(['save', 'load']);
    session.clear();
  });
});

describe('a session imports picked files through the model-files work', () => {
  it("hands the files' bytes over transferred and builds the model they hold; a refusal names the file", async () => {
    const worker = new StandInWorker();
    const session = new ModelSession(new ModelFiles(new ModelFilesWorker(() => worker as unknown as Worker).run));
    const source = LinkNetModel.create(config, 3);
    const bytes = await writeSafetensorsModel(source, 'F32');
    const file = { name: 'road2.safetensors', bytes: bytes.slice() };
    const { notice } = await session.importFiles([file], smallConfig({ encoder: 'resnet34' }), 0);
    expect(notice).toBe('road2.safetensors: LinkNet18 with 2 classes imported');
    expect(worker.sent.map((r) => r.type)).toEqual(['read']);
    expect(worker.transferred[0]).toEqual([file.bytes.buffer]);
    const imported = await session.linkNet!.readTorchWeights();
    const expected = await source.readTorchWeights();
    expect([...expected].filter(([name, values]) => !bytesOf(values).equals(bytesOf(imported.get(name)!))).map(([n]) => n)).toEqual([]);

    const refused = session.importFiles([{ name: 'photo.png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]) }], config, 0);
    await expect(refused).rejects.toMatchObject({ name: 'NamedModelError', subject: 'photo.png', problem: 'this is a PNG image, not a model file' });
    const cut = session.importFiles([{ name: 'cut.safetensors', bytes: bytes.slice(0, bytes.length - 4) }], config, 0);
    await expect(cut).rejects.toMatchObject({ subject: 'cut.safetensors', tensor: expect.any(String) });
    expect(session.current?.origin).toEqual({ kind: 'file', file: 'road2.safetensors', format: 'safetensors' });
    session.clear();
    source.dispose();
  });
});

