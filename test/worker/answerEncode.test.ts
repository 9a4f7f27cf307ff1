/**
 * Answer-file frames encoded in the encoding worker (the real worker module in an in-process
 * double): the same base64 PNGs as encoding on the page, in the writer's call order however the
 * encodings finish; a worker that dies has its waiting frames encoded on the page; without workers
 * everything is encoded on the page.
 */
import { describe, expect, it } from 'vitest';
import { AnswerFileWriter, encodeAnswerFrame, parseAnswerFile } from '../../src/io/answerFile';
import { AnswerFrameEncoder } from '../../src/worker/answerEncodeClient';
import type { AnswerEncodeReply, AnswerEncodeRequest } from '../../src/worker/answerEncodeProtocol';
import { useInProcessWorker } from '../support/inProcessWorker';

const { log, InProcessWorker } = useInProcessWorker<AnswerEncodeRequest, AnswerEncodeReply>(() => import('../../src/worker/answerEncodeWorker'));

/** Masks of frame `k` at 40x30: a block that moves, and its complement. */
function masks(k: number): { car: Uint8Array; road: Uint8Array } {
  const car = new Uint8Array(40 * 30).map((_, i) => ((i % 40) >= k && (i % 40) < k + 8 && Math.floor(i / 40) > 10 ? 1 : 0));
  return { car, road: car.map((v) => 1 - v) };
}

describe('AnswerFrameEncoder', () => {
  it('encodes in the worker what the page would, and the writer keeps call order', async () => {
    const encoder = new AnswerFrameEncoder();
    const writer = new AnswerFileWriter();
    const added = [0, 5, 10, 15].map((k) => {
      const { car, road } = masks(k);
      return writer.addFrameEncoding(encoder.encode(car, road, 40, 30));
    });
    expect(() => writer.toJSON()).toThrow('4 frames of the answer file are still being encoded');
    expect(await Promise.all(added)).toEqual([1, 2, 3, 4]);
    expect(log.requests).toHaveLength(4);
    expect(log.replies.every((r) => r.ok)).toBe(true);
    const expected = new AnswerFileWriter();
    for (const k of [0, 5, 10, 15]) expected.addFrame(masks(k).car, masks(k).road, 40, 30);
    expect(writer.toJSON()).toBe(expected.toJSON());
    encoder.close();
    expect(log.terminated).toBe(1);
  });

  it("a worker's failure rejects that frame, and the file cannot be written", async () => {
    const encoder = new AnswerFrameEncoder();
    const writer = new AnswerFileWriter();
    await writer.addFrameEncoding(encoder.encode(masks(0).car, masks(0).road, 40, 30));
    await expect(writer.addFrameEncoding(encoder.encode(new Uint8Array(3), new Uint8Array(3), 40, 30))).rejects.toThrow('encodeMaskPng');
    expect(log.replies.at(-1)).toMatchObject({ ok: false });
    expect(() => writer.toJSON()).toThrow('frames 2 of the answer file could not be encoded');
    encoder.close();
  });

  it('frames waiting on a worker that dies are encoded on the page', async () => {
    const encoder = new AnswerFrameEncoder();
    const waiting = encoder.encode(masks(3).car, masks(3).road, 40, 30);
    InProcessWorker.last!.crash('out of memory');
    expect(await waiting).toEqual(encodeAnswerFrame(masks(3).car, masks(3).road, 40, 30));
    // Later frames too, without a worker.
    expect(await encoder.encode(masks(4).car, masks(4).road, 40, 30)).toEqual(encodeAnswerFrame(masks(4).car, masks(4).road, 40, 30));
    expect(log.replies).toHaveLength(0);
  });

  it('without workers, frames are encoded on the page', async () => {
    delete (globalThis as { Worker?: unknown }).Worker;
    const encoder = new AnswerFrameEncoder();
    const writer = new AnswerFileWriter();
    await writer.addFrameEncoding(encoder.encode(masks(1).car, masks(1).road, 40, 30));
    expect(parseAnswerFile(writer.toJSON()).get(1)).toEqual({ car: encodeAnswerFrame(masks(1).car, masks(1).road, 40, 30)[0], road: encodeAnswerFrame(masks(1).car, masks(1).road, 40, 30)[1] });
    expect(log.requests).toHaveLength(0);
  });
});
