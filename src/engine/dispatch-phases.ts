import * as tf from '@tensorflow/tfjs-core';
import { countDispatches } from './benchmark/dispatch-counter';

/** Tests only: the compute dispatches of a gradient, split where the loss is returned. */

export interface GradientDispatches {
  /** Dispatches of `loss` itself: the op's forward and whatever reduces it to a scalar. */
  untilLoss: number;
  /** Dispatches after the loss: tf.grads' backward pass (seeding dL/dL = 1 is an upload). */
  backward: number;
  grads: tf.Tensor[];
}

/** Runs tf.grads(loss)(xs), counting the dispatches before and after the loss is returned. */
export function gradientDispatches(
  loss: (...xs: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
): GradientDispatches {
  const counter = countDispatches();
  if (!counter) throw new Error('cannot count dispatches here (no WebGPU, or a counter is on)');
  let untilLoss = 0;
  let grads: tf.Tensor[];
  try {
    grads = tf.grads((...args: tf.Tensor[]) => {
      const value = loss(...args);
      untilLoss = counter.read();
      return value;
    })(xs);
  } finally {
    counter.stop();
  }
  return { untilLoss, backward: counter.read() - untilLoss, grads };
}
