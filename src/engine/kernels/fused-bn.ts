import * as tf from '@tensorflow/tfjs-core';
import type { BnLayer, BnPasses } from './bn-passes';
import { perChannelBnPasses } from './bn-per-channel';
import { coalescedBnShaders } from './bn-reduce-wgsl';
import { bnShaders, type BnStorage } from './bn-wgsl';
import { coalescedBnPasses } from './coalesced-bn';
import { bnGeometry } from './bn-geometry';
import type { ShaderSource } from './dispatch';
import { bnSubgroupChunk, subgroupShuffleWidthOfDevice } from './subgroup-layout';

/**
 * Training-mode BatchNorm (+ optional ReLU) on NHWC tensors in four dispatches per step instead
 * of a dozen tfjs ops: forward = per-channel statistics, then normalize·γ+β(+ReLU) in one pass;
 * backward = per-channel Σdz and Σdz·x̂, then dx in one pass. Same maths as
 * tf.batchNorm(x, tf.moments(x, [0, 1, 2])) followed by tf.relu, differentiated through the
 * batch statistics:
 *   dz = relu ? dy·[out > 0] : dy;  dβ = Σdz;  dγ = Σdz·x̂;
 *   dx = γ·invstd·(dz − dβ/M − x̂·dγ/M),  M = N·H·W.
 * Training runs the coalesced kernels (coalesced-bn.ts); where the device shuffles in subgroups
 * (subgroup-layout.ts), a layer whose column block is narrower than a subgroup runs them with
 * shuffles. The per-channel ones (bn-per-channel.ts) stay as the baseline they are measured and
 * tested against.
 */

export type BnKernels = 'coalesced' | 'coalesced-subgroups' | 'per-channel';

const SHADERS = {
  coalesced: { f32: coalescedBnShaders('f32'), packed: coalescedBnShaders('packed') },
  'coalesced-subgroups': {
    f32: coalescedBnShaders('f32', true),
    packed: coalescedBnShaders('packed', true),
  },
  'per-channel': { f32: bnShaders('f32'), packed: bnShaders('packed') },
};

/** The kernels training runs on the active device ('coalesced-subgroups' narrows per layer). */
export function trainingBnKernels(): BnKernels {
  return subgroupShuffleWidthOfDevice() === null ? 'coalesced' : 'coalesced-subgroups';
}

export interface FusedBatchNormResult {
  y: tf.Tensor4D;
  /** Batch mean and biased variance [C], outside the gradient (for the running statistics). */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * The shaders training may run for one storage flavor on the active device, to compile ahead:
 * with subgroup shuffles, both sets (a layer at least a subgroup wide takes the plain one).
 */
export function trainingBnShaders(storage: BnStorage): ShaderSource[] {
  const kernels: BnKernels[] =
    trainingBnKernels() === 'coalesced' ? ['coalesced'] : ['coalesced', 'coalesced-subgroups'];
  return kernels.flatMap((k) => bnKernelShaders(k, storage));
}

/** The shaders of BN's kernels in one storage flavor (tests). */
export function bnKernelShaders(kernels: BnKernels, storage: BnStorage): ShaderSource[] {
  return Object.values(SHADERS[kernels][storage]);
}

/**
 * Training-mode BN over axes [0, 1, 2] of NHWC `x`, then ReLU when `relu`; differentiable in
 * x, γ and β. mean and variance belong to the current scope, like tf.moments' outputs.
 */
export function fusedBatchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
  kernels: BnKernels = trainingBnKernels(),
): FusedBatchNormResult {
  return batchNormTrainWith('f32', x.shape[3], x, gamma, beta, epsilon, relu, kernels);
}

/**
 * The BN of `storage`'s flavor (bn-wgsl.ts) on `x`, whose last axis has `cols` columns holding
 * `channels` channels; `mark` is applied to the new y and dx (packed/batch-norm.ts marks them
 * packed).
 */
export function batchNormTrainWith(
  storage: BnStorage,
  channels: number,
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
  kernels: BnKernels = trainingBnKernels(),
  mark: (t: tf.Tensor4D) => tf.Tensor4D = (t) => t,
): FusedBatchNormResult {
  const cols = x.shape[3];
  const rows = x.size / cols;
  const layer: BnLayer = { channels, epsilon, relu };
  if (kernels === 'per-channel') {
    const passes = perChannelBnPasses(SHADERS['per-channel'][storage], layer, cols, rows);
    return differentiableBatchNorm(passes, x, gamma, beta, mark);
  }
  const geometry = bnGeometry(rows, cols);
  const chunk =
    kernels === 'coalesced-subgroups'
      ? bnSubgroupChunk(geometry.width, subgroupShuffleWidthOfDevice())
      : 1;
  const shaders = SHADERS[chunk > 1 ? 'coalesced-subgroups' : 'coalesced'][storage];
  const passes = coalescedBnPasses(shaders, layer, cols, rows, geometry, chunk);
  return differentiableBatchNorm(passes, x, gamma, beta, mark);
}

/** `passes` as an op differentiable in x, γ and β, with tf.moments' ownership of the moments. */
function differentiableBatchNorm(
  passes: BnPasses,
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mark: (t: tf.Tensor4D) => tf.Tensor4D,
): FusedBatchNormResult {
  let mean: tf.Tensor1D | null = null;
  let variance: tf.Tensor1D | null = null;
  const op = tf.customGrad((xIn, gIn, bIn, save) => {
    const out = passes.forward(xIn as tf.Tensor4D, gIn as tf.Tensor, bIn as tf.Tensor);
    mark(out.y);
    // customGrad disposes what its forward function does not return: keep, then re-own below.
    mean = tf.keep(out.mean);
    variance = tf.keep(out.variance);
    (save as tf.GradSaveFunc)([xIn as tf.Tensor, gIn as tf.Tensor, out.y, out.stats]);
    return {
      value: out.y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sg, sy, stats] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor];
        const grads = passes.backward({ x: sx, gamma: sg, y: sy, stats }, dy);
        return [
          mark(grads.dx),
          tf.reshape(grads.dGamma, sg.shape),
          tf.reshape(grads.dBeta, sg.shape),
        ];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  const kept: [tf.Tensor1D | null, tf.Tensor1D | null] = [mean, variance];
  const [m, v] = kept;
  if (!m || !v) throw new Error('fused BN: the forward pass did not run');
  // Clones belong to the caller's scope (like tf.moments' outputs); the kept originals go.
  const result = { y, mean: tf.clone(m), variance: tf.clone(v) };
  tf.dispose([m, v]);
  return result;
}
