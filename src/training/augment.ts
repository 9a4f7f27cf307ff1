/**
 * The original's photometric augmentation, on the GPU with tf ops inside the training step, plus an
 * optional horizontal flip.
 *
 * For a batch [N, H, W, 3] in [0, 1], each independently per image with its own probability
 * (default 0.5): gamma `x ** U(0.65, 1.35)`, brightness `x * U(0.5, 2.0)`, colour `x * U(0.75, 1.25)`
 * with one multiplier per channel; the result is clamped to [0, 1]. The flip (off by default: the
 * original did not flip, and CARLA drives on the right) mirrors image AND target together.
 *
 * Where it goes in the pipeline: on images scaled to [0, 1], BEFORE any mean/std normalisation
 * (gamma and the clamp assume [0, 1]; on normalised values they are meaningless). The channel order
 * (RGB or the original's BGR) does not matter: the colour multipliers are drawn independently per
 * channel. So: pixels / 255 -> augment -> (x - mean) / std -> network.
 *
 * The random parameters are drawn in JS from a seeded generator (sampleAugmentParams), so a run is
 * reproducible from its seed; applyAugmentation turns them into small float32 tensors
 * ([N,1,1,1] exponents, [N,1,1,3] multipliers) that broadcast over the batch. Targets are never
 * touched by the colour ops. Every tensor is built directly as float32 (no int32 casts: WebGPU
 * pitfall, tfjs issue 8638).
 */
import * as tf from '@tensorflow/tfjs';

export interface RangeAugment {
  /** Probability of applying the op to an image, 0..1. */
  probability: number;
  /** The factor is drawn uniformly from [min, max]. */
  min: number;
  max: number;
}

export interface AugmentConfig {
  gamma: RangeAugment;
  brightness: RangeAugment;
  /** One multiplier per channel, each drawn from [min, max]. */
  color: RangeAugment;
  /** Horizontal flip of image and target together. */
  flip: { probability: number };
}

/** The original's settings; flip off. */
export function defaultAugmentConfig(): AugmentConfig {
  return {
    gamma: { probability: 0.5, min: 0.65, max: 1.35 },
    brightness: { probability: 0.5, min: 0.5, max: 2.0 },
    color: { probability: 0.5, min: 0.75, max: 1.25 },
    flip: { probability: 0 },
  };
}

/** No augmentation at all. */
export function noAugmentConfig(): AugmentConfig {
  return {
    gamma: { probability: 0, min: 1, max: 1 },
    brightness: { probability: 0, min: 1, max: 1 },
    color: { probability: 0, min: 1, max: 1 },
    flip: { probability: 0 },
  };
}

/** One image's draw; null = the op is not applied to this image. */
export interface ImageAugmentParams {
  gamma: number | null;
  brightness: number | null;
  color: [number, number, number] | null;
  flip: boolean;
}

/** Problems with a config; empty when valid. */
export function augmentConfigProblems(config: AugmentConfig): string[] {
  const out: string[] = [];
  const prob = (name: string, p: number) => {
    if (!(p >= 0 && p <= 1)) out.push(`${name}: probability ${p} is not in 0..1`);
  };
  for (const name of ['gamma', 'brightness', 'color'] as const) {
    const r = config[name];
    prob(name, r.probability);
    if (!(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max)) out.push(`${name}: range ${r.min}..${r.max} is not a finite min <= max`);
    else if (r.min <= 0) out.push(`${name}: range ${r.min}..${r.max} must be above 0`);
  }
  prob('flip', config.flip.probability);
  return out;
}

/**
 * Draws per-image parameters from `rng` (uniform in [0, 1), e.g. createSeededRng(seed) from
 * data/split.ts). Order of draws per image: gamma coin [+ value], brightness coin [+ value],
 * colour coin [+ 3 values], flip coin; so the same seed and config give the same parameters.
 */
