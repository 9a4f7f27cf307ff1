import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { describeForwardParity } from '../support/forwardParity';

describeForwardParity('wasm', async () => {
  await useWasmBackendInNode();
  expect(tf.getBackend()).toBe('wasm');
});
