/**
 * The user's files as a PairSource, decoded in a worker: the frame by the browser
 * (createImageBitmap + OffscreenCanvas, any format), the label bit-exactly by our PNG decoder when
 * it is a PNG (a browser decoder may colour-manage or premultiply, which would change class ids),
 * else by the browser with colour management and premultiplication off.
 */
import { decodePng, isPng } from '../io/png';
import { ListedPairSource, PairDataError, type DecodedPair } from './pairSource';
import { errorMessage } from '../util/errorMessage';

const BITMAP_OPTIONS: ImageBitmapOptions = { colorSpaceConversion: 'none', premultiplyAlpha: 'none' };

let canvas: OffscreenCanvas | null = null;

async function bitmapPixels(blob: Blob): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const bitmap = await createImageBitmap(blob, BITMAP_OPTIONS);
  try {
    const { width, height } = bitmap;
    if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas in this worker');
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(bitmap, 0, 0);
    return { data: ctx.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

export interface FilePair {
  name: string;
  frame: File;
  label: File;
}

export class FilePairSource extends ListedPairSource<FilePair> {
  async load(index: number): Promise<DecodedPair> {
    const pair = this.pairs[index];
    if (!pair) throw new PairDataError(`pair ${index}`, 'no such pair');
    let frame;
    try {
      frame = await bitmapPixels(pair.frame);
    } catch (e) {
      throw new PairDataError(pair.frame.name || pair.name, `the frame cannot be decoded (${errorMessage(e)})`);
    }
    let label: DecodedPair['label'];
    try {
      const bytes = new Uint8Array(await pair.label.arrayBuffer());
      if (isPng(bytes)) {
        const d = decodePng(bytes);
        label = { data: d.data, width: d.width, height: d.height, channels: d.channels };
      } else {
        const d = await bitmapPixels(pair.label);
        label = { data: d.data, width: d.width, height: d.height, channels: 4 };
      }
    } catch (e) {
      throw new PairDataError(pair.label.name || pair.name, `the label cannot be decoded (${errorMessage(e)})`);
    }
    return { frame: { data: frame.data, width: frame.width, height: frame.height, channels: 4 }, label };
  }
}
