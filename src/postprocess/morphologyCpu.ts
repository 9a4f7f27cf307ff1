/**
 * The plain CPU reference for the post-processing: the definitions the GPU ops must reproduce
 * pixel for pixel. Pixels outside the image count as 0 (zero padding), so erosion eats the border.
 */
import { kernelFootprint, kernelPadding, morphologyPasses, type Morphology } from './settings';

/** One elementary pass: dilate = any footprint pixel set; erode = every footprint pixel set. */
export function morphologyPassCpu(mask: Uint8Array, width: number, height: number, size: number, footprint: Uint8Array, op: 'dilate' | 'erode'): Uint8Array {
  const out = new Uint8Array(width * height);
  const [before] = kernelPadding(size);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let any = false;
      let all = true;
      for (let ky = 0; ky < size && (op === 'dilate' ? !any : all); ky++) {
        const sy = y - before + ky;
        for (let kx = 0; kx < size; kx++) {
          if (!footprint[ky * size + kx]) continue;
          const sx = x - before + kx;
          const v = sy >= 0 && sy < height && sx >= 0 && sx < width ? mask[sy * width + sx] : 0;
          if (v) any = true;
          else all = false;
        }
      }
      out[y * width + x] = (op === 'dilate' ? any : all) ? 1 : 0;
    }
  }
  return out;
}

/** Applies a morphology (all its passes) to a 0/1 mask. */
export function morphologyCpu(mask: Uint8Array, width: number, height: number, m: Morphology): Uint8Array {
  if (mask.length !== width * height) throw new Error(`mask has ${mask.length} pixels, expected ${width}x${height}`);
  const footprint = kernelFootprint(m.size, m.shape);
  let cur = mask;
  for (const pass of morphologyPasses(m)) cur = morphologyPassCpu(cur, width, height, m.size, footprint, pass);
  return cur === mask ? Uint8Array.from(mask) : cur;
}
