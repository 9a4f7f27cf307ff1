/**
 * WGSL program of the WebGPU input gradient (Conv2DBackpropInput; see inputGradPlan.ts for the
 * split into stride phases), written against TensorFlow.js's WebGPU program interface like
 * filterGradPrograms.ts: the backend prepends the bindings `dy`, `W`, `result` and `uniforms`.
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { INPUT_GRAD_THREADS, inputGradGrid, QUAD_PIXELS, type InputGradPlan } from './inputGradPlan';

/** Scalar int32 uniforms, in this order (runWebGPUProgram packs them in order). */
export const INPUT_GRAD_UNIFORMS = [
  'batch',
  'inH',
  'inW',
  'inC4',
  'outH',
  'outW',
  'outC',
  'filterH',
  'filterW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
  'rowsHMax',
  'quadsWMax',
  'threadsPerPhase',
] as const;
export type InputGradUniformName = (typeof INPUT_GRAD_UNIFORMS)[number];

/** How the dy channels are read: 4 at a time (dy channels a multiple of 4) or one at a time. */
export type InputGradInner = 'vec4' | 'scalar';

/**
 * One thread per QUAD_PIXELS neighbouring dx pixels of one phase row x 4 input channels, with no
 * workgroup memory and no barriers: it loops over its phase's taps only and, per tap, over the dy
 * channels ('vec4': 4 at a time, 4 filter vec4s and 4 dy vec4s giving 64 multiply-adds; 'scalar':
 * one at a time, for dy channel counts such as the 3 classes of the network's last layer).
 * Each thread derives its phase's geometry from the uniforms (the arithmetic of phaseAxis).
 */
export class InputGradQuadsProgram implements WebGPUProgram {
  variableNames = ['dy', 'W'];
  outputShape: number[];
  shaderKey: string;
  // Not a flat layout (that would make the backend call main(index)); the program indexes itself.
  dispatchLayout = { x: [3], y: [1, 2], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [INPUT_GRAD_THREADS, 1, 1];
  outputComponent = 4;
  variableComponents: number[];
  uniforms = INPUT_GRAD_UNIFORMS.map((u) => `${u} : i32,`).join(' ');
  private readonly inner: InputGradInner;

  constructor(dxShape: readonly number[], plan: InputGradPlan, inner: InputGradInner) {
    this.outputShape = [...dxShape];
    this.inner = inner;
    this.variableComponents = inner === 'vec4' ? [4, 4] : [1, 1];
    this.dispatch = inputGradGrid(plan, dxShape[0]).dispatch;
    this.shaderKey = `studioInputGradQuads_${QUAD_PIXELS}_${inner}`;
  }

  private tapLoop(): string {
    const P = QUAD_PIXELS;
    if (this.inner === 'vec4') {
      return `
        // Filter rows W[kh, kw, ci + i, :] as vec4s over the dy channels.
        let outC4 = uniforms.outC / 4;
        let wRow = ((kh * uniforms.filterW + kw) * uniforms.inC4 * 4 + ci) * outC4;
        for (var c = 0; c < outC4; c++) {
          let w0 = W[wRow + c];
          let w1 = W[wRow + outC4 + c];
          let w2 = W[wRow + 2 * outC4 + c];
          let w3 = W[wRow + 3 * outC4 + c];
          for (var p = 0; p < ${P}; p++) {
            let d = select(vec4<f32>(0.0), dy[dyAt[p] / 4 + c], valid[p]);
            acc[p] = acc[p] + vec4<f32>(dot(d, w0), dot(d, w1), dot(d, w2), dot(d, w3));
          }
        }`;
    }
    return `
        let outC = uniforms.outC;
        let wRow = ((kh * uniforms.filterW + kw) * uniforms.inC4 * 4 + ci) * outC;
        for (var c = 0; c < outC; c++) {
          let w = vec4<f32>(W[wRow + c], W[wRow + outC + c], W[wRow + 2 * outC + c], W[wRow + 3 * outC + c]);
          for (var p = 0; p < ${P}; p++) {
            acc[p] = fma(vec4<f32>(select(0.0, dy[dyAt[p] + c], valid[p])), w, acc[p]);
          }
        }`;
  }

  getUserCode(): string {
    const P = QUAD_PIXELS;
    return `
  fn floorMod(a : i32, m : i32) -> i32 { return ((a % m) + m) % m; }
  fn ceilDiv(a : i32, b : i32) -> i32 { return (a + b - 1) / b; }

  fn main() {
    let g = (i32(workgroupId.y) * i32(numWorkgroups.x) + i32(workgroupId.x)) * ${INPUT_GRAD_THREADS} + i32(localIndex);
    if (g >= uniforms.threadsPerPhase) { return; }
    let phase = i32(workgroupId.z);
    // Channel group fastest: neighbouring threads read the same dy values.
    let group = g % uniforms.inC4;
    var rest = g / uniforms.inC4;
    let quad = rest % uniforms.quadsWMax;
    rest = rest / uniforms.quadsWMax;
    let jh = rest % uniforms.rowsHMax;
    let b = rest / uniforms.rowsHMax;

    let qh = phase / uniforms.strideW;
    let qw = phase - qh * uniforms.strideW;
    let firstH = floorMod(qh + uniforms.padTop, uniforms.strideH);
    let firstW = floorMod(qw + uniforms.padLeft, uniforms.strideW);
    let tapsH = select(0, ceilDiv(uniforms.filterH - firstH, uniforms.strideH), firstH < uniforms.filterH);
    let tapsW = select(0, ceilDiv(uniforms.filterW - firstW, uniforms.strideW), firstW < uniforms.filterW);
    let rowsH = select(0, ceilDiv(uniforms.inH - qh, uniforms.strideH), qh < uniforms.inH);
    let rowsW = select(0, ceilDiv(uniforms.inW - qw, uniforms.strideW), qw < uniforms.inW);
    let offH = (qh + uniforms.padTop - firstH) / uniforms.strideH;
    let offW = (qw + uniforms.padLeft - firstW) / uniforms.strideW;
    let jw0 = quad * ${P};
    if (jh >= rowsH || jw0 >= rowsW) { return; }

    var acc : array<vec4<f32>, ${P}>;
    for (var p = 0; p < ${P}; p++) { acc[p] = vec4<f32>(0.0); }
    let ci = group * 4;
    for (var th = 0; th < tapsH; th++) {
      let oh = jh + offH - th;
      if (oh < 0 || oh >= uniforms.outH) { continue; }
      let kh = firstH + th * uniforms.strideH;
      for (var tw = 0; tw < tapsW; tw++) {
        let kw = firstW + tw * uniforms.strideW;
        // Where each pixel's dy values start (in floats), and whether it has any at this tap.
        var dyAt : array<i32, ${P}>;
        var valid : array<bool, ${P}>;
        for (var p = 0; p < ${P}; p++) {
          let ow = jw0 + p + offW - tw;
          valid[p] = ow >= 0 && ow < uniforms.outW && jw0 + p < rowsW;
          dyAt[p] = select(0, ((b * uniforms.outH + oh) * uniforms.outW + ow) * uniforms.outC, valid[p]);
        }
        ${this.tapLoop()}
      }
    }
    let ih = qh + jh * uniforms.strideH;
    for (var p = 0; p < ${P}; p++) {
      if (jw0 + p < rowsW) {
        let iw = qw + (jw0 + p) * uniforms.strideW;
        result[((b * uniforms.inH + ih) * uniforms.inW + iw) * uniforms.inC4 + group] = acc[p];
      }
    }
  }
`;
  }
}
