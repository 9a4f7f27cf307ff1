/**
 * LinkNet's architecture, written once against an abstract set of layer operations.
 *
 * The same description drives the TensorFlow.js forward pass (tensors), the parameter
 * list with PyTorch state_dict names, and the summary (shapes and multiply-accumulates).
 */
import type { EncoderName, ModelConfig } from './config';

export interface ConvSpec {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  /** Symmetric zero padding on every side (PyTorch semantics). */
  padding: number;
  bias: boolean;
}

export interface DeconvSpec extends ConvSpec {
  /** Extra rows/columns added at the bottom/right of the output (PyTorch output_padding). */
  outputPadding: number;
}

/** PyTorch ConvTranspose2d's output size along one axis: (size - 1) * stride - 2 * padding + kernel + output_padding. */
export function deconvOutputSize(size: number, spec: DeconvSpec): number {
  return (size - 1) * spec.stride - 2 * spec.padding + spec.kernel + spec.outputPadding;
}

/** The layer operations LinkNet is made of; `name` is the PyTorch module path. */
export interface LayerOps<T> {
  conv(name: string, x: T, spec: ConvSpec): T;
  deconv(name: string, x: T, spec: DeconvSpec): T;
  batchNorm(name: string, x: T, channels: number): T;
  relu(x: T): T;
  /** relu(batchNorm(...)) as one operation, where an implementation fuses them (else the two). */
  batchNormRelu?(name: string, x: T, channels: number): T;
  add(a: T, b: T): T;
  maxPool(x: T, kernel: number, stride: number, padding: number): T;
}

export interface LinkNetOutputs<T> {
  e1: T; e2: T; e3: T; e4: T;
  d4: T; d3: T; d2: T; d1: T;
  logits: T;
}

interface EncoderLayout {
  block: 'basic' | 'bottleneck';
  blocks: [number, number, number, number];
}

