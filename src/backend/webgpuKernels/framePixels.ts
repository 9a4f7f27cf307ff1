/**
 * StudioFramePixels (src/inference/framePixelsKernel.ts) for the WebGPU backend: frames uploaded as
 * packed bytes -> float32 [frames, rows, width, 3], one pixel per thread, in writeRgbFloats' order
 * of float32 operations.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { FRAME_PIXELS_KERNEL, type FramePixelsAttrs, type FramePixelsInputs } from '../../inference/framePixelsKernel';

export const KERNEL_NAME = FRAME_PIXELS_KERNEL;

const THREADS = 64;

/** WGSL: byte b of an int32 array `packed` holding bytes four to a word, little-endian (packBytes). */
export const PACKED_BYTE_WGSL = `
  fn packedByte(b : i32) -> u32 {
    return (bitcast<u32>(packed[b >> 2u]) >> (u32(b & 3) * 8u)) & 255u;
  }
`;

/** One thread per output pixel (its three values); one division to find the source pixel. */
export class FramePixelsProgram implements WebGPUProgram {
  shaderKey: string;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  variableNames = ['packed'];
  uniforms =
    'pixels : i32, framePixels : i32, skipPerFrame : i32, skipFirst : i32, channels : i32, source : vec3<i32>, scale : f32, mean : vec3<f32>, deviation : vec3<f32>,';

  constructor(
    shape: readonly number[],
    private readonly normalise: boolean,
    /** RGBA frames: a pixel is one word, read once. */
    private readonly wordPerPixel: boolean,
  ) {
    this.outputShape = [...shape];
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / 3 / THREADS), 1, 1];
    this.shaderKey = `studioFramePixels_${normalise ? 'normalised' : 'bytes'}_${wordPerPixel ? 'rgba' : 'any'}`;
  }

  getUserCode(): string {
    const byte = (c: number) => (this.wordPerPixel ? `f32((word >> (u32(uniforms.source[${c}]) * 8u)) & 255u)` : `f32(packedByte(first + uniforms.source[${c}]))`);
    const value = (c: number) => (this.normalise ? `((${byte(c)} * uniforms.scale) - uniforms.mean[${c}]) / uniforms.deviation[${c}]` : byte(c));
    return `
${PACKED_BYTE_WGSL}
  fn main(pixel : i32) {
    if (pixel >= uniforms.pixels) { return; }
    // Output pixel p of frame n is source pixel p + n * skipPerFrame + skipFirst (the rows left out).
    let frame = pixel / uniforms.framePixels;
    let sourcePixel = pixel + frame * uniforms.skipPerFrame + uniforms.skipFirst;
    ${this.wordPerPixel ? 'let word = bitcast<u32>(packed[sourcePixel]);' : 'let first = sourcePixel * uniforms.channels;'}
    let out = pixel * 3;
    result[out] = ${value(0)};
    result[out + 1] = ${value(1)};
    result[out + 2] = ${value(2)};
  }
`;
  }
}

export function makeFramePixelsWebgpu(): tf.KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as unknown as WebGPUBackend;
    const { packed } = inputs as unknown as FramePixelsInputs<tf.TensorInfo>;
    const a = attrs as unknown as FramePixelsAttrs;
    if (packed.dtype !== 'int32') throw new Error(`${FRAME_PIXELS_KERNEL}: expected the frames' bytes as int32 words, got ${packed.dtype}`);
    const uniforms = [
      { type: 'int32', data: [a.frames * a.rows * a.width] },
      { type: 'int32', data: [a.rows * a.width] },
      { type: 'int32', data: [(a.frameHeight - a.rows) * a.width] },
      { type: 'int32', data: [a.rowStart * a.width] },
      { type: 'int32', data: [a.channels] },
      { type: 'int32', data: a.sourceChannels },
      { type: 'float32', data: [a.scale] },
      { type: 'float32', data: a.mean },
      { type: 'float32', data: a.std },
    ];
    const program = new FramePixelsProgram([a.frames, a.rows, a.width, 3], a.normalise, a.channels === 4);
    return backend.runWebGPUProgram(program, [packed], 'float32', uniforms);
  };
}
