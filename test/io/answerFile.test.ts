import { describe, expect, it } from 'vitest';
import {
  AnswerFileError,
  AnswerFileWriter,
  base64ToBytes,
  bytesToBase64,
  decodeAnswerMask,
  encodeAnswerFrame,
  parseAnswerFile,
  scoreAnswerAgainstTruth,
} from '../../src/io/answerFile';
import { encodeRgbPng } from '../../src/io/png';

const u8 = (a: number[]) => new Uint8Array(a);

/** Index of the first difference, or -1 (vitest's deep equality is slow on big typed arrays). */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function expectAnswerError(fn: () => unknown, pattern: RegExp, frame?: number): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AnswerFileError);
    expect((e as Error).message).toMatch(pattern);
    if (frame !== undefined) expect((e as AnswerFileError).frame).toBe(frame);
    return;
  }
  throw new Error('expected an AnswerFileError');
}

describe('base64 helpers', () => {
  it('match Node Buffer for all lengths mod 3 and large inputs', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 70000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 131 + 7) & 255);
      const b64 = bytesToBase64(bytes);
      expect(b64 === Buffer.from(bytes).toString('base64')).toBe(true);
      expect(firstDiff(base64ToBytes(b64), bytes)).toBe(-1);
    }
    expect(Array.from(base64ToBytes('data:image/png;base64,AAEC\n/w=='))).toEqual([0, 1, 2, 255]);
    expect(() => base64ToBytes('@@@')).toThrow(AnswerFileError);
  });
});

describe('answer file encode/decode', () => {
  it('round trips an 800x600 frame', () => {
    const w = 800;
    const h = 600;
    const car = new Uint8Array(w * h);
    const road = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) {
      car[i] = i % 800 > 300 && i % 800 < 420 && i > 300 * 800 ? 1 : 0;
      road[i] = i > 350 * 800 ? 255 : 0; // 255 is written as 1
    }
    const [carB64, roadB64] = encodeAnswerFrame(car, road, w, h);
    const dc = decodeAnswerMask(carB64);
    const dr = decodeAnswerMask(roadB64);
    expect(dc).toMatchObject({ width: w, height: h });
    expect(firstDiff(dc.mask, car)).toBe(-1);
    expect(firstDiff(dr.mask, road.map((v) => (v ? 1 : 0)))).toBe(-1);
    // the PNG itself is 0/1 single-channel
    const png = base64ToBytes(carB64);
    expect(png[25]).toBe(0); // colour type gray
  });

  it('writer numbers frames from 1 and produces valid JSON', () => {
    const wr = new AnswerFileWriter();
    expect(wr.addFrame(u8([1, 0, 0, 1]), u8([0, 1, 1, 0]), 2, 2)).toBe(1);
    expect(wr.addFrame(u8([0, 0, 0, 0]), u8([1, 1, 1, 1]), 2, 2)).toBe(2);
    expect(wr.frameCount).toBe(2);
    const json = wr.toJSON();
    const obj = JSON.parse(json) as Record<string, [string, string]>;
    expect(Object.keys(obj)).toEqual(['1', '2']);
    const parsed = parseAnswerFile(json);
    expect([...parsed.keys()]).toEqual([1, 2]);
    expect(Array.from(decodeAnswerMask(parsed.get(1)!.car).mask)).toEqual([1, 0, 0, 1]);
    expect(Array.from(decodeAnswerMask(parsed.get(1)!.road).mask)).toEqual([0, 1, 1, 0]);
    expect(Array.from(decodeAnswerMask(parsed.get(2)!.road).mask)).toEqual([1, 1, 1, 1]);
    expect(new AnswerFileWriter().toJSON()).toBe('{}');
  });

  it('decodeAnswerMask treats any non-zero pixel as 1, also in RGB PNGs', () => {
    const rgb = u8([0, 0, 0, 0, 0, 7, 200, 0, 0, 0, 0, 0]);
    const m = decodeAnswerMask(bytesToBase64(encodeRgbPng(rgb, 2, 2)));
    expect(Array.from(m.mask)).toEqual([0, 1, 1, 0]);
  });

  it('parses out-of-order keys into ascending frame order', () => {
    const m = parseAnswerFile('{"10": ["a", "b"], "2": ["c", "d"]}');
    expect([...m.entries()]).toEqual([
      [2, { car: 'c', road: 'd' }],
      [10, { car: 'a', road: 'b' }],
    ]);
  });
});

