import type * as tf from '@tensorflow/tfjs-core';
import type { ShaderSource } from '../kernels/dispatch';
import {
  batchNormTrainWith,
  trainingBnKernels,
  trainingBnShaders,
  type BnKernels,
} from '../kernels/fused-bn';
import { requireEvenChannels } from './layout';
import { markPacked } from './registry';

/**
 * Training-mode BatchNorm (+ optional ReLU) on packed NHWC activations: fused-bn.ts's maths,
 * four dispatches and ownership, from the same WGSL templates (kernels/bn-reduce-wgsl.ts,
 * kernels/bn-wgsl.ts) in their packed flavor: x, y, dy and dx packed (one invocation per word, a channel pair), statistics and
 * reductions f32. Backward keeps only packed x and y plus the small f32 statistics: half the
 * saved bytes of the f32 path. The ReLU mask is y > 0 on the stored (f16) y.
 */

/** Every shader of the packed BN training runs on the active device, to compile ahead. */
export function packedBnShaders(): ShaderSource[] {
  return trainingBnShaders('packed');
}

export interface PackedBatchNormResult {
  /** Packed [N, H, W, C/2], marked. */
  y: tf.Tensor4D;
  /** Batch mean and biased variance [C] (f32), outside the gradient (for the running stats). */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Training-mode BN over axes [0, 1, 2] of packed `x` ([N, H, W, C/2], C = γ's length, even),
 * then ReLU when `relu`; differentiable in x (packed gradient, marked), γ and β (f32). mean and
 * variance belong to the current scope, like tf.moments' outputs.
 */
export function batchNormTrainPacked(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
  kernels: BnKernels = trainingBnKernels(),
): PackedBatchNormResult {
  const channels = gamma.size;
  requireEvenChannels('batchNormTrainPacked', channels);
  if (x.shape[3] * 2 !== channels) {
    throw new Error(
      `batchNormTrainPacked: ${x.shape[3]} words do not hold γ's ${channels} channels`,
    );
  }
  return batchNormTrainWith('packed', channels, x, gamma, beta, epsilon, relu, kernels, markPacked);
}