const ENCODERS: Record<EncoderName, EncoderLayout> = {
  resnet18: { block: 'basic', blocks: [2, 2, 2, 2] },
  resnet34: { block: 'basic', blocks: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', blocks: [3, 4, 6, 3] },
  resnet101: { block: 'bottleneck', blocks: [3, 4, 23, 3] },
  resnet152: { block: 'bottleneck', blocks: [3, 8, 36, 3] },
};

export function encoderLayout(encoder: EncoderName): EncoderLayout {
  return ENCODERS[encoder];
}

/** Output channels of encoder1..4: 64..512 for basic blocks, 256..2048 for bottlenecks. */
export function encoderFilters(encoder: EncoderName): [number, number, number, number] {
  return ENCODERS[encoder].block === 'basic' ? [64, 128, 256, 512] : [256, 512, 1024, 2048];
}

/** BatchNorm then ReLU: the ops' fused form where they have one. */
function normRelu<T>(ops: LayerOps<T>, name: string, x: T, channels: number): T {
  return ops.batchNormRelu ? ops.batchNormRelu(name, x, channels) : ops.relu(ops.batchNorm(name, x, channels));
}

const conv = (inChannels: number, outChannels: number, kernel: number, stride: number, padding: number, bias: boolean): ConvSpec =>
  ({ inChannels, outChannels, kernel, stride, padding, bias });

/** torchvision BasicBlock: 3x3 (stride) -> 3x3, identity or 1x1 downsample. */
function basicBlock<T>(ops: LayerOps<T>, name: string, x: T, inC: number, planes: number, stride: number): T {
  let y = ops.conv(`${name}.conv1`, x, conv(inC, planes, 3, stride, 1, false));
  y = normRelu(ops, `${name}.bn1`, y, planes);
  y = ops.conv(`${name}.conv2`, y, conv(planes, planes, 3, 1, 1, false));
  y = ops.batchNorm(`${name}.bn2`, y, planes);
  const shortcut = stride !== 1 || inC !== planes
    ? ops.batchNorm(`${name}.downsample.1`, ops.conv(`${name}.downsample.0`, x, conv(inC, planes, 1, stride, 0, false)), planes)
    : x;
  return ops.relu(ops.add(y, shortcut));
}

/** torchvision Bottleneck (v1.5: the stride sits on the 3x3 conv), expansion 4. */
function bottleneckBlock<T>(ops: LayerOps<T>, name: string, x: T, inC: number, planes: number, stride: number): T {
  const outC = planes * 4;
  let y = normRelu(ops, `${name}.bn1`, ops.conv(`${name}.conv1`, x, conv(inC, planes, 1, 1, 0, false)), planes);
  y = normRelu(ops, `${name}.bn2`, ops.conv(`${name}.conv2`, y, conv(planes, planes, 3, stride, 1, false)), planes);
  y = ops.batchNorm(`${name}.bn3`, ops.conv(`${name}.conv3`, y, conv(planes, outC, 1, 1, 0, false)), outC);
  const shortcut = stride !== 1 || inC !== outC
    ? ops.batchNorm(`${name}.downsample.1`, ops.conv(`${name}.downsample.0`, x, conv(inC, outC, 1, stride, 0, false)), outC)
    : x;
  return ops.relu(ops.add(y, shortcut));
}

/** LinkNet DecoderBlock(in, n): 1x1 in->in/4, 3x3 transposed conv x2 upsampling, 1x1 in/4->n; BN+ReLU after each. */
function decoderBlock<T>(ops: LayerOps<T>, name: string, x: T, inC: number, outC: number): T {
  const mid = inC / 4;
  let y = normRelu(ops, `${name}.norm1`, ops.conv(`${name}.conv1`, x, conv(inC, mid, 1, 1, 0, true)), mid);
  y = ops.deconv(`${name}.deconv2`, y, { ...conv(mid, mid, 3, 2, 1, true), outputPadding: 1 });
  y = normRelu(ops, `${name}.norm2`, y, mid);
  y = ops.conv(`${name}.conv3`, y, conv(mid, outC, 1, 1, 0, true));
  return normRelu(ops, `${name}.norm3`, y, outC);
}

/** Runs LinkNet on `input` (3 channels) with the given ops; returns encoder/decoder features and logits. */
export function linkNet<T>(ops: LayerOps<T>, config: Pick<ModelConfig, 'encoder' | 'classes'>, input: T): LinkNetOutputs<T> {
  const layout = ENCODERS[config.encoder];
  const filters = encoderFilters(config.encoder);
  const planes = [64, 128, 256, 512];
  const block = layout.block === 'basic' ? basicBlock : bottleneckBlock;

  let x = ops.conv('firstconv', input, conv(3, 64, 7, 2, 3, false));
  x = normRelu(ops, 'firstbn', x, 64);
  x = ops.maxPool(x, 3, 2, 1);

  const encoded: T[] = [];
  let inC = 64;
  for (let layer = 0; layer < 4; layer++) {
    for (let b = 0; b < layout.blocks[layer]; b++) {
      const stride = layer > 0 && b === 0 ? 2 : 1;
      x = block(ops, `encoder${layer + 1}.${b}`, x, inC, planes[layer], stride);
      inC = filters[layer];
    }
    encoded.push(x);
  }
  const [e1, e2, e3, e4] = encoded;

  const d4 = ops.add(decoderBlock(ops, 'decoder4', e4, filters[3], filters[2]), e3);
  const d3 = ops.add(decoderBlock(ops, 'decoder3', d4, filters[2], filters[1]), e2);
  const d2 = ops.add(decoderBlock(ops, 'decoder2', d3, filters[1], filters[0]), e1);
  const d1 = decoderBlock(ops, 'decoder1', d2, filters[0], filters[0]);

  let y = ops.relu(ops.deconv('finaldeconv1', d1, { ...conv(filters[0], 32, 3, 2, 0, true), outputPadding: 0 }));
  y = ops.relu(ops.conv('finalconv2', y, conv(32, 32, 3, 1, 0, true)));
  const logits = ops.conv('finalconv3', y, conv(32, config.classes.length, 2, 1, 1, true));
  return { e1, e2, e3, e4, d4, d3, d2, d1, logits };
}
