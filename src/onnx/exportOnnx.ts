/**
 * LinkNet -> ONNX (opset 17): Conv (BatchNorm folded in), ConvTranspose, Relu, MaxPool, Add and a
 * final Softmax over channels (or Sigmoid). NCHW like the PyTorch model: input `input`
 * [batch, 3, height, width] float32, output `probs` [batch, classes, height, width]. How frame pixels
 * become the input is written into the model's metadata_props.
 */
import type { ModelConfig } from '../model/config';
import { buildFoldedGraph, INPUT_REF, type FoldedGraph, type FoldedOp, type ValueRef } from '../model/foldedGraph';
import { weightLookup } from '../weights/weightLookup';
import type { LinkNetModel } from '../model/linkNetModel';
import { configToMetadata } from '../weights/modelMetadata';
import { encodeOnnxModel, ONNX_OPSET, type OnnxInitializer, type OnnxModel, type OnnxNode } from './onnxMessages';

export const ONNX_INPUT_NAME = 'input';
export const ONNX_OUTPUT_NAME = 'probs';

/** Metadata describing the input layout and preprocessing, for whoever runs the exported model. */
export function onnxMetadata(config: ModelConfig, extra: Record<string, string> = {}): Record<string, string> {
  const i = config.input;
  const order = i.channelOrder.toUpperCase();
  const normalised = i.mean.some((m) => m !== 0) || i.std.some((s) => s !== 1);
  return {
    ...configToMetadata(config, extra),
    input_layout: `NCHW float32 [batch, 3, height, width], channels in ${order} order; height and width multiples of 32`,
    preprocessing:
      `take rows ${i.cropTop}..${i.cropBottom - 1} of the ${i.frameHeight}x${i.frameWidth} frame` +
      (i.cropBottom - i.cropTop === i.inputHeight && i.frameWidth === i.inputWidth ? ' (no resize)' : `, resized to ${i.inputHeight}x${i.inputWidth}`) +
      `; order channels ${order}; x = pixel (0..255) * ${i.scale}` +
      (normalised ? `, then (x - mean) / std with mean ${JSON.stringify(i.mean)} and std ${JSON.stringify(i.std)}` : ' (no mean/std normalisation)') +
      '; transpose HWC to CHW',
    output_layout:
      `NCHW float32 [batch, ${config.classes.length}, height, width]: ` +
      (config.final === 'softmax' ? 'softmax over the channel axis' : 'sigmoid per channel') +
      `; channels ${JSON.stringify(config.classes)}`,
    batchnorm: 'folded into the convolution weights and biases (inference only)',
  };
}

function graphNodes(graph: FoldedGraph, config: ModelConfig): { nodes: OnnxNode[]; initializers: OnnxInitializer[] } {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const names = new Map<ValueRef, string>([[INPUT_REF, ONNX_INPUT_NAME]]);
  const nameOf = (ref: ValueRef): string => {
    const name = names.get(ref);
    if (!name) throw new Error(`internal: value ${ref} used before it is produced`);
    return name;
  };
  let counter = 0;
  /** Adds `op`'s node(s); a fused ReLU becomes a Relu node after it. */
  const produce = (op: FoldedOp, base: string, node: Omit<OnnxNode, 'outputs' | 'name'>, relu: boolean) => {
    const out = `${base}:out`;
    nodes.push({ ...node, name: base, outputs: [relu ? `${base}:pre_relu` : out] });
    if (relu) nodes.push({ opType: 'Relu', name: `${base}.relu`, inputs: [`${base}:pre_relu`], outputs: [out] });
    names.set(op.output, out);
  };

  for (const op of graph.ops) {
    switch (op.kind) {
      case 'conv':
      case 'deconv': {
        const s = op.spec;
        const dims = op.kind === 'conv'
          ? [s.outChannels, s.inChannels, s.kernel, s.kernel]
          : [s.inChannels, s.outChannels, s.kernel, s.kernel];
        initializers.push({ name: `${op.name}.weight`, dims, data: op.weight });
        initializers.push({ name: `${op.name}.bias`, dims: [s.outChannels], data: op.bias });
        const attributes: Record<string, number[]> = {
          kernel_shape: [s.kernel, s.kernel],
          strides: [s.stride, s.stride],
          pads: [s.padding, s.padding, s.padding, s.padding],
          dilations: [1, 1],
        };
        if (op.kind === 'deconv') attributes.output_padding = [op.spec.outputPadding, op.spec.outputPadding];
        produce(op, op.name, {
          opType: op.kind === 'conv' ? 'Conv' : 'ConvTranspose',
          inputs: [nameOf(op.input), `${op.name}.weight`, `${op.name}.bias`],
          attributes,
        }, op.relu);
        break;
      }
      case 'add':
        produce(op, `add${++counter}`, { opType: 'Add', inputs: [nameOf(op.a), nameOf(op.b)] }, op.relu);
        break;
      case 'relu':
        produce(op, `relu${++counter}`, { opType: 'Relu', inputs: [nameOf(op.input)] }, false);
        break;
      case 'maxPool':
        produce(op, `maxpool${++counter}`, {
          opType: 'MaxPool',
          inputs: [nameOf(op.input)],
          attributes: { kernel_shape: [op.kernel, op.kernel], strides: [op.stride, op.stride], pads: [op.padding, op.padding, op.padding, op.padding] },
        }, false);
        break;
    }
  }
  nodes.push(config.final === 'softmax'
    ? { opType: 'Softmax', name: 'softmax', inputs: [nameOf(graph.logits)], outputs: [ONNX_OUTPUT_NAME], attributes: { axis: 1 } }
    : { opType: 'Sigmoid', name: 'sigmoid', inputs: [nameOf(graph.logits)], outputs: [ONNX_OUTPUT_NAME] });
  return { nodes, initializers };
}

/** The ONNX model (not yet encoded) of a LinkNet with the given weights (PyTorch layout). */
export function linkNetOnnxModel(config: ModelConfig, weights: ReadonlyMap<string, Float32Array>, extraMetadata: Record<string, string> = {}): OnnxModel {
  const graph = buildFoldedGraph(config, weightLookup(weights));
  const { nodes, initializers } = graphNodes(graph, config);
  return {
    producerName: 'segmentation-studio',
    producerVersion: '0.1.0',
    graphName: `linknet_${config.encoder}`,
    doc: `LinkNet with a ${config.encoder} encoder, ${config.classes.length} classes, opset ${ONNX_OPSET}`,
    nodes,
    initializers,
    inputs: [{ name: ONNX_INPUT_NAME, shape: ['batch', 3, 'height', 'width'], doc: 'NCHW float32, see metadata "preprocessing"' }],
    outputs: [{ name: ONNX_OUTPUT_NAME, shape: ['batch', config.classes.length, 'height', 'width'], doc: 'NCHW class probabilities' }],
    metadata: onnxMetadata(config, extraMetadata),
  };
}

/** Encodes a LinkNet's current weights as an ONNX file (bytes). */
export async function exportLinkNetOnnx(model: LinkNetModel, extraMetadata: Record<string, string> = {}): Promise<Uint8Array> {
  return encodeOnnxModel(linkNetOnnxModel(model.config, await model.readTorchWeights(), extraMetadata));
}
