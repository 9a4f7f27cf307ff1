/**
 * The viewer's overlay on WebGPU as one compute pass: for each output pixel the frame's colour, the
 * view's blends (road then car, the heat ramp, or the error colours; side by side: predicted |
 * truth) and the packing into one int32 whose bytes are the canvas's RGBA, in a single thread. The
 * tensor-op version (`overlayGpu.ts`) takes some twenty passes over the frame, each with
 * TensorFlow.js's per-op work on the page's thread; this is one dispatch. Same definition and
 * rounding (round half to even, per blend) as the CPU reference in overlay.ts.
 *
 * Rows of the result are padded to `rowPixels` (a multiple of 64 pixels), the layout a
 * buffer-to-texture copy into the canvas needs (256-byte rows).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { ViewSettings } from '../state/viewerStore';
import { CLASS_COLOURS, ERROR_COLOURS, type Rgb } from './overlay';
import type { OverlayInputs } from './overlayGpu';

const THREADS = 64;
export const ROW_ALIGNMENT = 64;

/** The view as the shader sees it: errors and side by side need truth, heat needs the heat channel. */
type ShaderMode = 'masks' | 'heat' | 'errors' | 'side-truth' | 'side-frame';

function shaderMode(view: ViewSettings, inputs: OverlayInputs): ShaderMode {
  switch (view.mode) {
    case 'heat':
      return inputs.heat ? 'heat' : 'masks';
    case 'errors':
      return inputs.truth ? 'errors' : 'masks';
    case 'side-by-side':
      return inputs.truth ? 'side-truth' : 'side-frame';
    default:
      return 'masks';
  }
}

const vec = (c: Rgb) => `vec3<f32>(${c[0]}.0, ${c[1]}.0, ${c[2]}.0)`;

export class OverlayProgram implements WebGPUProgram {
  variableNames = ['frame', 'masks', 'truth', 'heat'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  uniforms = 'height : i32, width : i32, rowPixels : i32, drawnWidth : i32, opacity : f32, showCar : i32, showRoad : i32, focus : i32,';

  constructor(
    height: number,
    rowPixels: number,
    private readonly mode: ShaderMode,
  ) {
    this.outputShape = [height, rowPixels];
    this.shaderKey = `studioOverlay_${mode}`;
    this.dispatchLayout = { x: [0, 1] };
    this.dispatch = [Math.ceil((height * rowPixels) / THREADS), 1, 1];
  }

  private pixel(): string {
    switch (this.mode) {
      case 'heat':
        return `
    let t = clamp(heat[p], 0.0, 1.0) * 4.0;
    let colour = vec3<f32>(clamp(t - 2.0, 0.0, 1.0), clamp(t, 0.0, 1.0) - clamp(t - 3.0, 0.0, 1.0), 1.0 - clamp(t - 1.0, 0.0, 1.0)) * 255.0;
    colourOut = blend(base, colour);`;
      case 'errors':
        return `
    let predicted = masks[p * 2 + uniforms.focus] > 0.5;
    let truly = truth[p * 2 + uniforms.focus] > 0.5;
    if (predicted && truly) { colourOut = blend(base, ${vec(ERROR_COLOURS.tp)}); }
    else if (predicted) { colourOut = blend(base, ${vec(ERROR_COLOURS.fp)}); }
    else if (truly) { colourOut = blend(base, ${vec(ERROR_COLOURS.fn)}); }`;
      case 'side-truth':
        return `
    if (onRight) { colourOut = layers(base, truth[p * 2], truth[p * 2 + 1]); }
    else { colourOut = layers(base, masks[p * 2], masks[p * 2 + 1]); }`;
      case 'side-frame':
        return `
    if (!onRight) { colourOut = layers(base, masks[p * 2], masks[p * 2 + 1]); }`;
      default:
        return `
    colourOut = layers(base, masks[p * 2], masks[p * 2 + 1]);`;
    }
  }

  getUserCode(): string {
    return `
  fn blend(base : vec3<f32>, colour : vec3<f32>) -> vec3<f32> {
    let a = uniforms.opacity;
    return clamp(round(base * (1.0 - a) + colour * a), vec3<f32>(0.0), vec3<f32>(255.0));
  }

  fn layers(base : vec3<f32>, car : f32, road : f32) -> vec3<f32> {
    var layered = base;
    if (uniforms.showRoad == 1 && road > 0.5) { layered = blend(layered, ${vec(CLASS_COLOURS.road)}); }
    if (uniforms.showCar == 1 && car > 0.5) { layered = blend(layered, ${vec(CLASS_COLOURS.car)}); }
    return layered;
  }

  fn main(index : i32) {
    // Every input must be used, or the compiler drops its binding from the pipeline's layout
    // (the layout is derived from the shader) and the bind group no longer matches it.
    if (uniforms.height < 0) { result[0] = i32(masks[0] + truth[0] + heat[0]); }
    if (index >= uniforms.height * uniforms.rowPixels) { return; }
    let y = index / uniforms.rowPixels;
    var x = index - y * uniforms.rowPixels;
    if (x >= uniforms.drawnWidth) { result[index] = 0; return; }
    let onRight = x >= uniforms.width;
    if (onRight) { x = x - uniforms.width; }
    let p = y * uniforms.width + x;
    let base = vec3<f32>(frame[p * 3], frame[p * 3 + 1], frame[p * 3 + 2]);
    var colourOut = base;${this.pixel()}
    let bytes = vec3<i32>(colourOut);
    result[index] = bytes.x + 256 * bytes.y + 65536 * bytes.z - 16777216;
  }
`;
  }
}

/** The row length of a packed image `width` pixels wide, padded for a buffer-to-texture copy. */
export function paddedRow(width: number): number {
  return Math.ceil(width / ROW_ALIGNMENT) * ROW_ALIGNMENT;
}

/**
 * The composed, packed image [H, paddedRow(drawnWidth)] int32 (bytes r, g, b, 255 per pixel,
 * zeros in the padding) in one dispatch. The active backend must be WebGPU.
 */
export function composePackedWebgpu(inputs: OverlayInputs, view: ViewSettings): { packed: tf.Tensor2D; drawnWidth: number } {
  const backend = tf.backend() as WebGPUBackend;
  if (tf.getBackend() !== 'webgpu' || typeof backend.runWebGPUProgram !== 'function') throw new Error('composePackedWebgpu needs the WebGPU backend');
  const [height, width] = inputs.frame.shape;
  const mode = shaderMode(view, inputs);
  const drawnWidth = mode === 'side-truth' || mode === 'side-frame' ? width * 2 : width;
  const rowPixels = paddedRow(drawnWidth);
  const placeholder = tf.zeros([1], 'float32');
  try {
    const program = new OverlayProgram(height, rowPixels, mode);
    const focus = view.focus === 'car' ? 0 : 1;
    const uniforms = [
      { type: 'int32', data: [height] },
      { type: 'int32', data: [width] },
      { type: 'int32', data: [rowPixels] },
      { type: 'int32', data: [drawnWidth] },
      { type: 'float32', data: [view.opacity] },
      { type: 'int32', data: [view.showCar ? 1 : 0] },
      { type: 'int32', data: [view.showRoad ? 1 : 0] },
      { type: 'int32', data: [focus] },
    ];
    const heat = mode === 'heat' ? inputs.heat! : placeholder;
    const truth = inputs.truth ?? placeholder;
    const info = backend.runWebGPUProgram(program, [inputs.frame, inputs.masks, truth, heat], 'int32', uniforms);
    return { packed: tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D, drawnWidth };
  } finally {
    placeholder.dispose();
  }
}
