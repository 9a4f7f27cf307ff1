/**
 * The subset of ONNX's protobuf messages (onnx.proto, IR version 8) this project writes, with their
 * field numbers. Tensors are float32 only and carry their data as raw little-endian bytes.
 */
import { MessageWriter } from './protobuf';

/** ONNX IR version matching opset 17. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
const TENSOR_FLOAT = 1;

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

export type AttributeValue = number | readonly number[];

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Integer attributes only (all this exporter needs); arrays become INTS. */
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxInitializer { name: string; dims: readonly number[]; data: Float32Array; }

/** A float32 tensor's type; a string dimension is symbolic (dim_param), a number fixed. */
export interface OnnxValueInfo { name: string; shape: readonly (number | string)[]; doc?: string; }

export interface OnnxModel {
  producerName: string;
  producerVersion: string;
  graphName: string;
  doc: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  metadata: Record<string, string>;
}

function attribute(name: string, value: AttributeValue): MessageWriter {
  const m = new MessageWriter().string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new Error(`attribute ${name}: ${value} is not a non-negative integer`);
    m.varint(3, value).varint(20, ATTRIBUTE_INT);
  } else {
    for (const v of value) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`attribute ${name}: ${v} is not a non-negative integer`);
      m.varint(8, v);
    }
    m.varint(20, ATTRIBUTE_INTS);
  }
  return m;
}

function node(n: OnnxNode): MessageWriter {
  const m = new MessageWriter();
  for (const input of n.inputs) m.string(1, input);
  for (const output of n.outputs) m.string(2, output);
  m.string(3, n.name).string(4, n.opType);
  for (const [name, value] of Object.entries(n.attributes ?? {})) m.message(5, attribute(name, value));
  return m;
}

function tensor(t: OnnxInitializer): MessageWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new Error(`initializer ${t.name}: dims ${t.dims.join('x')} hold ${count} values, got ${t.data.length}`);
  const m = new MessageWriter();
  for (const d of t.dims) m.varint(1, d);
  m.varint(2, TENSOR_FLOAT).string(8, t.name);
  const raw = new Uint8Array(t.data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < t.data.length; i++) view.setFloat32(i * 4, t.data[i], true);
  return m.bytes(9, raw);
}

function valueInfo(v: OnnxValueInfo): MessageWriter {
  const shape = new MessageWriter();
  for (const d of v.shape) {
    const dim = typeof d === 'number' ? new MessageWriter().varint(1, d) : new MessageWriter().string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new MessageWriter().varint(1, TENSOR_FLOAT).message(2, shape);
  const type = new MessageWriter().message(1, tensorType);
  const m = new MessageWriter().string(1, v.name).message(2, type);
  if (v.doc) m.string(3, v.doc);
  return m;
}

/** Encodes a ModelProto. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const graph = new MessageWriter();
  for (const n of model.nodes) graph.message(1, node(n));
  graph.string(2, model.graphName);
  for (const t of model.initializers) graph.message(5, tensor(t));
  graph.string(10, model.doc);
  for (const v of model.inputs) graph.message(11, valueInfo(v));
  for (const v of model.outputs) graph.message(12, valueInfo(v));

  const m = new MessageWriter()
    .varint(1, ONNX_IR_VERSION)
    .string(2, model.producerName)
    .string(3, model.producerVersion)
    .message(7, graph)
    .message(8, new MessageWriter().string(1, '').varint(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(model.metadata)) m.message(14, new MessageWriter().string(1, key).string(2, value));
  return m.finish();
}
