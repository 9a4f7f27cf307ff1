import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackendInNode } from '../../src/backend/wasmTraining/nodeWasm';
import { framesToInput } from '../../src/inference/frameInput';
import { probabilitiesAtCropSize } from '../../src/inference/frameMasks';
import { defaultModelConfig, originalInputSpec } from '../../src/model/config';
import { LinkNetModel } from '../../src/model/linkNetModel';
import { ORIGINAL_SETTINGS } from '../../src/postprocess/settings';
import { seededRandom } from '../../src/util/seededRandom';
import { composeMethod, pipelineDescription } from '../../src/viewer/composePacked';
import { ViewerEngine } from '../../src/viewer/engine';
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

  it('the viewer engine runs the folded network (predict()\'s probabilities) and draws and counts the same with JavaScript (wasm, CPU) and with tensor ops, in every view', async () => {
    await useWasmBackendInNode();
    expect(composeMethod()).toBe('javascript');
    expect(composeMethod('cpu')).toBe('javascript');
    expect(composeMethod('webgl', 'ANGLE (NVIDIA, NVIDIA GeForce RTX 4070 Direct3D11 vs_5_0 ps_5_0)')).toBe('tensor-ops');
    expect(composeMethod('webgl', 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)')).toBe('javascript');
    expect(composeMethod('webgpu')).toBe('webgpu-pass');
    const [w, h] = [64, 48];
    const config = defaultModelConfig({
      encoder: 'resnet18',
      input: { ...originalInputSpec(), frameWidth: w, frameHeight: h, cropTop: 8, cropBottom: 40, inputHeight: 32, inputWidth: 64 },
    });
    const before = tf.memory().numTensors;
    const model = LinkNetModel.create(config, 4);
    const r = seededRandom(8);
    const frame = { data: Uint8ClampedArray.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.floor(r() * 256))), width: w, height: h, channels: 4 };
    const bits = () => Uint8Array.from({ length: w * h }, () => (r() < 0.4 ? 1 : 0));
    const truth = { width: w, height: h, car: bits(), road: bits() };
    const hood = { width: w, height: h, mask: Uint8Array.from({ length: w * h }, (_, i) => (i >= 44 * w ? 1 : 0)) };
    const js = new ViewerEngine('javascript');
    const ops = new ViewerEngine('tensor-ops');
    try {
      await js.infer(model, frame, 'frame');
      await ops.infer(model, frame, 'frame');
      // The engines run the folded network: the same probabilities as the model's own predict().
      const reference = tf.tidy(() => tf.squeeze(probabilitiesAtCropSize(model.predict(framesToInput([frame], config.input)), config.input), [0]));
      const referenceValues = (await reference.data()) as Float32Array;
      reference.dispose();
      const folded = (await js.readProbabilities()).values;
      expect(folded.length).toBe(referenceValues.length);
      expect(Math.max(...folded.map((v, i) => Math.abs(v - referenceValues[i]!)))).toBeLessThan(1e-5);
      // The untrained model's probabilities sit near 1/3: thresholds there give masks of both values.
      const mid = (await js.readProbabilities()).values.reduce((a, b) => a + b, 0) / (32 * 64 * 3);
      const settings = { ...ORIGINAL_SETTINGS, car: { ...ORIGINAL_SETTINGS.car, threshold: mid }, road: { ...ORIGINAL_SETTINGS.road, threshold: mid } };
      for (const mode of ['masks', 'heat', 'errors', 'side-by-side'] as const) {
        const view = { mode, opacity: 0.5, showCar: true, showRoad: true, focus: 'road' as const };
        const a = await js.render(settings, hood, view, truth);
        const b = await ops.render(settings, hood, view, truth);
        expect([a.composeMethod, b.composeMethod]).toEqual(['javascript', 'tensor-ops']);
        expect({ ...a, ms: 0, composeMethod: null }).toEqual({ ...b, ms: 0, composeMethod: null });
        expect(a.carPixels).toBeGreaterThan(0);
        expect(a.carPixels).toBeLessThan(w * h);
        const [ia, ib] = [await js.readOverlay(), await ops.readOverlay()];
        expect(ia.width).toBe(mode === 'side-by-side' ? 2 * w : w);
        expect(compareRgba(ia.rgba, ib.rgba).maxDifference).toBeLessThanOrEqual(1);
        expect(await js.readMasks()).toEqual(await ops.readMasks());
      }
      // Frame after frame the engines keep the same tensors (frame, probabilities, masks, image, uploads, folded net): nothing grows.
      const keptAfterFirst = tf.memory().numTensors;
      // A second frame: the JavaScript engine's probabilities read for the first frame are not reused.
      const firstProbs = Float32Array.from((await js.readProbabilities()).values);
      const frame2 = { ...frame, data: frame.data.map((v, i) => (i % 4 === 3 ? 255 : 255 - v)) };
      const view = { mode: 'masks' as const, opacity: 0.5, showCar: true, showRoad: true, focus: 'road' as const };
      await js.infer(model, frame2, 'frame 2');
      await ops.infer(model, frame2, 'frame 2');
      expect({ ...(await js.render(settings, hood, view, truth)), ms: 0, composeMethod: null }).toEqual({ ...(await ops.render(settings, hood, view, truth)), ms: 0, composeMethod: null });
      expect(await js.readMasks()).toEqual(await ops.readMasks());
      const secondProbs = (await js.readProbabilities()).values;
      expect(secondProbs).toEqual((await ops.readProbabilities()).values);
      expect(secondProbs).not.toEqual(firstProbs);
      // The pixel probe: that pixel's probabilities (none outside the crop) and mask bits, from
      // values in page memory (JavaScript) or read back from the backend (tensor ops).
      const masks = await js.readMasks();
      const roles = { car: 2, road: 1 };
      const bitsSeen = new Set<boolean>();
      for (const [x, y] of [[0, 8], [17, 20], [63, 39], [40, 30], [21, 12], [5, 3], [30, 45]] as const) {
        const i = y * w + x;
        const inCrop = y >= 8 && y < 40;
        const p = (c: number) => (inCrop ? secondProbs[((y - 8) * w + x) * 3 + c]! : null);
        const expected = { car: { p: p(roles.car), mask: masks.car[i] === 1 }, road: { p: p(roles.road), mask: masks.road[i] === 1 } };
        expect(await js.probe(x, y), `${x}, ${y}`).toEqual(expected);
        expect(await ops.probe(x, y), `${x}, ${y}`).toEqual(expected);
        bitsSeen.add(expected.car.mask).add(expected.road.mask);
      }
      expect([...bitsSeen].sort()).toEqual([false, true]);
      for (const [x, y] of [[-1, 10], [w, 10], [10, h], [1.5, 10]]) expect(await ops.probe(x!, y!)).toBeNull();
      expect(tf.memory().numTensors).toBe(keptAfterFirst);
    } finally {
      js.dispose();
      ops.dispose();
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says where the frame was composed and drawn', () => {
    expect(pipelineDescription('webgpu-pass', 'gpu')).toBe('Post-processing, overlay in one WebGPU pass and drawing on the GPU: nothing read back but the counts.');
    expect(pipelineDescription('tensor-ops', 'readback')).toBe('Post-processing and overlay as tensor ops on the GPU; the drawn frame read back once.');
    expect(pipelineDescription('javascript', 'readback')).toBe('Probabilities read back once per frame; post-processing and the overlay composed in the page.');
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
