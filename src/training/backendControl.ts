/**
 * Device loss and recovery for the backend a run trains on. On WebGPU, losing the device really
 * destroys it (GPUDevice.destroy()); elsewhere there is no device to destroy and the run loop's
 * DeviceLostError stands in for the loss. Recovery removes the backend from TensorFlow.js and
 * registers it again from its factory, so the next setBackend builds a new instance (on WebGPU, a
 * new GPUDevice). Kernels stay registered (they are kept by backend name).
 */
import * as tf from '@tensorflow/tfjs';
import { loseActiveDevice, reregisterBackend } from '../backend/deviceLoss';
import { initialiseBackend } from '../backend/initialiseBackend';
import type { BackendControl } from './runLoop';

/** How long making the backend again may take (a new GPU device, the self-test). */
const RECREATE_TIMEOUT_MS = 60_000;

export class TfBackendControl implements BackendControl {
  constructor(private backendName: string = tf.getBackend()) {}

  name(): string {
    return this.backendName;
  }

  loseDevice(): void {
    if (this.backendName === 'webgpu') loseActiveDevice();
  }

  async recreate(): Promise<void> {
    const name = this.backendName;
    reregisterBackend(name);
    const error = await initialiseBackend(name, RECREATE_TIMEOUT_MS);
    if (error) throw new Error(`the ${name} backend could not be created again: ${error}`);
  }
}
