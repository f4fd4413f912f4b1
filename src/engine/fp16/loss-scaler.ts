import * as tf from '@tensorflow/tfjs';
import { DEFAULT_LOSS_SCALE, type LossScaleOptions } from '../../tricks';
import { makeVariable } from '../model';

/**
 * Dynamic loss scaling on the GPU, step for step the rule of src/tricks/loss-scaling.ts, kept in
 * tensors so that a step never waits for a readback: the overflow flag, the skip and the new
 * scale are all decided on the GPU; the trainer reads the scale and the skip count together with
 * the losses.
 */
export interface GpuLossScaler {
  options: LossScaleOptions;
  /** The current scale S (scalar). */
  readonly scale: tf.Variable;
  /** True when the sum of every gradient is finite, i.e. no gradient has an Inf or NaN. */
  allFinite(grads: tf.Tensor[]): tf.Scalar;
  /**
   * Advances the state after a step whose gradients were `finite`; returns
   * [scale used by that step, skipped steps so far] for the metrics stream.
   */
  update(finite: tf.Scalar): tf.Tensor1D;
  tensorCount(): number;
  dispose(): void;
}

/**
 * tfjs's WebGPU addN binds every input at once; adapters allow as few as 8 storage buffers per
 * shader stage, so a ResNet's ~40 gradients are summed in groups.
 */
const ADD_N_GROUP = 6;

function sumAll(values: tf.Tensor[]): tf.Tensor {
  let level = values;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += ADD_N_GROUP) {
      const group = level.slice(i, i + ADD_N_GROUP);
      next.push(group.length === 1 ? group[0]! : tf.addN(group));
    }
    level = next;
  }
  return level[0] ?? tf.scalar(0);
}

export function createGpuLossScaler(overrides: Partial<LossScaleOptions> = {}): GpuLossScaler {
  const options = { ...DEFAULT_LOSS_SCALE, ...overrides };
  const scale = makeVariable(tf.scalar(options.initial), false);
  const clean = makeVariable(tf.scalar(0), false);
  const skipped = makeVariable(tf.scalar(0), false);
  return {
    options,
    scale,
    allFinite(grads) {
      // Inf and NaN survive a sum (Inf − Inf = NaN): one reduction per tensor, one flag.
      return tf.tidy(() => tf.isFinite(sumAll(grads.map((g) => tf.sum(g)))) as tf.Scalar);
    },
    update(finite) {
      return tf.tidy(() => {
        const used = scale.clone();
        const cleanNext = tf.add(clean, 1);
        const grow = tf.logicalAnd(finite, tf.greaterEqual(cleanNext, options.growthInterval));
        const grown = tf.minimum(tf.mul(scale, 2), options.max);
        const shrunk = tf.maximum(tf.div(scale, 2), options.min);
        scale.assign(tf.where(finite, tf.where(grow, grown, scale), shrunk) as tf.Scalar);
        clean.assign(
          tf.where(grow, tf.zerosLike(clean), tf.mul(cleanNext, tf.cast(finite, 'float32'))),
        );
        skipped.assign(tf.add(skipped, tf.sub(1, tf.cast(finite, 'float32'))));
        return tf.stack([used, skipped]) as tf.Tensor1D;
      });
    },
    tensorCount: () => 3,
    dispose() {
      scale.dispose();
      clean.dispose();
      skipped.dispose();
    },
  };
}