describe('answer file errors', () => {
  it('names what is wrong', () => {
    expectAnswerError(() => parseAnswerFile('{"1": ['), /not valid JSON/);
    expectAnswerError(() => parseAnswerFile(''), /not valid JSON/);
    expectAnswerError(() => parseAnswerFile('[1, 2]'), /JSON object.*an array/);
    expectAnswerError(() => parseAnswerFile('null'), /JSON object.*null/);
    expectAnswerError(() => parseAnswerFile('{"0": ["a", "b"]}'), /key "0" is not a positive integer/);
    expectAnswerError(() => parseAnswerFile('{"frame1": ["a", "b"]}'), /key "frame1"/);
    expectAnswerError(() => parseAnswerFile('{"1.5": ["a", "b"]}'), /key "1.5"/);
    expectAnswerError(() => parseAnswerFile('{"01": ["a", "b"]}'), /key "01"/);
    expectAnswerError(() => parseAnswerFile('{"3": ["a"]}'), /frame 3: value must be a pair of strings/, 3);
    expectAnswerError(() => parseAnswerFile('{"3": ["a", 5]}'), /frame 3: value must be a pair/, 3);
    expectAnswerError(() => parseAnswerFile('{"3": "ab"}'), /frame 3/, 3);
  });
});

describe('scoreAnswerAgainstTruth', () => {
  const W = 4;
  const H = 2;
  function truthJson(): string {
    const wr = new AnswerFileWriter();
    wr.addFrame(u8([1, 1, 0, 0, 0, 0, 0, 0]), u8([0, 0, 1, 1, 1, 1, 1, 1]), W, H);
    wr.addFrame(u8([0, 0, 0, 0, 0, 0, 1, 1]), u8([1, 1, 1, 1, 0, 0, 0, 0]), W, H);
    return wr.toJSON();
  }

  it('truth against itself scores exactly 1', () => {
    const t = truthJson();
    const r = scoreAnswerAgainstTruth(t, t, { fps: 25 });
    expect(r.score).toBe(1);
    expect(r.fRoad).toBe(1);
    expect(r.fCar).toBe(1);
    expect(r.frames).toBe(2);
    expect(r.missingFrames).toEqual([]);
    expect(r.finalScore).toBe(100);
  });

  it('a partial overlap with a missing frame gives the hand-computed score', () => {
    const wr = new AnswerFileWriter();
    // frame 1: car tp1 fp1 fn1; road tp4 fn2
    wr.addFrame(u8([1, 0, 0, 0, 1, 0, 0, 0]), u8([0, 0, 1, 1, 1, 1, 0, 0]), W, H);
    const json = JSON.parse(wr.toJSON()) as Record<string, [string, string]>;
    // frame 2 missing (car fn2, road fn4); frame 3 is extra and ignored
    json['3'] = json['1'];
    const r = scoreAnswerAgainstTruth(JSON.stringify(json), truthJson(), { fps: 8 });
    // car: tp1 fp1 fn3 -> P 0.5, R 0.25; road: tp4 fp0 fn6 -> P 1, R 0.4
    const fCar = (5 * 0.5 * 0.25) / (4 * 0.5 + 0.25);
    const fRoad = (1.25 * 1 * 0.4) / (0.25 * 1 + 0.4);
    expect(r.fCar).toBeCloseTo(fCar, 12);
    expect(r.fRoad).toBeCloseTo(fRoad, 12);
    expect(r.score).toBeCloseTo((fCar + fRoad) / 2, 12);
    expect(r.finalScore).toBeCloseTo(100 * ((fCar + fRoad) / 2) - 2, 10);
    expect(r.missingFrames).toEqual([2]);
    expect(r.extraFrames).toEqual([3]);
    expect(r.frames).toBe(2);
  });

  it('an empty answer scores 0 with every frame missing', () => {
    const r = scoreAnswerAgainstTruth('{}', truthJson());
    expect(r.score).toBe(0);
    expect(r.missingFrames).toEqual([1, 2]);
    expect(r.finalScore).toBeNull();
  });

  it('size mismatch and bad masks name the frame', () => {
    const wr = new AnswerFileWriter();
    wr.addFrame(u8([1, 1, 0, 0, 0, 0, 0, 0]), u8([0, 0, 1, 1, 1, 1, 1, 1]), W, H);
    wr.addFrame(u8([0, 0, 0, 0, 0, 0]), u8([0, 0, 0, 0, 0, 0]), 3, 2);
    expectAnswerError(() => scoreAnswerAgainstTruth(wr.toJSON(), truthJson()), /frame 2: answer car mask is 3x2 but truth is 4x2/, 2);

    const t = JSON.parse(truthJson()) as Record<string, [string, string]>;
    const bad = { ...t, '2': [t['2'][0], bytesToBase64(new TextEncoder().encode('not a png'))] };
    expectAnswerError(() => scoreAnswerAgainstTruth(JSON.stringify(bad), truthJson()), /frame 2: answer road mask: cannot decode PNG \(not-png\)/, 2);
    const badB64 = { ...t, '1': ['!!!', t['1'][1]] };
    expectAnswerError(() => scoreAnswerAgainstTruth(JSON.stringify(badB64), truthJson()), /frame 1: answer car mask: invalid base64/, 1);
    expectAnswerError(() => scoreAnswerAgainstTruth('{"1": 3}', truthJson()), /^answer: frame 1/, 1);
    expectAnswerError(() => scoreAnswerAgainstTruth(truthJson(), 'nope'), /^truth: answer file is not valid JSON/);
  });
});

