import * as tf from '@tensorflow/tfjs';
import { DEFAULT_LOSS_SCALE, type LossScaleOptions } from '../../tricks';
import { withOverflowFlag } from '../kernels/dispatch';
import { makeVariable } from '../model';
import { unscaleAndCheck } from './unscale';

/**
 * Dynamic loss scaling on the GPU, step for step the rule of src/tricks/loss-scaling.ts, kept in
 * tensors so that a step never waits for a readback: the overflow flag, the skip and the new
 * scale are all decided on the GPU; the trainer reads the scale and the skip count together with
 * the losses.
 *
 * Overflow is an explicit flag, never Inf surviving arithmetic (WGSL lets a compiler assume no
 * value is Inf or NaN): each step gets a fresh flag (`startStep`), which every gradient kernel
 * raises when it rounds a value beyond the f16 range (kernels/f16-rounding.ts), and which the
 * unscaling of the gradients raises where one is Inf or NaN (unscale.ts).
 */
export interface GpuLossScaler {
  options: LossScaleOptions;
  /** The current scale S (scalar). */
  readonly scale: tf.Variable;
  /** A new overflow flag for one step, not raised: record the step's kernels with it. */
  startStep(): tf.Tensor;
  /**
   * The gradients divided by S, and whether none overflowed: `flag` not raised by the step's
   * kernels nor by this unscaling.
   */
  unscale(
    grads: tf.NamedTensorMap,
    flag: tf.Tensor,
  ): { unscaled: tf.NamedTensorMap; finite: tf.Scalar };
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
  const scale = makeVariable(tf.scalar(options.initial), false);
  const clean = makeVariable(tf.scalar(0), false);
  const skipped = makeVariable(tf.scalar(0), false);
  return {
    options,
    scale,
    startStep: () => tf.zeros([1]),
    unscale(grads, flag) {
      const unscaled: tf.NamedTensorMap = {};
      withOverflowFlag(flag, () => {
        for (const [name, g] of Object.entries(grads)) unscaled[name] = unscaleAndCheck(g, scale);
      });
      // The flag holds 0, or the bits of 1.0 once raised.
      const finite = tf.tidy(() => tf.equal(tf.reshape(flag, []), 0) as tf.Scalar);
      return { unscaled, finite };
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
