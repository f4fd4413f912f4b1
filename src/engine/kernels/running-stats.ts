import * as tf from '@tensorflow/tfjs-core';
import { f32, runProgramOutputs, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * The running statistics of one BN layer moved towards a step's batch moments in a single
 * dispatch (the tfjs ops take six: a mul, a mul and an add for each of mean and variance), with
 * the same formula and order of operations as model.ts's unfused update:
 *   running_mean' = μ·running_mean + (1 − μ)·batch_mean;  running_var' likewise.
 * A model has one such update per BN layer per step, so this saves five dispatches each.
 */

const WORKGROUP = 64;

const RUNNING_STATS_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, MOMENTUM: f32, BATCH_WEIGHT: f32 };
@group(0) @binding(0) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> varianceOut: array<f32>;
@group(0) @binding(2) var<storage, read> runningMean: array<f32>;
@group(0) @binding(3) var<storage, read> runningVariance: array<f32>;
@group(0) @binding(4) var<storage, read> batchMean: array<f32>;
@group(0) @binding(5) var<storage, read> batchVariance: array<f32>;
@group(0) @binding(6) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  meanOut[i] = runningMean[i] * u.MOMENTUM + batchMean[i] * u.BATCH_WEIGHT;
  varianceOut[i] = runningVariance[i] * u.MOMENTUM + batchVariance[i] * u.BATCH_WEIGHT;
}
`;

/** The update's shader, to compile ahead. */
export const RUNNING_STATS_SHADERS: ShaderSource[] = [
  { code: RUNNING_STATS_WGSL, label: 'bn-running-stats' },
];

export interface RunningStats {
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/**
 * [new running mean, new running variance] of one layer (each of `running`'s shape); the caller
 * assigns them and disposes the returned tensors.
 */
export function updatedRunningStats(
  running: RunningStats,
  batch: RunningStats,
  momentum: number,
): [tf.Tensor, tf.Tensor] {
  const size = running.mean.size;
  const sizes = [running.variance.size, batch.mean.size, batch.variance.size];
  if (sizes.some((s) => s !== size)) {
    throw new Error(`running statistics: sizes differ (${[size, ...sizes].join(', ')})`);
  }
  const [mean, variance] = runProgramOutputs(
    {
      ...RUNNING_STATS_SHADERS[0]!,
      // 1 − μ computed in double precision and then rounded, as tf.mul(batch, 1 - μ) does.
      uniforms: [size, f32(momentum), f32(1 - momentum)],
      grid: workgroupGrid(Math.ceil(size / WORKGROUP)),
    },
    [running.mean, running.variance, batch.mean, batch.variance],
    [running.mean.shape, running.mean.shape],
  );
  return [mean!, variance!];
}
