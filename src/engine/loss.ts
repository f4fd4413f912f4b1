import * as tf from '@tensorflow/tfjs-core';
import { smoothingValues } from '../tricks';
import { fusedSoftCrossEntropy } from './kernels/fused-cross-entropy';

/**
 * Training targets and losses on the GPU: label smoothing (Eq. 4), mixup (Eq. 7–8, partner = the
 * batch reversed, as mixupPartner) and knowledge distillation (Eq. 6).
 */

/** λx + (1 − λ)·reverse(x) along the batch axis; x itself when λ = 1. */
export function mixBatch<T extends tf.Tensor>(x: T, lambda: number): T {
  if (lambda === 1) return x;
  return tf.tidy(() => tf.add(tf.mul(x, lambda), tf.mul(tf.reverse(x, 0), 1 - lambda)) as T);
}

/** Smoothed one-hot targets [n, K] (1 − ε on the label, ε/(K − 1) elsewhere), mixed with λ. */
export function targetDistribution(
  labels: Int32Array,
  classes: number,
  epsilon: number,
  lambda: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const { on, off } = smoothingValues(classes, epsilon);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes, on, off, 'float32');
    return mixBatch(oneHot as tf.Tensor2D, lambda);
  });
}

/**
 * Mean over the batch of −Σ_i p_i log softmax(z)_i: on WebGPU one dispatch each way
 * (kernels/fused-cross-entropy.ts), elsewhere tfjs's ops.
 */
export function softCrossEntropy(targets: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() =>
    tf.getBackend() === 'webgpu'
      ? fusedSoftCrossEntropy(targets, logits)
      : (tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar),
  );
}

/**
 * Eq. 6 up to a constant of the teacher: CE(p, softmax(z)) + T²·KL(softmax(r/T) ‖ softmax(z/T)).
 * Eq. 6's T²·CE(softmax(r/T), softmax(z/T)) equals this KL term plus T²·H(softmax(r/T)), which
 * does not depend on the student: the gradients are Eq. 6's, and the charted loss is not offset
 * by ≈ 400·log K at T = 20 (see reportedDistillationLoss). `teacherLogits` must carry no gradient.
 */
export function trainingLoss(
  targets: tf.Tensor2D,
  logits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D | null,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const hard = softCrossEntropy(targets, logits);
    if (!teacherLogits) return hard;
    const teacherLog = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const studentLog = tf.logSoftmax(tf.div(logits, temperature));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, studentLog)), 1));
    return tf.add(hard, tf.mul(kl, temperature * temperature));
  });
}
