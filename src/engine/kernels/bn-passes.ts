import type * as tf from '@tensorflow/tfjs-core';

/**
 * The dispatches of one training-mode BN implementation, which fused-bn.ts wraps into a
 * differentiable op: the per-channel kernels (bn-per-channel.ts) or the coalesced ones
 * (coalesced-bn.ts). One BnPasses serves one call: it knows the layer's shape, ε and ReLU.
 */
export interface BnPasses {
  forward(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): BnForward;
  backward(saved: BnSaved, dy: tf.Tensor4D): BnBackward;
}

export interface BnForward {
  y: tf.Tensor4D;
  /** Batch mean and biased variance [C]. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** The statistics in the implementation's own layout, saved for its backward. */
  stats: tf.Tensor;
}

/** What the forward saves for the backward. */
export interface BnSaved {
  x: tf.Tensor4D;
  gamma: tf.Tensor;
  /** The output (activated when ReLU): its sign is the ReLU mask. */
  y: tf.Tensor4D;
  stats: tf.Tensor;
}

export interface BnBackward {
  dx: tf.Tensor4D;
  /** [C] each; the wrapper reshapes them to γ's shape. */
  dGamma: tf.Tensor;
  dBeta: tf.Tensor;
}

/** One BN call: the layer's channels and how its activations are stored. */
export interface BnLayer {
  /** Channels (γ's length); the last axis of x holds them (packed: two per word). */
  channels: number;
  epsilon: number;
  relu: boolean;
}