export function sampleAugmentParams(config: AugmentConfig, batchSize: number, rng: () => number): ImageAugmentParams[] {
  const problems = augmentConfigProblems(config);
  if (problems.length > 0) throw new RangeError(`augmentation: ${problems.join('; ')}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 0)) throw new RangeError(`augmentation: batch size ${batchSize}`);
  const uniform = (r: RangeAugment) => r.min + (r.max - r.min) * rng();
  const out: ImageAugmentParams[] = [];
  for (let i = 0; i < batchSize; i++) {
    const gamma = rng() < config.gamma.probability ? uniform(config.gamma) : null;
    const brightness = rng() < config.brightness.probability ? uniform(config.brightness) : null;
    const color: [number, number, number] | null =
      rng() < config.color.probability ? [uniform(config.color), uniform(config.color), uniform(config.color)] : null;
    const flip = rng() < config.flip.probability;
    out.push({ gamma, brightness, color, flip });
  }
  return out;
}

/** A float32 tensor of shape [N, 1, 1, k] built straight from JS numbers. */
function perImage(values: Float32Array, n: number, k: number): tf.Tensor4D {
  return tf.tensor4d(values, [n, 1, 1, k], 'float32');
}

/** Mirrors along width (axis 2) the images whose mask entry is 1, leaving the others as they are. */
function flipWhere<T extends tf.Tensor>(x: T, flips: boolean[]): T {
  const count = flips.filter(Boolean).length;
  if (count === 0) return x;
  const mirrored = tf.reverse(x, 2) as T;
  if (count === flips.length) return mirrored;
  // Blend with a 0/1 float mask: m * a + (1 - m) * b is exactly a or b for m in {0, 1}.
  const shape = [flips.length, ...x.shape.slice(1).map(() => 1)];
  const m = tf.tensor(Float32Array.from(flips, (f) => (f ? 1 : 0)), shape, 'float32');
  return tf.add(tf.mul(mirrored, m), tf.mul(x, tf.sub(1, m))) as T;
}

/**
 * Applies drawn parameters to a batch: images [N, H, W, 3] float32 in [0, 1]; targets
 * [N, H, W, C] or [N, H, W] float32 (or null), only flipped. Returns new tensors (the inputs are
 * not disposed); wraps its work in tf.tidy.
 */
export function applyAugmentation(
  images: tf.Tensor4D,
  targets: tf.Tensor | null,
  params: readonly ImageAugmentParams[],
): { images: tf.Tensor4D; targets: tf.Tensor | null } {
  const [n, , , channels] = images.shape;
  if (params.length !== n) throw new RangeError(`augmentation: ${params.length} parameter sets for a batch of ${n}`);
  if (images.dtype !== 'float32') throw new TypeError(`augmentation: images must be float32, got ${images.dtype}`);
  if (channels !== 3) throw new RangeError(`augmentation: images need 3 channels, got ${channels}`);
  if (targets) {
    if (targets.dtype !== 'float32') throw new TypeError(`augmentation: targets must be float32, got ${targets.dtype}`);
    if (targets.rank < 3 || targets.shape[0] !== n || targets.shape[1] !== images.shape[1] || targets.shape[2] !== images.shape[2]) {
      throw new RangeError(`augmentation: targets [${targets.shape}] do not match images [${images.shape}]`);
    }
  }
  const kept = tf.tidy(() => {
    let x: tf.Tensor4D = images;
    if (params.some((p) => p.gamma !== null)) {
      const g = Float32Array.from(params, (p) => p.gamma ?? 1);
      x = tf.pow(x, perImage(g, n, 1));
    }
    if (params.some((p) => p.brightness !== null || p.color !== null)) {
      // Brightness and colour fold into one [N,1,1,3] multiplier.
      const f = new Float32Array(n * 3);
      params.forEach((p, i) => {
        for (let c = 0; c < 3; c++) f[i * 3 + c] = (p.brightness ?? 1) * (p.color ? p.color[c] : 1);
      });
      x = tf.mul(x, perImage(f, n, 3));
    }
    // Clamp only when a photometric op ran; the input is assumed to be in [0, 1] already.
    if (x !== images) x = tf.clipByValue(x, 0, 1);
    const flips = params.map((p) => p.flip);
    const outImages = flipWhere(x, flips);
    // An untouched input comes back as a clone, so the caller may dispose inputs and outputs alike.
    const result: tf.Tensor[] = [outImages === images ? tf.clone(images) : outImages];
    if (targets) {
      const outTargets = flipWhere(targets, flips);
      result.push(outTargets === targets ? tf.clone(targets) : outTargets);
    }
    return result;
  });
  return { images: kept[0] as tf.Tensor4D, targets: targets ? kept[1] : null };
}

/** Draws parameters and applies them: the one call a training step needs. */
export function augmentBatch(
  images: tf.Tensor4D,
  targets: tf.Tensor | null,
  config: AugmentConfig,
  rng: () => number,
): { images: tf.Tensor4D; targets: tf.Tensor | null; params: ImageAugmentParams[] } {
  const params = sampleAugmentParams(config, images.shape[0], rng);
  return { ...applyAugmentation(images, targets, params), params };
}

/** A short description of one image's draw for logs, e.g. 'gamma 0.81, brightness 1.42, flip'. */
export function describeParams(p: ImageAugmentParams): string {
  const parts: string[] = [];
  if (p.gamma !== null) parts.push(`gamma ${p.gamma.toFixed(2)}`);
  if (p.brightness !== null) parts.push(`brightness ${p.brightness.toFixed(2)}`);
  if (p.color) parts.push(`colour ${p.color.map((c) => c.toFixed(2)).join('/')}`);
  if (p.flip) parts.push('flip');
  return parts.length > 0 ? parts.join(', ') : 'none';
}
