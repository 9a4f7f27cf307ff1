import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnswerFileWriter, decodeAnswerMask, parseAnswerFile, scoreAnswerAgainstTruth } from '../../src/io/answerFile';
import { decodePng } from '../../src/io/png';
import { probabilitiesToMasks, splitMaskValues } from '../../src/postprocess/masks';
import { ORIGINAL_SETTINGS } from '../../src/postprocess/settings';
import { seededRandom } from '../../src/util/seededRandom';
import { binaryMaskFiles, colouredMaskFile, exportStem, frameExportStem } from '../../src/viewer/exports';
import { FrameScores, frameCounts } from '../../src/viewer/frameScores';
import { viewerItemsFromFiles } from '../../src/viewer/frameSources';
import { truthFromLabelPixels } from '../../src/viewer/groundTruth';
import { blend, CLASS_COLOURS, composeErrors, composeMasks, countColour, ERROR_COLOURS, sideBySide } from '../../src/viewer/overlay';
import { formatThreshold, parseThreshold, SLIDER_STEPS, sliderToThreshold, thresholdToSlider } from '../../src/viewer/thresholdScale';
import { DropCounter } from '../../src/viewer/videoFrames';

const entry = (path: string, size = 10, type = '') => ({ path, size, type, file: path });

describe('frame sources', () => {
  it('pairs frames with labels, keeps lone frames and videos, names what it refuses', () => {
    const { items, problems } = viewerItemsFromFiles([
      entry('drive/CameraRGB/10.png'),
      entry('drive/CameraRGB/2.png'),
      entry('drive/CameraSeg/2.png'),
      entry('drive/CameraSeg/10.png'),
      entry('drive/CameraSeg/11.png'),
      entry('clip.webm', 10, 'video/webm'),
      entry('notes.txt'),
      entry('empty.png', 0),
    ]);
    expect(items.map((i) => [i.kind, i.path, i.labelPath])).toEqual([
      ['image', 'drive/CameraRGB/2.png', 'drive/CameraSeg/2.png'],
      ['image', 'drive/CameraRGB/10.png', 'drive/CameraSeg/10.png'],
      ['video', 'clip.webm', null],
    ]);
    expect(problems.map((p) => p.path).sort()).toEqual(['drive/CameraSeg/11.png', 'empty.png', 'notes.txt']);
    expect(problems.find((p) => p.path === 'notes.txt')?.reason).toMatch(/not an image/);
  });

  it('takes a single image and an x.png + x_label.png pair', () => {
    expect(viewerItemsFromFiles([entry('a.jpg')]).items).toMatchObject([{ kind: 'image', path: 'a.jpg', label: null }]);
    expect(viewerItemsFromFiles([entry('a.png'), entry('a_label.png')]).items).toMatchObject([{ path: 'a.png', labelPath: 'a_label.png' }]);
  });
});

describe('threshold sliders', () => {
  it('reach 1e-5 for vehicles and 1 - 1e-5 for road, increase with the position, and invert', () => {
    expect(sliderToThreshold('car', 0)).toBeCloseTo(1e-5, 12);
    expect(sliderToThreshold('road', SLIDER_STEPS)).toBeCloseTo(1 - 1e-5, 12);
    for (const cls of ['car', 'road'] as const) {
      let prev = -1;
      for (let p = 0; p <= SLIDER_STEPS; p += 10) {
        const t = sliderToThreshold(cls, p);
        expect(t).toBeGreaterThan(prev);
        expect(thresholdToSlider(cls, t)).toBe(p);
        prev = t;
      }
    }
  });

  it('parse and format the numbers people type', () => {
    expect(parseThreshold('1e-5')).toBe(1e-5);
    expect(parseThreshold('1-1e-5')).toBeCloseTo(0.99999, 12);
    expect(parseThreshold('0.5')).toBe(0.5);
    for (const bad of ['', '0', '1', '1.5', 'abc', '-0.1']) expect(parseThreshold(bad)).toBeNull();
    expect(formatThreshold(1e-5)).toBe('1e-5');
    expect(formatThreshold(1 - 1e-5)).toBe('0.99999');
    expect(parseThreshold(formatThreshold(1 - 1e-5))).toBeCloseTo(1 - 1e-5, 12);
  });
});

