/**
 * StudioOneHotClasses (src/training/oneHotTargets.ts) for the WebGPU backend: class indices packed
 * four to a word -> one-hot float32, one pixel (its C values) per thread. An index of C or more
 * (which oneHotValues refuses) gives a pixel of zeros.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ElementwiseProgram } from './elementwiseProgram';
import { PACKED_BYTE_WGSL } from './framePixels';
import { ONE_HOT_CLASSES_KERNEL, type OneHotClassesAttrs, type OneHotClassesInputs } from '../../training/oneHotTargets';

export const KERNEL_NAME = ONE_HOT_CLASSES_KERNEL;

export class OneHotClassesProgram extends ElementwiseProgram {
  shaderKey: string;
  uniforms = 'pixels : i32,';

  /** Dispatched over the pixels; the output is pixels x classes values. */
  constructor(
    pixels: number,
    private readonly classes: number,
  ) {
    super(['packed'], [pixels]);
    this.outputShape = [pixels * classes];
    this.shaderKey = `studioOneHotClasses_${classes}`;
  }

  getUserCode(): string {
    return `${PACKED_BYTE_WGSL}
  fn main(pixel : i32) {
    if (pixel >= uniforms.pixels) { return; }
    let k = i32(packedByte(pixel));
    for (var c = 0; c < ${this.classes}; c++) {
      result[pixel * ${this.classes} + c] = select(0.0, 1.0, k == c);
    }
  }
`;
  }
}

export function makeOneHotClassesWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { packed } = inputs as unknown as OneHotClassesInputs<tf.TensorInfo>;
    const a = attrs as unknown as OneHotClassesAttrs;
    if (packed.dtype !== 'int32' || packed.shape[0]! * 4 < a.pixels) throw new Error(`${ONE_HOT_CLASSES_KERNEL}: expected ${a.pixels} class bytes as int32 words, got ${packed.dtype} [${packed.shape}]`);
    return backend.runWebGPUProgram(new OneHotClassesProgram(a.pixels, a.classes), [packed], 'float32', [{ type: 'int32', data: [a.pixels] }]);
  };
}
