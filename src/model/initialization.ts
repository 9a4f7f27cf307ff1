/** Initial parameter values, seeded, following PyTorch/torchvision defaults. */
import type { ParamSpec } from './shapeWalk';
import { finish, type SlicedWork } from '../util/slicedWork';


function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Values for one parameter, in PyTorch layout (the element order does not matter for i.i.d. draws).
 * Encoder convs: Kaiming normal, fan-out, ReLU gain (torchvision ResNet); decoder and head convs:
 * PyTorch's default uniform(+-1/sqrt(fan_in)) for weights and biases; BatchNorm: weight 1, bias 0,
 * running mean 0, running variance 1.
 */
export function initialValues(spec: ParamSpec, random: () => number): Float32Array {
  return finish(initialValuesBySlice(spec, random, Infinity));
}

/**
 * `initialValues`, drawn `sliceLength` values at a time: the generator pauses after each slice
 * (so a caller can give the page a task in between) and returns the values. The same draws in
 * the same order whatever the slice length.
 */
export function* initialValuesBySlice(spec: ParamSpec, random: () => number, sliceLength: number): SlicedWork<Float32Array> {
  const size = spec.torchShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const draw = valueDraw(spec, random);
  if (!draw) {
    if (spec.role === 'bn-weight' || spec.role === 'running-var') out.fill(1);
    return out;
  }
  for (let start = 0; start < size; start += sliceLength) {
    const end = Math.min(size, start + sliceLength);
    for (let i = start; i < end; i++) out[i] = draw();
    if (end < size) yield;
  }
  return out;
}

/** One random value of the parameter's distribution, or null for a constant parameter (BatchNorm's). */
function valueDraw(spec: ParamSpec, random: () => number): (() => number) | null {
  switch (spec.role) {
    case 'weight': {
      const isEncoder = spec.name.startsWith('firstconv') || spec.name.startsWith('encoder');
      if (isEncoder) {
        const std = Math.sqrt(2 / spec.fanOut);
        return () => gaussian(random) * std;
      }
      return uniform(random, 1 / Math.sqrt(spec.fanIn));
    }
    case 'bias':
      return uniform(random, 1 / Math.sqrt(spec.fanIn));
    default:
      return null;
  }
}

function uniform(random: () => number, bound: number): () => number {
  return () => (random() * 2 - 1) * bound;
}