describe('overlay pixels', () => {
  const w = 4;
  const h = 2;
  const frame = new Uint8ClampedArray(w * h * 4).fill(40);
  it('draws masks in their colours (car over road) and errors in three colours', () => {
    const car = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    const road = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]);
    const out = composeMasks(frame, { car, road }, 1);
    expect(countColour(out, CLASS_COLOURS.car, 0)).toBe(1);
    expect(countColour(out, CLASS_COLOURS.road, 0)).toBe(1);
    expect(countColour(composeMasks(frame, { car: null, road }, 1), CLASS_COLOURS.road, 0)).toBe(2);
    const truth = Uint8Array.from([1, 0, 1, 0, 0, 0, 0, 0]);
    const errors = composeErrors(frame, road, truth, 1);
    expect([ERROR_COLOURS.tp, ERROR_COLOURS.fp, ERROR_COLOURS.fn].map((c) => countColour(errors, c, 0))).toEqual([1, 1, 1]);
    const both = sideBySide(out, errors, w, h);
    expect(both.length).toBe(w * 2 * h * 4);
    expect(Array.from(both.subarray(w * 4, w * 4 + 3))).toEqual([...ERROR_COLOURS.tp]);
  });
});

describe('overlay pixels by blend tables equal the per-pixel blend', () => {
  let seed = 11;
  const r = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const n = 3000;
  const frame = Uint8ClampedArray.from({ length: n * 4 }, () => Math.floor(r() * 256));
  const bits = (p: number) => Uint8Array.from({ length: n }, () => (r() < p ? 1 : 0));
  const [car, road, truth] = [bits(0.3), bits(0.5), bits(0.4)];
  const original = frame.slice();

  it('masks (road then car, either left out) and errors at several opacities, every byte', () => {
    for (const opacity of [0, 0.37, 0.5, 0.999, 1]) {
      const masks = frame.slice();
      const errors = frame.slice();
      for (let i = 0; i < n; i++) {
        if (road[i]) blend(masks, i * 4, CLASS_COLOURS.road, opacity);
        if (car[i]) blend(masks, i * 4, CLASS_COLOURS.car, opacity);
        masks[i * 4 + 3] = 255;
        const colour = car[i] && truth[i] ? ERROR_COLOURS.tp : car[i] ? ERROR_COLOURS.fp : truth[i] ? ERROR_COLOURS.fn : null;
        if (colour) blend(errors, i * 4, colour, opacity);
        errors[i * 4 + 3] = 255;
      }
      expect(composeMasks(frame, { car, road }, opacity)).toEqual(masks);
      expect(composeErrors(frame, car, truth, opacity)).toEqual(errors);
      const roadOnly = frame.slice();
      for (let i = 0; i < n; i++) {
        if (road[i]) blend(roadOnly, i * 4, CLASS_COLOURS.road, opacity);
        roadOnly[i * 4 + 3] = 255;
      }
      expect(composeMasks(frame, { car: null, road }, opacity)).toEqual(roadOnly);
    }
    // The frame itself is not changed.
    expect(frame).toEqual(original);
  });
});

describe('scores while viewing', () => {
  it('replace a frame re-rendered with other settings and micro-average over frames', () => {
    const s = new FrameScores();
    const truth = { car: Uint8Array.from([1, 1, 0, 0]), road: Uint8Array.from([0, 0, 1, 1]) };
    expect(s.set('a', frameCounts(truth, truth)).score).toBe(1);
    expect(s.set('a', frameCounts({ car: new Uint8Array(4), road: truth.road }, truth)).fCar).toBe(0);
    expect(s.cumulative()?.frames).toBe(1);
    s.set('b', frameCounts(truth, truth));
    const c = s.cumulative()!;
    expect(c.frames).toBe(2);
    expect(c.fRoad).toBe(1);
    expect(c.fCar).toBeGreaterThan(0);
    expect(c.fCar).toBeLessThan(1);
  });

  it('ground truth: road from road and lines, vehicles without the hood', () => {
    const w = 3;
    const h = 3;
    // red channel = class id; bottom centre is a vehicle connected to (0, 2): the hood.
    const ids = [7, 6, 10, 0, 10, 0, 10, 10, 10];
    const rgb = new Uint8Array(ids.flatMap((v) => [v, 0, 0]));
    const t = truthFromLabelPixels(rgb, 3, w, h, null);
    expect(Array.from(t.road)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(t.car)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const hood = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(truthFromLabelPixels(rgb, 3, w, h, hood).car)).toEqual([0, 0, 1, 0, 1, 0, 1, 1, 0]);
  });
});

