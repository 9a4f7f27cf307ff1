/** Initial parameter values, seeded, following PyTorch/torchvision defaults. */
import type { ParamSpec } from './shapeWalk';


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
  const size = spec.torchShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const isEncoder = spec.name.startsWith('firstconv') || spec.name.startsWith('encoder');
  switch (spec.role) {
    case 'bn-weight':
    case 'running-var':
      out.fill(1);
      break;
    case 'bn-bias':
    case 'running-mean':
      break;
    case 'weight':
      if (isEncoder) {
        const std = Math.sqrt(2 / spec.fanOut);
        for (let i = 0; i < size; i++) out[i] = gaussian(random) * std;
      } else {
        const bound = 1 / Math.sqrt(spec.fanIn);
        for (let i = 0; i < size; i++) out[i] = (random() * 2 - 1) * bound;
      }
      break;
    case 'bias': {
      const bound = 1 / Math.sqrt(spec.fanIn);
      for (let i = 0; i < size; i++) out[i] = (random() * 2 - 1) * bound;
      break;
    }
  }
  return out;
}
