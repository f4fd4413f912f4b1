import type * as tf from '@tensorflow/tfjs-core';
import { bnGeometry, type BnGeometry } from './bn-geometry';
import type { BnLayer, BnPasses } from './bn-passes';
import type { CoalescedBnShaders } from './bn-reduce-wgsl';
import { f32, runProgramOutputs, workgroupGrid, type Uniform } from './dispatch';

/**
 * BN with bn-reduce-wgsl.ts's coalesced kernels, what training runs. Dispatches: forward 2
 * (partial statistics, apply), backward 2 (partial Σdz and Σdz·x̂, dx): as many as the
 * per-channel kernels, whose reductions ran one workgroup per channel. The partials are small:
 * 2 × partialBlocks × C floats (bn-geometry.ts bounds partialBlocks by 8 × lanes).
 * stats = [mean | variance | γ] (3C). `chunk` > 1: `shaders` shuffle in subgroups
 * (bnSubgroupChunk).
 */
export function coalescedBnPasses(
  shaders: CoalescedBnShaders,
  layer: BnLayer,
  cols: number,
  rows: number,
  geometry: BnGeometry = bnGeometry(rows, cols),
  chunk = 1,
): BnPasses {
  const { channels } = layer;
  const g = geometry;
  const eps = f32(layer.epsilon);
  const flag = layer.relu ? 1 : 0;
  // The Uniforms struct of bn-reduce-wgsl.ts, for the reduction's or the apply's row blocks.
  const uniforms = (rowBlocks: number, blockRows: number): Uniform[] => [
    rows,
    cols,
    g.width,
    g.lanes,
    g.colBlocks,
    rowBlocks,
    blockRows,
    g.partialBlocks,
    g.blockRows,
    eps,
    flag,
    chunk,
  ];
  const reduce = {
    uniforms: uniforms(g.partialBlocks, g.blockRows),
    grid: workgroupGrid(g.colBlocks * g.partialBlocks),
  };
  const apply = {
    uniforms: uniforms(g.applyBlocks, g.applyRows),
    grid: workgroupGrid(g.colBlocks * g.applyBlocks),
  };
  const partialsSize = 2 * g.partialBlocks * channels;
  return {
    forward(x, gamma, beta) {
      const [partials] = runProgramOutputs(
        { ...shaders.partialStats, ...reduce },
        [x],
        [[partialsSize]],
      );
      const [y, mean, variance, stats] = runProgramOutputs(
        { ...shaders.statsApply, ...apply },
        [x, partials!, gamma, beta],
        [x.shape, [channels], [channels], [3 * channels]],
      ) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      partials!.dispose();
      return { y, mean, variance, stats };
    },
    backward(saved, dy) {
      // Behind the partials: the forward's [mean | variance | γ], copied for the apply.
      const [partials] = runProgramOutputs(
        { ...shaders.partialGradSums, ...reduce },
        [saved.x, dy, saved.y, saved.stats],
        [[partialsSize + 3 * channels]],
      );
      const [dx, dBeta, dGamma] = runProgramOutputs(
        { ...shaders.gradSumsApply, ...apply },
        [saved.x, dy, saved.y, partials!],
        [saved.x.shape, [channels], [channels]],
      ) as [tf.Tensor4D, tf.Tensor, tf.Tensor];
      partials!.dispose();
      return { dx, dGamma, dBeta };
    },
  };
}
