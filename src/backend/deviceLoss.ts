/**
 * A lost GPU device: noticing it, and making the backend anew. A WebGPU device is lost when the
 * driver resets (a GPU hang, an update, another tab's crash) or the browser reclaims it; a WebGL
 * context is lost the same way. Every buffer on it is gone, so every tensor of that backend is
 * too. TensorFlow.js does not recover by itself: its backend instance keeps the dead device or
 * context. Removing the backend and registering its factory again makes the next setBackend build
 * a new instance, on a new GPUDevice or WebGL context (kernels stay registered: they are kept by
 * backend name).
 *
 * The page (viewer, model panel) and the training worker each hold their own device; each watches
 * its own.
 */
import * as tf from '@tensorflow/tfjs';

export interface DeviceLoss {
  /** GPUDeviceLostInfo.reason: 'destroyed' or 'unknown'. */
  reason: string;
  message: string;
}

interface WithDevice {
  device?: GPUDevice;
}

/** What TensorFlow.js's WebGL backend holds: the canvas of its context, and the context. */
interface WithContext {
  canvas?: HTMLCanvasElement | OffscreenCanvas | null;
  gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext };
}

/** The active backend's GPUDevice (WebGPU only), or null. */
export function activeDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as WithDevice).device ?? null;
}

function activeWebglContext(): WithContext | null {
  if (tf.getBackend() !== 'webgl') return null;
  return tf.backend() as unknown as WithContext;
}

/**
 * Calls `onLost` once when the active backend's GPU device (WebGPU) or context (WebGL) is lost,
 * unless watching was stopped first (the returned function) or that backend instance was
 * replaced meanwhile. On a backend without one (wasm, CPU) it watches nothing.
 */
export function watchDeviceLoss(onLost: (loss: DeviceLoss) => void): () => void {
  const name = tf.getBackend();
  const backend = tf.backend();
  let watching = true;
  const report = (loss: DeviceLoss) => {
    // The registry itself: tf.findBackend would start building a removed backend, and that
    // silently cancels a tf.setBackend in progress (the recovery's own).
    if (!watching || tf.engine().registry[name] !== backend) return;
    watching = false;
    onLost(loss);
  };
  const device = activeDevice();
  void device?.lost.then((info) => report({ reason: info.reason ?? 'unknown', message: info.message ?? '' }));
  const canvas = activeWebglContext()?.canvas;
  const contextLost = () => report({ reason: 'webglcontextlost', message: 'the WebGL context was lost' });
  canvas?.addEventListener('webglcontextlost', contextLost, { once: true });
  return () => {
    watching = false;
    canvas?.removeEventListener('webglcontextlost', contextLost);
  };
}

/**
 * Loses the active backend's GPU device (WebGPU: destroyed) or context (WebGL: WEBGL_lose_context)
 * as a driver reset would (tests, fault drills); false on a backend without one.
 */
export function loseActiveDevice(): boolean {
  const device = activeDevice();
  if (device) {
    device.destroy();
    return true;
  }
  const lose = activeWebglContext()?.gpgpu?.gl?.getExtension('WEBGL_lose_context');
  lose?.loseContext();
  return !!lose;
}

/**
 * Removes `name` from TensorFlow.js and registers its factory again, so the next
 * tf.setBackend(name) builds a new instance; the old instance's tensors are gone with it.
 */
export function reregisterBackend(name: string): void {
  const factory = tf.findBackendFactory(name);
  if (!factory) throw new Error(`the ${name} backend is not registered`);
  tf.removeBackend(name);
  tf.registerBackend(name, factory);
}

/** The reason the browser gave, e.g. "unknown: GPU hang" (without a closing full stop, to go inside a sentence). */
export function deviceLossReason(loss: DeviceLoss): string {
  const detail = loss.message.trim().replace(/\.$/, '');
  return `${loss.reason}${detail ? `: ${detail}` : ''}`;
}

/** A readable one-liner of a loss, e.g. "the GPU device was lost (unknown: GPU hang)". */
export function describeDeviceLoss(loss: DeviceLoss): string {
  return `the GPU device was lost (${deviceLossReason(loss)})`;
}
