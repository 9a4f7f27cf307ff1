/**
 * Noticing a lost GPU device and making the backend anew (src/backend/deviceLoss.ts), in Node: a
 * backend registered as 'webgpu' whose device is a stand-in that can be lost, the way a
 * GPUDevice's `lost` promise settles when the driver resets or the device is destroyed.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activeDevice, describeDeviceLoss, deviceLossReason, loseActiveDevice, reregisterBackend, watchDeviceLoss, type DeviceLoss } from '../../src/backend/deviceLoss';

class StandInDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  destroyed = 0;
  private settle!: (info: { reason: string; message: string }) => void;

  constructor() {
    this.lost = new Promise((resolve) => (this.settle = resolve));
  }

  destroy(): void {
    this.destroyed++;
    this.settle({ reason: 'destroyed', message: 'Device was destroyed.' });
  }

  /** What a driver reset does. */
  reset(message: string): void {
    this.settle({ reason: 'unknown', message });
  }
}

const devices: StandInDevice[] = [];
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeAll(async () => {
  await tf.setBackend('cpu');
  const Cpu = tf.backend().constructor as new () => tf.KernelBackend;
  // Each instance gets a new device, as TensorFlow.js's WebGPU backend asks for one when it is made.
  tf.registerBackend('webgpu', () => {
    const device = new StandInDevice();
    devices.push(device);
    return Object.assign(new Cpu(), { device });
  });
});

afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('watchDeviceLoss', () => {
  it('reports a lost device once, with the reason the browser gave', async () => {
    await tf.setBackend('webgpu');
    const device = activeDevice() as unknown as StandInDevice;
    expect(device).toBe(devices.at(-1));
    const losses: DeviceLoss[] = [];
    watchDeviceLoss((loss) => losses.push(loss));
    device.reset('GPU hang');
    await turn();
    expect(losses).toEqual([{ reason: 'unknown', message: 'GPU hang' }]);
    expect(describeDeviceLoss(losses[0]!)).toBe('the GPU device was lost (unknown: GPU hang)');
  });

  it('says nothing once stopped, or for a device the backend no longer runs on', async () => {
    await tf.setBackend('webgpu');
    const stopped: DeviceLoss[] = [];
    const stop = watchDeviceLoss((loss) => stopped.push(loss));
    const first = activeDevice() as unknown as StandInDevice;
    const replaced: DeviceLoss[] = [];
    stop();
    first.reset('after stop');
    await turn();
    expect(stopped).toEqual([]);

    reregisterBackend('webgpu');
    await tf.setBackend('webgpu');
    const second = activeDevice() as unknown as StandInDevice;
    watchDeviceLoss((loss) => replaced.push(loss));
    reregisterBackend('webgpu');
    await tf.setBackend('webgpu');
    expect(activeDevice()).not.toBe(second);
    second.reset('an old device');
    await turn();
    expect(replaced).toEqual([]);
  });

  it('a loss reported after the backend was removed does not start building it again', async () => {
    // (tf.findBackend would: and that silently cancels a tf.setBackend in progress.)
    await tf.setBackend('webgpu');
    const device = activeDevice() as unknown as StandInDevice;
    const losses: DeviceLoss[] = [];
    watchDeviceLoss((loss) => losses.push(loss));
    reregisterBackend('webgpu');
    device.reset('while the backend is being made again');
    await turn();
    expect(losses).toEqual([]);
    expect(tf.engine().registry['webgpu']).toBeUndefined();
  });

  it('watches nothing on a backend without a device', async () => {
    await tf.setBackend('cpu');
    expect(activeDevice()).toBeNull();
    expect(loseActiveDevice()).toBe(false);
    const losses: DeviceLoss[] = [];
    watchDeviceLoss((loss) => losses.push(loss));
    await turn();
    expect(losses).toEqual([]);
  });
});

describe('loseActiveDevice and reregisterBackend', () => {
  it('destroys the active device; the backend made anew runs on a new one and computes', async () => {
    await tf.setBackend('webgpu');
    const before = tf.backend();
    const device = activeDevice() as unknown as StandInDevice;
    const losses: DeviceLoss[] = [];
    watchDeviceLoss((loss) => losses.push(loss));
    expect(loseActiveDevice()).toBe(true);
    expect(device.destroyed).toBe(1);
    await turn();
    expect(losses.map(deviceLossReason)).toEqual(['destroyed: Device was destroyed']);

    reregisterBackend('webgpu');
    expect(await tf.setBackend('webgpu')).toBe(true);
    expect(tf.backend()).not.toBe(before);
    expect(activeDevice()).not.toBe(device);
    // It holds data (the stand-in has the CPU backend's storage, not the WebGPU kernels).
    expect(await tf.tensor1d([1, 2, 3]).data()).toEqual(new Float32Array([1, 2, 3]));
  });

  it('refuses a backend that is not registered', () => {
    expect(() => reregisterBackend('no-such-backend')).toThrow('the no-such-backend backend is not registered');
  });

  it('a reason without a message is the reason alone', () => {
    expect(deviceLossReason({ reason: 'unknown', message: '  ' })).toBe('unknown');
  });
});
