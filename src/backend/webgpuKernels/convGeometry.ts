/** The geometry of a 2D convolution as TensorFlow.js computes it, for the studio's gradient kernels. */
import * as tf from '@tensorflow/tfjs';
import type { InputGradShape } from './inputGradPlan';

export interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The convolution of an input of `inShape` with a filter of `filterShape` (dilation 1), and its data format. */
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
): { info: tf.backend_util.Conv2DInfo; format: 'channelsLast' | 'channelsFirst' } {
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  return { info, format };
}

/** The sizes, strides and padding the studio's plans take, from TensorFlow.js's convolution info. */
export function convSizes(info: tf.backend_util.Conv2DInfo): InputGradShape {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
