/**
 * Soft F-beta segmentation loss (the original solution's loss) in TensorFlow.js ops.
 *
 * Tensors are NHWC: probs and target are [N, H, W, C] float32 with the class channel last.
 * Everything here is pure tf ops (no data()/dataSync()), so it can be used inside
 * `tf.variableGrads`, `tf.grad` and `optimizer.minimize`.
 *
 * Per image n and class c (sums over H and W):
 *   TP = sum(p*t), FP = sum(p*(1-t)), FN = sum((1-p)*t)
 *   Fb = ((1+b2)TP + s) / ((1+b2)TP + b2*FN + FP + s),   b2 = beta^2
 *   w  = clamp(sum(t), 0, 1)            (an image without the class does not count)
 *   score_c = clamp(sum_n(Fb*w) / (sum_n(w) + s), 0, 1)
 * Loss = sum_c weight_c * (1 - score_c) + bceWeight * BCE.
 */
import * as tf from '@tensorflow/tfjs';

export interface ClassLossTerm {
  /** F-beta's beta for this class (recall is beta times as important as precision). */
  beta: number;
  /** Weight of (1 - F) for this class in the total loss. */
  weight: number;
}

export interface LossConfig {
  /** One term per class, in channel order. */
  terms: ClassLossTerm[];
  /** Weight of the mean binary cross-entropy term; 0 skips computing it. */
  bceWeight: number;
  /** Smoothing constant s of the soft F-beta. */
  smooth: number;
}

/** Channel order: 0 background, 1 road, 2 vehicle. */
export function defaultLossConfig(): LossConfig {
  return {
    terms: [
      { beta: 1, weight: 1 }, // background: F1
      { beta: 0.5, weight: 1 }, // road: F0.5 (precision matters more)
      { beta: 2, weight: 1 }, // vehicle: F2 (recall matters more)
    ],
    bceWeight: 0,
    smooth: 1e-4,
  };
}

/**
 * The loss for a label scheme of `classCount` classes: the terms of the classes it has are kept (in
 * channel order), a class added gets an F1 term of weight 1, the terms of classes removed go. The
 * same object when the count already matches.
 */
export function lossForClassCount(config: LossConfig, classCount: number): LossConfig {
  if (!(Number.isInteger(classCount) && classCount >= 1)) throw new Error(`a loss needs at least one class (got ${classCount})`);
  if (config.terms.length === classCount) return config;
  const terms = Array.from({ length: classCount }, (_, c) => config.terms[c] ?? { beta: 1, weight: 1 });
  return { ...config, terms };
}

/** Clipping epsilon of the binary cross-entropy term. */
export const BCE_EPSILON = 1e-7;

function checkInputs(probs: tf.Tensor4D, target: tf.Tensor4D, channels: number, what: string): void {
  if (probs.rank !== 4 || target.rank !== 4) {
    throw new Error(`${what}: probs and target must be rank 4 [N,H,W,C]`);
  }
  if (!tf.util.arraysEqual(probs.shape, target.shape)) {
    throw new Error(`${what}: probs shape [${probs.shape}] differs from target shape [${target.shape}]`);
  }
  if (probs.dtype !== 'float32' || target.dtype !== 'float32') {
    // Casting int32 -> float32 is unsafe on WebGPU (tfjs issue 8638): build float32 targets directly.
    throw new Error(`${what}: probs and target must be float32 (got ${probs.dtype}, ${target.dtype})`);
  }
  const c = probs.shape[3];
  if (channels !== c) {
    throw new Error(`${what}: ${channels} class terms given for ${c} channels`);
  }
}

/**
 * Presence-weighted soft F-beta score per class, shape [C], values in [0, 1].
 * @param betas one beta per class, in channel order
 * @param smooth the smoothing constant s (default 1e-4)
 */
export function softFbetaPerClass(
  probs: tf.Tensor4D,
  target: tf.Tensor4D,
  betas: number[],
  smooth = 1e-4,
): tf.Tensor1D {
  checkInputs(probs, target, betas.length, 'softFbetaPerClass');
  return tf.tidy(() => {
    const b2 = tf.tensor1d(betas.map((b) => b * b), 'float32'); // [C], broadcasts over [N,C]
    const onePlusB2 = tf.add(b2, 1);
    const s = tf.scalar(smooth, 'float32');
    const axes = [1, 2];
    const tp = tf.sum(tf.mul(probs, target), axes); // [N,C]
    const fp = tf.sum(tf.mul(probs, tf.sub(1, target)), axes);
    const fn = tf.sum(tf.mul(tf.sub(1, probs), target), axes);
    const weightedTp = tf.mul(onePlusB2, tp);
    const num = tf.add(weightedTp, s);
    const den = tf.add(tf.add(tf.add(weightedTp, tf.mul(b2, fn)), fp), s);
    const fb = tf.div(num, den); // [N,C]
    const w = tf.clipByValue(tf.sum(target, axes), 0, 1); // [N,C]
    const score = tf.div(tf.sum(tf.mul(fb, w), 0), tf.add(tf.sum(w, 0), s)); // [C]
    return tf.clipByValue(score, 0, 1) as tf.Tensor1D;
  });
}

/** Mean binary cross-entropy over all elements, with p clipped to [eps, 1 - eps]. */
export function meanBinaryCrossEntropy(probs: tf.Tensor, target: tf.Tensor, eps = BCE_EPSILON): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(probs, eps, 1 - eps);
    const ll = tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}

export interface LossParts {
  /** The scalar to minimise. */
  total: tf.Scalar;
  /** The soft F-scores per class, [C]. */
  perClass: tf.Tensor1D;
  /** The BCE term (unweighted), or null when bceWeight is 0. */
  bce: tf.Scalar | null;
}

/**
 * total = sum_c weight_c * (1 - F_c) + bceWeight * BCE.
 * The caller owns (and must dispose) the returned tensors, unless called inside a tidy scope.
 */
export function segmentationLoss(probs: tf.Tensor4D, target: tf.Tensor4D, config: LossConfig): LossParts {
  const { terms, bceWeight, smooth } = config;
  checkInputs(probs, target, terms.length, 'segmentationLoss');
  const useBce = bceWeight !== 0;
  const [total, perClass, bce] = tf.tidy(() => {
    const f = softFbetaPerClass(
      probs,
      target,
      terms.map((t) => t.beta),
      smooth,
    );
    const weights = tf.tensor1d(
      terms.map((t) => t.weight),
      'float32',
    );
    let loss: tf.Scalar = tf.sum(tf.mul(weights, tf.sub(1, f)));
    const parts: tf.Tensor[] = [];
    if (useBce) {
      const b = meanBinaryCrossEntropy(probs, target);
      loss = tf.add(loss, tf.mul(b, bceWeight));
      parts.push(b);
    }
    return [loss, f, ...parts] as tf.Tensor[];
  });
  return {
    total: total as tf.Scalar,
    perClass: perClass as tf.Tensor1D,
    bce: useBce ? (bce as tf.Scalar) : null,
  };
}
