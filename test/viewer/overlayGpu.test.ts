import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { composeMethod } from '../../src/viewer/composePacked';
import { heatColour } from '../../src/viewer/overlay';
import { heatColoursGpu, maskStatsFromValues, maskStatsGpu, packRgb, rgbaFromPacked } from '../../src/viewer/overlayGpu';
import { compareRgba, overlayFixture, overlayParity } from '../../src/viewer/overlayParity';

describe('the overlay composed with tensor ops', () => {
  let previous = '';
  beforeAll(() => {
    previous = tf.getBackend();
  });
  afterAll(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`composed with tensor ops, equals the JavaScript reference in every view (${backend} backend)`, async () => {
      if (backend === 'wasm') await useWasmBackendInNode();
      else await tf.setBackend('cpu');
      const before = tf.memory().numTensors;
      const r = await overlayParity('tensor-ops');
      console.log(`${r.backend}: ${r.cases} cases, ${r.compared} bytes, ${r.differing} differ (max ${r.maxDifference})`);
      expect(r.backend).toBe(backend);
      expect(r.cases).toBeGreaterThanOrEqual(30);
      expect(r.failures).toEqual([]);
      expect(r.maxDifference).toBeLessThanOrEqual(1);
      // Float32 against float64 rounding moves a value by one level only near a half.
      expect(r.differing / r.compared).toBeLessThan(1e-3);
      expect(r.statsEqual).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('on the wasm and CPU backends the viewer composes with the reference itself, through the tensors and the packing', async () => {
    await useWasmBackendInNode();
    expect(composeMethod()).toBe('javascript');
    expect(composeMethod('cpu')).toBe('javascript');
    expect(composeMethod('webgl')).toBe('tensor-ops');
    expect(composeMethod('webgpu')).toBe('webgpu-pass');
    const before = tf.memory().numTensors;
    const r = await overlayParity('javascript');
    expect(r.failures).toEqual([]);
    expect(r.differing).toBe(0);
    expect(r.statsEqual).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the packed readback is the canvas bytes: r, g, b, 255 per pixel', async () => {
    await tf.setBackend('cpu');
    const rgb = tf.tensor3d([0, 0, 0, 255, 255, 255, 1, 2, 3, 254, 128, 7], [2, 2, 3]);
    const packed = packRgb(rgb);
    expect(packed.dtype).toBe('int32');
    const rgba = rgbaFromPacked((await packed.data()) as Int32Array);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 1, 2, 3, 255, 254, 128, 7, 255]);
    tf.dispose([rgb, packed]);
  });

  it('the heat ramp equals heatColour along [0, 1] and clamps outside it', async () => {
    await tf.setBackend('cpu');
    const ps = Array.from({ length: 81 }, (_, i) => i / 80 - 0.0125 * (i % 3 === 0 ? 1 : 0));
    ps.push(-0.5, 1.5);
    const t = tf.tensor2d(ps, [1, ps.length]);
    const colours = heatColoursGpu(t);
    const got = await colours.data();
    ps.forEach((p, i) => heatColour(p).forEach((c, k) => expect(got[i * 3 + k]).toBeCloseTo(c, 3)));
    tf.dispose([t, colours]);
  });

  it('counts pixels without truth, and a comparison that fails when a byte moves by two', async () => {
    await tf.setBackend('cpu');
    const masks = tf.tensor3d([1, 0, 1, 1, 0, 1, 0, 0], [2, 2, 2]);
    const stats = maskStatsGpu(masks, null);
    expect(maskStatsFromValues(await stats.data())).toEqual({ carPixels: 2, roadPixels: 2, counts: null });
    tf.dispose([masks, stats]);
    const f = overlayFixture(1, 5, 4);
    const moved = Uint8ClampedArray.from(f.cases[0]!.expected);
    moved[6] = moved[6]! > 127 ? moved[6]! - 2 : moved[6]! + 2;
    expect(compareRgba(moved, f.cases[0]!.expected)).toEqual({ differing: 1, maxDifference: 2 });
  });
});
