import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_LOSS_SCALE, type LossScaleOptions } from '../../tricks';
import { withOverflowFlag } from '../kernels/dispatch';
import { makeVariable } from '../model';
import { checkGradientsFinite } from './gradient-check';

/**
 * Dynamic loss scaling on the GPU, step for step the rule of src/tricks/loss-scaling.ts, kept in
 * tensors so that a step never waits for a readback: the overflow flag, the skip and the new
 * scale are all decided on the GPU; the trainer reads the scale and the skip count together with
 * the losses.
 *
 * Overflow is an explicit flag, never Inf surviving arithmetic (WGSL lets a compiler assume no
 * value is Inf or NaN): each step gets a fresh flag (`startStep`), which every gradient kernel
 * raises when it rounds a value beyond the f16 range (kernels/f16-rounding.ts), and which the
 * check of the scaled gradients raises where one is Inf or NaN (gradient-check.ts).
 *
 * The gradients stay scaled: the check only reads them, several tensors per dispatch, and the
 * NAG update divides each by S as it reads it (optimizer.ts, kernels/fused-nag.ts), then skips
 * itself unless `finite`. Unscaling in a pass of its own cost one dispatch per gradient tensor
 * that wrote every gradient and read it again.
 */
export interface GpuLossScaler {
  options: LossScaleOptions;
  /** The current scale S (scalar). */
  readonly scale: tf.Variable<tf.Rank.R0>;
  /** A new overflow flag for one step, not raised: record the step's kernels with it. */
  startStep(): tf.Tensor;
  /**
   * Whether none of the step's (scaled) gradients overflowed, a bool on the GPU: `flag` raised
   * neither by the step's kernels nor by this check of `grads` for Inf and NaN. The gradients
   * are left as they are, scaled by S: pass `scale` to the update to divide them.
   */
  checkGradients(grads: tf.NamedTensorMap, flag: tf.Tensor): tf.Scalar;
  /**
   * Advances the state after a step whose gradients were `finite`; returns
   * [scale used by that step, skipped steps so far] for the metrics stream.
   */
  update(finite: tf.Scalar): tf.Tensor1D;
  tensorCount(): number;
  dispose(): void;
}

export function createGpuLossScaler(overrides: Partial<LossScaleOptions> = {}): GpuLossScaler {
  const options = { ...DEFAULT_LOSS_SCALE, ...overrides };
  const scale = makeVariable(tf.scalar(options.initial), false) as tf.Variable<tf.Rank.R0>;
  const clean = makeVariable(tf.scalar(0), false);
  const skipped = makeVariable(tf.scalar(0), false);
  return {
    options,
    scale,
    startStep: () => tf.zeros([1]),
    checkGradients(grads, flag) {
      withOverflowFlag(flag, () => checkGradientsFinite(Object.values(grads)));
      // The flag holds 0, or the bits of 1.0 once raised.
      return tf.tidy(() => tf.equal(tf.reshape(flag, []), 0) as tf.Scalar);
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
