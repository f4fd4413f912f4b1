import type * as tf from '@tensorflow/tfjs-core';
import type { BnLayer, BnPasses } from './bn-passes';
import { APPLY_THREADS, type BnShaders } from './bn-wgsl';
import { f32, runProgramOutputs, workgroupGrid as grid } from './dispatch';

/**
 * BN with bn-wgsl.ts's per-channel kernels: one 64-invocation workgroup per channel for each
 * reduction (strided loads, the forward's two passes over the data). Not what training runs
 * (coalesced-bn.ts is): the baseline to measure and test that against. Dispatches: forward 2
 * (statistics, apply), backward 2 (Σdz and Σdz·x̂, dx). stats = [mean | variance].
 */
export function perChannelBnPasses(
  shaders: BnShaders,
  layer: BnLayer,
  cols: number,
  rows: number,
): BnPasses {
  const { channels } = layer;
  const eps = f32(layer.epsilon);
  const flag = layer.relu ? 1 : 0;
  return {
    forward(x, gamma, beta) {
      const [mean, variance, stats] = runProgramOutputs(
        { ...shaders.stats, uniforms: [rows, cols], grid: grid(cols) },
        [x],
        [[channels], [channels], [2 * channels]],
      ) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      const y = runProgramOutputs(
        {
          ...shaders.apply,
          uniforms: [x.size, cols, eps, flag],
          grid: grid(Math.ceil(x.size / APPLY_THREADS)),
        },
        [x, stats, gamma, beta],
        [x.shape],
      )[0] as tf.Tensor4D;
      return { y, mean, variance, stats };
    },
    backward(saved, dy) {
      const [dBeta, dGamma, sums] = runProgramOutputs(
        { ...shaders.backwardReduce, uniforms: [rows, cols, eps, flag], grid: grid(cols) },
        [saved.x, dy, saved.y, saved.stats],
        [[channels], [channels], [2 * channels]],
      ) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dx = runProgramOutputs(
        {
          ...shaders.backwardApply,
          uniforms: [saved.x.size, cols, eps, flag, rows],
          grid: grid(Math.ceil(saved.x.size / APPLY_THREADS)),
        },
        [saved.x, dy, saved.y, saved.stats, saved.gamma, sums],
        [saved.x.shape],
      )[0] as tf.Tensor4D;
      sums.dispose();
      return { dx, dGamma: dGamma!, dBeta: dBeta! };
    },
  };
}
