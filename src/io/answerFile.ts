/**
 * The Lyft Perception Challenge answer format:
 *   { "1": [car_png_base64, road_png_base64], "2": [...], ... }
 * frames numbered from 1, each mask a single-channel 0/1 PNG, base64-encoded.
 * Works in the browser and in Node (btoa/atob, no Buffer).
 */
import { GraderAccumulator } from '../metrics/grader';
import type { GraderResult } from '../metrics/grader';
import { decodePng, encodeMaskPng, ImageDecodeError } from './png';
import { errorMessage } from '../util/errorMessage';

export class AnswerFileError extends Error {
  /** The frame the problem is about, when there is one. */
  readonly frame: number | undefined;
  constructor(message: string, frame?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnswerFileError';
    this.frame = frame;
  }
}

// ---------------------------------------------------------------- base64

const CHUNK = 0x8000;

/** Standard base64 (with padding) of bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

/** Decodes standard base64 (whitespace and a `data:...;base64,` prefix are tolerated). */
export function base64ToBytes(b64: string): Uint8Array {
  let s = b64;
  const comma = s.startsWith('data:') ? s.indexOf(',') : -1;
  if (comma >= 0) s = s.slice(comma + 1);
  s = s.replace(/\s+/g, '');
  let binary: string;
  try {
    binary = atob(s);
  } catch (e) {
    throw new AnswerFileError('invalid base64 data', undefined, { cause: e });
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

// ---------------------------------------------------------------- writing

/** Encodes one frame's masks (0/1, any non-zero is 1) as [car, road] base64 PNGs. */
export function encodeAnswerFrame(car: Uint8Array, road: Uint8Array, width: number, height: number): [string, string] {
  return [bytesToBase64(encodeMaskPng(car, width, height)), bytesToBase64(encodeMaskPng(road, width, height))];
}

/** Builds an answer file frame by frame (frames are numbered 1, 2, ... in the order added). */
export class AnswerFileWriter {
  private parts: string[] = [];
  /** Frames added with addFrameEncoding whose encoding has not finished, or failed. */
  private pending = 0;
  private readonly failed: number[] = [];

  /** Adds a frame from masks; returns its frame number. */
  addFrame(car: Uint8Array, road: Uint8Array, width: number, height: number): number {
    return this.addEncodedFrame(encodeAnswerFrame(car, road, width, height));
  }

  /**
   * Adds a frame whose encoding (as [car_b64, road_b64]) is under way elsewhere (a worker): its
   * number is taken at the call, so frames keep the order of the calls however the encodings
   * finish. Resolves to its frame number; rejects, and the file cannot be written, if it fails.
   */
  async addFrameEncoding(encoding: Promise<[string, string]>): Promise<number> {
    const n = this.parts.length + 1;
    this.parts.push('');
    this.pending++;
    try {
      this.parts[n - 1] = this.entry(n, await encoding);
    } catch (e) {
      this.failed.push(n);
      throw e;
    } finally {
      this.pending--;
    }
    return n;
  }

  /** Adds a frame already encoded as [car_b64, road_b64]; returns its frame number. */
  addEncodedFrame(frame: [string, string]): number {
    const n = this.parts.length + 1;
    this.parts.push(this.entry(n, frame));
    return n;
  }

  private entry(n: number, frame: [string, string]): string {
    return `${JSON.stringify(String(n))}:[${JSON.stringify(frame[0])},${JSON.stringify(frame[1])}]`;
  }

  get frameCount(): number {
    return this.parts.length;
  }

  /** The answer file's JSON text (every frame added, its encoding finished). */
  toJSON(): string {
    if (this.pending > 0) throw new Error(`${this.pending} frames of the answer file are still being encoded`);
    if (this.failed.length > 0) throw new Error(`frames ${this.failed.join(', ')} of the answer file could not be encoded`);
    return `{${this.parts.join(',')}}`;
  }

  /** Same as toJSON(). */
  toString(): string {
    return this.toJSON();
  }
}

// ---------------------------------------------------------------- reading

/** Parses an answer (or truth) file; entries are returned in ascending frame order. */
export function parseAnswerFile(json: string): Map<number, { car: string; road: string }> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new AnswerFileError(`answer file is not valid JSON: ${errorMessage(e)}`, undefined, {
      cause: e,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AnswerFileError(
      `answer file must be a JSON object {"1": [car, road], ...}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  }
  const entries: [number, { car: string; road: string }][] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[1-9][0-9]*$/.test(key) || !Number.isSafeInteger(Number(key))) {
      throw new AnswerFileError(`key ${JSON.stringify(key)} is not a positive integer frame number`);
    }
    const frame = Number(key);
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') {
      throw new AnswerFileError(`frame ${frame}: value must be a pair of strings [car_b64png, road_b64png]`, frame);
    }
    entries.push([frame, { car: v[0], road: v[1] }]);
  }
  entries.sort((a, b) => a[0] - b[0]);
  return new Map(entries);
}

/** Decodes one base64 PNG mask: any non-zero pixel (in any colour channel) becomes 1. */
export function decodeAnswerMask(b64: string): { width: number; height: number; mask: Uint8Array } {
  const img = decodePng(base64ToBytes(b64));
  const { width, height, channels, data } = img;
  const n = width * height;
  const mask = new Uint8Array(n);
  if (channels === 1) {
    for (let i = 0; i < n; i++) mask[i] = data[i] !== 0 ? 1 : 0;
  } else {
    // Gray+alpha: the gray sample; RGB(A): any of R, G, B. Alpha is ignored.
    const colour = channels >= 3 ? 3 : 1;
    for (let i = 0, s = 0; i < n; i++, s += channels) {
      let v = 0;
      for (let c = 0; c < colour; c++) v |= data[s + c];
      mask[i] = v !== 0 ? 1 : 0;
    }
  }
  return { width, height, mask };
}

function decodeFrameMask(b64: string, frame: number, file: string, which: string): { width: number; height: number; mask: Uint8Array } {
  try {
    return decodeAnswerMask(b64);
  } catch (e) {
    const why = e instanceof ImageDecodeError || e instanceof AnswerFileError ? e.message : String(e);
    throw new AnswerFileError(`frame ${frame}: ${file} ${which} mask: ${why}`, frame, { cause: e });
  }
}

export interface AnswerScore extends GraderResult {
  /** Frames in the truth file that the answer lacks (scored as all-zero predictions). */
  missingFrames: number[];
  /** Frames in the answer that the truth file lacks (ignored). */
  extraFrames: number[];
}

/**
 * Scores an answer file against a truth file in the same format, with the challenge grader
 * (micro-averaged F0.5 road, F2 car). Frames missing from the answer count as all-zero masks;
 * a size mismatch throws an AnswerFileError naming the frame.
 */
export function scoreAnswerAgainstTruth(answerJson: string, truthJson: string, options?: { fps?: number }): AnswerScore {
  let answer: Map<number, { car: string; road: string }>;
  let truth: Map<number, { car: string; road: string }>;
  try {
    answer = parseAnswerFile(answerJson);
  } catch (e) {
    throw e instanceof AnswerFileError ? new AnswerFileError(`answer: ${e.message}`, e.frame, { cause: e }) : e;
  }
  try {
    truth = parseAnswerFile(truthJson);
  } catch (e) {
    throw e instanceof AnswerFileError ? new AnswerFileError(`truth: ${e.message}`, e.frame, { cause: e }) : e;
  }
  const grader = new GraderAccumulator();
  const missingFrames: number[] = [];
  for (const [frame, t] of truth) {
    const tCar = decodeFrameMask(t.car, frame, 'truth', 'car');
    const tRoad = decodeFrameMask(t.road, frame, 'truth', 'road');
    if (tCar.width !== tRoad.width || tCar.height !== tRoad.height) {
      throw new AnswerFileError(
        `frame ${frame}: truth car mask is ${tCar.width}x${tCar.height} but truth road mask is ${tRoad.width}x${tRoad.height}`,
        frame,
      );
    }
    const a = answer.get(frame);
    if (a === undefined) {
      missingFrames.push(frame);
      const zeros = new Uint8Array(tCar.mask.length);
      grader.addMasks({ car: zeros, road: zeros }, { car: tCar.mask, road: tRoad.mask });
      continue;
    }
    const aCar = decodeFrameMask(a.car, frame, 'answer', 'car');
    const aRoad = decodeFrameMask(a.road, frame, 'answer', 'road');
    for (const [which, m] of [
      ['car', aCar],
      ['road', aRoad],
    ] as const) {
      if (m.width !== tCar.width || m.height !== tCar.height) {
        throw new AnswerFileError(
          `frame ${frame}: answer ${which} mask is ${m.width}x${m.height} but truth is ${tCar.width}x${tCar.height}`,
          frame,
        );
      }
    }
    grader.addMasks({ car: aCar.mask, road: aRoad.mask }, { car: tCar.mask, road: tRoad.mask });
  }
  const extraFrames = [...answer.keys()].filter((f) => !truth.has(f));
  return { ...grader.result(options?.fps), missingFrames, extraFrames };
}
