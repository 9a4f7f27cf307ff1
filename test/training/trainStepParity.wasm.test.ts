import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { WASM_TOLERANCES, describeTrainStepParity } from '../support/trainStepParity';

describeTrainStepParity('wasm, with the studio gradient kernels', async () => {
  await useWasmBackendInNode();
  expect(tf.getBackend()).toBe('wasm');
}, WASM_TOLERANCES);
