/** Encodes answer-file frames (two 0/1 masks as base64 PNGs) off the page, one request at a time. */
/// <reference lib="webworker" />
import { encodeAnswerFrame } from '../io/answerFile';
import type { AnswerEncodeReply, AnswerEncodeRequest } from './answerEncodeProtocol';
import { errorMessage } from '../util/errorMessage';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (e: MessageEvent<AnswerEncodeRequest>) => {
  const { id, car, road, width, height } = e.data;
  let reply: AnswerEncodeReply;
  try {
    reply = { id, ok: true, frame: encodeAnswerFrame(car, road, width, height) };
  } catch (error) {
    reply = { id, ok: false, error: errorMessage(error) };
  }
  scope.postMessage(reply);
};
