/**
 * The augmentation preview off the page's thread: the training step's own draws and tensor ops
 * (`augmentPreview`) on TensorFlow.js's CPU backend, which needs no GPU (the training worker may
 * hold it) and no start-up: the preview batch is a few thumbnails.
 */
import * as tf from '@tensorflow/tfjs';
import { augmentPreview } from '../training/augmentPreview';
import type { PreviewReply, PreviewRequest } from './augmentPreviewProtocol';
import { errorMessage } from '../util/errorMessage';

const ready = tf.setBackend('cpu');

self.onmessage = async (e: MessageEvent<PreviewRequest>) => {
  const { id, frames, overlays, config, seed } = e.data;
  let reply: PreviewReply;
  try {
    await ready;
    const preview = await augmentPreview(frames, overlays, config, seed);
    reply = { id, ok: true, preview, backend: tf.getBackend() };
  } catch (err) {
    reply = { id, ok: false, error: errorMessage(err) };
  }
  const buffers = reply.ok ? [...reply.preview.after, ...(reply.preview.overlaysAfter ?? [])].map((i) => i.data.buffer as ArrayBuffer) : [];
  (self as unknown as Worker).postMessage(reply, buffers);
};
