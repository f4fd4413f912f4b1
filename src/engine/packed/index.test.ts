import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { compiledPipelineCount, compilePipelinesAhead } from '../kernels/dispatch';
import { packedShaders } from './index';
import { installPackedGradientAccumulation } from './accumulate';
import { batchNormTrainPacked } from './batch-norm';
import { addPacked, residualReluPacked } from './elementwise';
import { fromPacked, packChannels } from './pack';
import { avgPool2x2CeilPacked, globalAvgPoolPacked, maxPool3x3s2Packed } from './pooling';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  installPackedGradientAccumulation();
});

/** The labels of the compute pipelines `run` dispatches (tfjs's and ours). */
function pipelinesRunBy(run: () => void): Set<string> {
  const proto = (globalThis as { GPUComputePassEncoder?: { prototype: GPUComputePassEncoder } })
    .GPUComputePassEncoder!.prototype;
  const setPipeline = proto.setPipeline;
  const labels = new Set<string>();
  proto.setPipeline = function (this: GPUComputePassEncoder, pipeline: GPUComputePipeline) {
    labels.add(pipeline.label);
    return setPipeline.call(this, pipeline);
  };
  try {
    run();
  } finally {
    proto.setPipeline = setPipeline;
  }
  return labels;
}

/** Every packed op once, forward and backward (their values are checked in the ops' own tests). */
function runEveryPackedOp(): void {
  tf.tidy(() => {
    const xp = packChannels(tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 1)) as tf.Tensor4D;
    addPacked(xp, xp);
    tf.grads((a: tf.Tensor) => {
      const bn = batchNormTrainPacked(a as tf.Tensor4D, tf.ones([6]), tf.zeros([6]), 1e-5, true);
      // `a` twice: its two packed gradients are summed by the packed accumulation.
      const h = residualReluPacked(bn.y, a as tf.Tensor4D);
      // fromPacked unpacks forward and packs the gradient backward.
      const pooled = [
        globalAvgPoolPacked(h, 6),
        fromPacked(avgPool2x2CeilPacked(h), 6),
        fromPacked(maxPool3x3s2Packed(h), 6),
      ];
      return tf.addN(pooled.map((p) => tf.sum(p)));
    })([xp]);
  });
}

describe('packedShaders', () => {
  it('lists distinct shaders; each compiles ahead without an error, and they are exactly the pipelines of the packed ops', async () => {
    const PACKED_SHADERS = packedShaders();
    const labels = PACKED_SHADERS.map((s) => s.label);
    // BN's kernels with and without subgroup shuffles share their labels, not their code.
    expect(new Set(PACKED_SHADERS.map((s) => s.code)).size).toBe(PACKED_SHADERS.length);
    const before = compiledPipelineCount();
    expect(await compilePipelinesAhead(PACKED_SHADERS)).toEqual([]);
    expect(compiledPipelineCount() - before).toBe(PACKED_SHADERS.length);

    // Running every packed op forward and backward compiles nothing more (nothing it runs of
    // ours is missing from the list) and runs each listed pipeline (nothing listed is stale).
    const compiled = compiledPipelineCount();
    const ran = pipelinesRunBy(runEveryPackedOp);
    expect(compiledPipelineCount()).toBe(compiled);
    expect(labels.filter((l) => !ran.has(l))).toEqual([]);
  });
});
