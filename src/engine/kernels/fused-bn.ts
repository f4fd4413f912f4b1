import * as tf from '@tensorflow/tfjs';
import { APPLY_THREADS, bnShaders, type BnShaders } from './bn-wgsl';
import { f32, runProgramOutputs, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * Training-mode BatchNorm (+ optional ReLU) on NHWC tensors in four dispatches per step instead
 * of a dozen tfjs ops: forward = per-channel statistics, then normalize·γ+β(+ReLU) in one pass;
 * backward = per-channel Σdz and Σdz·x̂, then dx in one pass. Same maths as
 * tf.batchNorm(x, tf.moments(x, [0, 1, 2])) followed by tf.relu, differentiated through the
 * batch statistics:
 *   dz = relu ? dy·[out > 0] : dy;  dβ = Σdz;  dγ = Σdz·x̂;
 *   dx = γ·invstd·(dz − dβ/M − x̂·dγ/M),  M = N·H·W.
 */

const F32 = bnShaders('f32');
const grid = workgroupGrid;

export interface FusedBatchNormResult {
  y: tf.Tensor4D;
  /** Batch mean and biased variance [C], outside the gradient (for the running statistics). */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** Every shader of the fused BN, to compile ahead. */
export const FUSED_BN_SHADERS: ShaderSource[] = [
  F32.stats,
  F32.apply,
  F32.backwardReduce,
  F32.backwardApply,
];

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
): FusedBatchNormResult {
  return batchNormTrainWith(F32, x.shape[3], x, gamma, beta, epsilon, relu);
}

/**
 * The BN of `shaders`' storage flavor (bn-wgsl.ts) on `x`, whose last axis has `cols` columns
 * holding `channels` channels; `mark` is applied to the new y and dx (packed/batch-norm.ts marks
 * them packed).
 */
export function batchNormTrainWith(
  shaders: BnShaders,
  channels: number,
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu: boolean,
  mark: (t: tf.Tensor4D) => tf.Tensor4D = (t) => t,
): FusedBatchNormResult {
  const cols = x.shape[3];
  const rows = x.size / cols;
  const eps = f32(epsilon);
  const flag = relu ? 1 : 0;
  let mean: tf.Tensor1D | null = null;
  let variance: tf.Tensor1D | null = null;
  const op = tf.customGrad((xIn, gIn, bIn, save) => {
    const xs = xIn as tf.Tensor4D;
    const [m, v, stats] = runProgramOutputs(
      { ...shaders.stats, uniforms: [rows, cols], grid: grid(cols) },
      [xs],
      [[channels], [channels], [2 * channels]],
    ) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const y = runProgramOutputs(
      {
        ...shaders.apply,
        uniforms: [xs.size, cols, eps, flag],
        grid: grid(Math.ceil(xs.size / APPLY_THREADS)),
      },
      [xs, stats, gIn as tf.Tensor, bIn as tf.Tensor],
      [xs.shape],
    )[0] as tf.Tensor4D;
    mark(y);
    // customGrad disposes what its forward function does not return: keep, then re-own below.
    mean = tf.keep(m);
    variance = tf.keep(v);
    (save as tf.GradSaveFunc)([xs, gIn as tf.Tensor, y, stats]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sg, sy, sStats] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor];
        const [dBeta, dGamma, sums] = runProgramOutputs(
          { ...shaders.backwardReduce, uniforms: [rows, cols, eps, flag], grid: grid(cols) },
          [sx, dy, sy, sStats],
          [[channels], [channels], [2 * channels]],
        ) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dx = runProgramOutputs(
          {
            ...shaders.backwardApply,
            uniforms: [sx.size, cols, eps, flag, rows],
            grid: grid(Math.ceil(sx.size / APPLY_THREADS)),
          },
          [sx, dy, sy, sStats, sg, sums],
          [sx.shape],
        )[0] as tf.Tensor4D;
        sums.dispose();
        return [mark(dx), tf.reshape(dGamma, sg.shape), tf.reshape(dBeta, sg.shape)];
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
