/** The overlay video writer where there is no video encoder (Node): a clear refusal. Encoding is tested in Chromium (e2e/viewer.spec.ts). */
import { describe, expect, it } from 'vitest';
import { OverlayVideoWriter } from '../../src/viewer/overlayVideo';

describe('OverlayVideoWriter', () => {
  it('says that no VP9 or VP8 encoder is available, naming the size', async () => {
    await expect(OverlayVideoWriter.create(800, 600, 30)).rejects.toThrow('this browser cannot encode a 800x600 video (no VP9 or VP8 encoder in WebCodecs)');
  });
});
