/**
 * The network the viewer runs for a model: its FoldedLinkNet (BatchNorm folded into the
 * convolutions, conv + bias + ReLU as one fused kernel: 70 kernels a frame for LinkNet18 instead
 * of 322), built once per model and kept until another model comes or the cache is disposed.
 * Session models are never changed in place (training and imports replace them), so the model's
 * identity says when to fold again.
 *
 * Measured side by side (bench/results/2026-12-05-vm-2cpu-folded.*, alternating pairs, 64x128):
 * 1.43x (LinkNet18) and 1.38x (LinkNet34) on WebGPU (SwiftShader), 1.10x and 1.01x on wasm.
 */

interface Disposable {
  dispose(): void;
}

interface Entry<M, N> {
  model: M;
  net: Promise<N>;
  /** Set once `net` resolves, so dispose() can free it at once. */
  ready: N | null;
}

export class FoldedNetCache<M, N extends Disposable> {
  private entry: Entry<M, N> | null = null;

  constructor(private readonly fold: (model: M) => Promise<N>) {}

  /** The folded network of `model`, folding it on first use; the previous model's is disposed. */
  get(model: M): Promise<N> {
    if (this.entry?.model === model) return this.entry.net;
    this.release(this.entry);
    const entry: Entry<M, N> = { model, net: this.fold(model), ready: null };
    this.entry = entry;
    entry.net.then(
      (net) => {
        entry.ready = net;
        // Superseded or disposed while folding.
        if (this.entry !== entry) net.dispose();
      },
      () => {
        // A failed fold is tried again on the next call.
        if (this.entry === entry) this.entry = null;
      },
    );
    return entry.net;
  }

  /** Frees the kept network (a fold in progress is freed when it ends). */
  dispose(): void {
    const entry = this.entry;
    this.entry = null;
    this.release(entry);
  }

  private release(entry: Entry<M, N> | null): void {
    entry?.ready?.dispose();
  }
}
