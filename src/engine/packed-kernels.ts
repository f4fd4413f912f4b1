import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormTrain } from './kernels/fused-bn';
import { fusedResidualRelu } from './kernels/fused-residual';
import type { ShaderSource } from './kernels/dispatch';
import { markPacked } from './packed/registry';
import { avgPool2x2Ceil } from './pooling';

/**
 * TEMPORARY STAND-IN for the packed kernels of f16-ops (issue 13), so the engine's wiring can be
 * developed before they land: "packed" tensors are plain f32 tensors here. Replaced by the real
 * modules of src/engine/packed/ at merge.
 */

export const PACKED_SHADERS: ShaderSource[] = [];

export function installPackedGradientAccumulation(): void {}

export function packChannels(x: tf.Tensor4D): tf.Tensor4D {
  return markPacked(tf.clone(x));
}

export function batchNormTrainPacked(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
): { y: tf.Tensor4D; mean: tf.Tensor; variance: tf.Tensor } {
  const out = fusedBatchNormTrain(x, gamma, beta, epsilon, relu);
  return { ...out, y: markPacked(out.y) };
}

export const residualReluPacked = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D =>
  markPacked(fusedResidualRelu(a, b));

export const globalAvgPoolPacked = (x: tf.Tensor4D, _channels: number): tf.Tensor2D =>
  tf.mean(x, [1, 2]);

export const avgPool2x2CeilPacked = (x: tf.Tensor4D): tf.Tensor4D => markPacked(avgPool2x2Ceil(x));

export const maxPool3x3s2Packed = (x: tf.Tensor4D): tf.Tensor4D =>
  markPacked(tf.maxPool(x, 3, 2, 1));
