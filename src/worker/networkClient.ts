/**
 * The page's side of the viewer's network worker (src/worker/networkWorker.ts). A model goes over
 * once (its weights read from the page's backend), then each frame's pixels go over and its
 * probabilities come back. Only for the backends that compute on the page's own thread (wasm,
 * CPU); the GPU backends keep the network, its output and the post-processing on the GPU.
 */
import type { FramePixels } from '../inference/frameInput';
import type { LinkNetModel } from '../model/linkNetModel';
import type { NetworkReply, NetworkRequest } from './networkProtocol';
import { OrderedWorkerChannel } from './orderedChannel';
import { readWeightsForTransfer } from './weightsForTransfer';

/** The network's output for one frame, computed off the page. */
export interface OffPageProbabilities {
  /** [rows, width, classes] (HWC) over the crop. */
  values: Float32Array;
  shape: [number, number, number];
  /** The network and its read-back in the worker (ms). */
  networkMs: number;
  /** Time this run spent starting the worker and handing it the model (ms; 0 once it has them). */
  setupMs: number;
}

/** A network that runs elsewhere than on the page's thread. */
export interface OffPageNetwork {
  run(model: LinkNetModel, frame: FramePixels): Promise<OffPageProbabilities>;
  dispose(): void;
}

/** The worker could not start the backend: the page runs the network itself. */
export class NetworkWorkerUnavailable extends Error {}

/** The backends whose kernels run on the calling thread. */
const PAGE_THREAD_BACKENDS = new Set(['wasm', 'cpu']);

/** Asks the worker; its 'failed' reply becomes an error (NetworkWorkerUnavailable when the backend did not start). */
async function ask(channel: OrderedWorkerChannel<NetworkRequest, NetworkReply>, request: NetworkRequest, transfer: Transferable[] = []): Promise<NetworkReply> {
  const answer = await channel.ask(request, transfer);
  if (answer.type !== 'failed') return answer;
  throw answer.backend ? new NetworkWorkerUnavailable(answer.error) : new Error(answer.error);
}

export class NetworkWorker implements OffPageNetwork {
  private channel: OrderedWorkerChannel<NetworkRequest, NetworkReply> | null = null;
  /** The model the worker holds, and its key there. */
  private sent: { model: LinkNetModel; key: number } | null = null;
  private keys = 0;
  /** Runs take turns: a model sent by one must not be replaced under another. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly backend: string,
    private readonly makeWorker: () => Worker = () => new Worker(new URL('./networkWorker.ts', import.meta.url), { type: 'module', name: 'viewer network' }),
  ) {}

  run(model: LinkNetModel, frame: FramePixels): Promise<OffPageProbabilities> {
    const result = this.turn.then(() => this.runNow(model, frame));
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async runNow(model: LinkNetModel, frame: FramePixels): Promise<OffPageProbabilities> {
    const t0 = performance.now();
    if (!this.channel || this.channel.stopped) {
      this.channel = new OrderedWorkerChannel(this.makeWorker(), 'network', 'the network worker was closed');
      this.sent = null;
    }
    const channel = this.channel;
    if (this.sent?.model !== model) {
      const key = ++this.keys;
      const { weights, transfer } = await readWeightsForTransfer(model, this.backend);
      this.sent = null;
      await ask(channel, { type: 'model', key, backend: this.backend, config: model.config, weights }, transfer);
      this.sent = { model, key };
    }
    const setupMs = performance.now() - t0;
    // A copy of the pixels goes over (the page keeps the frame to draw it).
    const data = new Uint8ClampedArray(frame.data);
    const answer = await ask(channel, { type: 'run', key: this.sent.key, frame: { data, width: frame.width, height: frame.height, channels: frame.channels } }, [data.buffer]);
    if (answer.type !== 'probabilities') throw new Error(`the network worker answered '${answer.type}' out of turn`);
    return { values: answer.values, shape: answer.shape, networkMs: answer.networkMs, setupMs };
  }

  dispose(): void {
    this.channel?.stop();
    this.channel = null;
    this.sent = null;
  }
}

let shared: NetworkWorker | null = null;

/**
 * The viewer's off-page network for the page's backend `backend`: a worker where that backend
 * computes on the page's thread and workers exist, else null (the page runs the network).
 */
export function offPageNetworkFor(backend: string): OffPageNetwork | null {
  if (!PAGE_THREAD_BACKENDS.has(backend) || typeof Worker === 'undefined') return null;
  if (shared?.backend !== backend) {
    shared?.dispose();
    shared = new NetworkWorker(backend);
  }
  return shared;
}