describe('video frame drops', () => {
  it('counts frames that arrive while busy and gaps in the presented count', () => {
    const d = new DropCounter();
    expect(d.onPresented(1, false)).toBe(true);
    expect(d.onPresented(2, true)).toBe(false);
    expect(d.onPresented(5, false)).toBe(true);
    expect(d.dropped).toBe(3);
  });
});

describe('exports round trip', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('viewer masks written as an answer file and PNGs decode to the same masks and score 1 against themselves', () => {
    const w = 32;
    const h = 24;
    const placement = { frameWidth: w, frameHeight: h, cropTop: 4, cropBottom: 20 };
    const r = seededRandom(9);
    const writer = new AnswerFileWriter();
    const frames: { car: Uint8Array; road: Uint8Array }[] = [];
    for (let f = 0; f < 3; f++) {
      const probs = Float32Array.from({ length: 16 * w * 3 }, () => r());
      const t = tf.tidy(() => probabilitiesToMasks(tf.tensor3d(probs, [16, w, 3]), { car: 2, road: 1 }, placement, { ...ORIGINAL_SETTINGS, road: { ...ORIGINAL_SETTINGS.road, threshold: 0.5 } }, null));
      const m = splitMaskValues(t.dataSync(), w * h);
      t.dispose();
      frames.push(m);
      writer.addFrame(m.car, m.road, w, h);
    }
    const json = writer.toJSON();
    const parsed = parseAnswerFile(json);
    expect([...parsed.keys()]).toEqual([1, 2, 3]);
    frames.forEach((m, i) => {
      const e = parsed.get(i + 1)!;
      expect(decodeAnswerMask(e.car).mask).toEqual(m.car);
      expect(decodeAnswerMask(e.road).mask).toEqual(m.road);
    });
    expect(scoreAnswerAgainstTruth(json, json).score).toBe(1);

    const [carPng, roadPng] = binaryMaskFiles(exportStem('train/CameraRGB/000_0021.png'), frames[0]!.car, frames[0]!.road, w, h);
    expect(carPng!.name).toBe('000_0021_car.png');
    expect([frameExportStem('train/CameraRGB/000_0021.png'), frameExportStem('drive/dash cam.mp4 frame 12'), frameExportStem('clip.webm frame 3'), frameExportStem('a frame 7.png')]).toEqual([
      '000_0021',
      'dash-cam_12',
      'clip_3',
      'a-frame-7',
    ]);
    const carImg = decodePng(carPng!.bytes);
    expect(carImg.channels).toBe(1);
    expect(Uint8Array.from(carImg.data)).toEqual(frames[0]!.car);
    expect(Uint8Array.from(decodePng(roadPng!.bytes).data)).toEqual(frames[0]!.road);
    const coloured = decodePng(colouredMaskFile('x', frames[0]!.car, frames[0]!.road, w, h).bytes);
    expect(coloured.channels).toBe(3);
  });
});

describe('dataset frames', () => {
  it('read the class overlay back to label values the ground truth understands', async () => {
    const { labelPixelsFromOverlay } = await import('../../src/viewer/overlayLabels');
    const { classOverlayRgba } = await import('../../src/data/labelAnalysis');
    const { CARLA_SCHEME } = await import('../../src/data/labelScheme');
    const classMap = Uint8Array.from([0, 1, 2, 1, 0, 2]);
    const overlay = classOverlayRgba(classMap, 3, 2, CARLA_SCHEME);
    const label = labelPixelsFromOverlay(overlay, CARLA_SCHEME);
    const truth = truthFromLabelPixels(label.data, label.channels, 3, 2, new Uint8Array(6));
    expect(Array.from(truth.road)).toEqual([0, 1, 0, 1, 0, 0]);
    expect(Array.from(truth.car)).toEqual([0, 0, 1, 0, 0, 1]);
  });
});
