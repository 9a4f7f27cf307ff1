/** Messages between the page and the answer-file encoding worker. */

export interface AnswerEncodeRequest {
  id: number;
  car: Uint8Array;
  road: Uint8Array;
  width: number;
  height: number;
}

export type AnswerEncodeReply = { id: number; ok: true; frame: [string, string] } | { id: number; ok: false; error: string };