describe('AnswerFileWriter.addFrameEncoding', () => {
  /** A promise and the functions that settle it, for encodings that finish when a test says. */
  function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: Error): void } {
    let resolve!: (v: T) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it('numbers frames in call order though their encodings finish in reverse', async () => {
    const writer = new AnswerFileWriter();
    const encodings = [deferred<[string, string]>(), deferred<[string, string]>(), deferred<[string, string]>()];
    const added = encodings.map((e) => writer.addFrameEncoding(e.promise));
    writer.addEncodedFrame(['car4', 'road4']);
    expect(writer.frameCount).toBe(4);
    expect(() => writer.toJSON()).toThrow('3 frames of the answer file are still being encoded');
    encodings[2]!.resolve(['car3', 'road3']);
    encodings[1]!.resolve(['car2', 'road2']);
    encodings[0]!.resolve(['car1', 'road1']);
    expect(await Promise.all(added)).toEqual([1, 2, 3]);
    expect(JSON.parse(writer.toJSON())).toEqual({ 1: ['car1', 'road1'], 2: ['car2', 'road2'], 3: ['car3', 'road3'], 4: ['car4', 'road4'] });
  });

  it('a failed encoding rejects its frame, and the file cannot be written', async () => {
    const writer = new AnswerFileWriter();
    const failing = deferred<[string, string]>();
    const added = writer.addFrameEncoding(failing.promise);
    await writer.addFrameEncoding(Promise.resolve(['car2', 'road2']));
    failing.reject(new Error('encoder gone'));
    await expect(added).rejects.toThrow('encoder gone');
    expect(() => writer.toJSON()).toThrow('frames 1 of the answer file could not be encoded');
  });
});
