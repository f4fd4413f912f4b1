import * as tf from '@tensorflow/tfjs';
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

const REDUCE_THREADS = 64;
const APPLY_THREADS = 64;

/** One workgroup per channel: mean and biased variance (two passes over the channel). */
const STATS_WGSL = /* wgsl */ `
struct Uniforms { ROWS: u32, C: u32 };
@group(0) @binding(0) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> varOut: array<f32>;
// [mean | variance], both in one buffer for the other kernels (8 storage buffers at most).
@group(0) @binding(2) var<storage, read_write> statsOut: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<uniform> u: Uniforms;
var<workgroup> partial: array<f32, ${REDUCE_THREADS}>;

fn reduce(lid: u32) -> f32 {
  workgroupBarrier();
  for (var s = ${REDUCE_THREADS / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(${REDUCE_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let c = wid.x + wid.y * groups.x;
  if (c >= u.C) { return; }
  var s = 0.0;
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) { s += x[r * u.C + c]; }
  partial[lid] = s;
  let mean = reduce(lid) / f32(u.ROWS);
  var q = 0.0;
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) {
    let d = x[r * u.C + c] - mean;
    q += d * d;
  }
  partial[lid] = q;
  let variance = reduce(lid) / f32(u.ROWS);
  if (lid == 0u) {
    meanOut[c] = mean;
    varOut[c] = variance;
    statsOut[c] = mean;
    statsOut[u.C + c] = variance;
  }
}
`;

const APPLY_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, C: u32, EPS: f32, RELU: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;

@compute @workgroup_size(${APPLY_THREADS}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${APPLY_THREADS}u;
  if (i >= u.SIZE) { return; }
  let c = i % u.C;
  let y = (x[i] - stats[c]) * inverseSqrt(stats[u.C + c] + u.EPS) * gamma[c] + beta[c];
  result[i] = select(y, max(y, 0.0), u.RELU == 1u);
}
`;

const BACKWARD_REDUCE_WGSL = /* wgsl */ `
struct Uniforms { ROWS: u32, C: u32, EPS: f32, RELU: u32 };
@group(0) @binding(0) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(1) var<storage, read_write> dGamma: array<f32>;
// [Σdz | Σdz·x̂] for the dx kernel.
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read> out: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<uniform> u: Uniforms;
var<workgroup> sumDz: array<f32, ${REDUCE_THREADS}>;
var<workgroup> sumDzXhat: array<f32, ${REDUCE_THREADS}>;

@compute @workgroup_size(${REDUCE_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let c = wid.x + wid.y * groups.x;
  if (c >= u.C) { return; }
  let m = stats[c];
  let invstd = inverseSqrt(stats[u.C + c] + u.EPS);
  var a = 0.0;
  var b = 0.0;
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) {
    let i = r * u.C + c;
    let dz = select(dy[i], select(0.0, dy[i], out[i] > 0.0), u.RELU == 1u);
    a += dz;
    b += dz * (x[i] - m) * invstd;
  }
  sumDz[lid] = a;
  sumDzXhat[lid] = b;
  workgroupBarrier();
  for (var s = ${REDUCE_THREADS / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) {
      sumDz[lid] += sumDz[lid + s];
      sumDzXhat[lid] += sumDzXhat[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    dBeta[c] = sumDz[0];
    dGamma[c] = sumDzXhat[0];
    sums[c] = sumDz[0];
    sums[u.C + c] = sumDzXhat[0];
  }
}
`;

const BACKWARD_APPLY_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, C: u32, EPS: f32, RELU: u32, ROWS: u32 };
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> out: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read> sums: array<f32>;
@group(0) @binding(7) var<uniform> u: Uniforms;

@compute @workgroup_size(${APPLY_THREADS}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${APPLY_THREADS}u;
  if (i >= u.SIZE) { return; }
  let c = i % u.C;
  let invstd = inverseSqrt(stats[u.C + c] + u.EPS);
  let dz = select(dy[i], select(0.0, dy[i], out[i] > 0.0), u.RELU == 1u);
  let xhat = (x[i] - stats[c]) * invstd;
  let rows = f32(u.ROWS);
  dx[i] = gamma[c] * invstd * (dz - sums[c] / rows - xhat * sums[u.C + c] / rows);
}
`;

const grid = workgroupGrid;

export interface FusedBatchNormResult {
  y: tf.Tensor4D;
  /** Batch mean and biased variance [C], outside the gradient (for the running statistics). */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** Every shader of the fused BN, to compile ahead. */
const STATS: ShaderSource = { code: STATS_WGSL, label: 'bn-stats' };
const APPLY: ShaderSource = { code: APPLY_WGSL, label: 'bn-apply' };
const BACKWARD_REDUCE: ShaderSource = { code: BACKWARD_REDUCE_WGSL, label: 'bn-backward-reduce' };
const BACKWARD_APPLY: ShaderSource = { code: BACKWARD_APPLY_WGSL, label: 'bn-backward-apply' };

export const FUSED_BN_SHADERS: ShaderSource[] = [STATS, APPLY, BACKWARD_REDUCE, BACKWARD_APPLY];

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
  const channels = x.shape[3];
  const rows = x.size / channels;
  const eps = f32(epsilon);
  const flag = relu ? 1 : 0;
  let mean: tf.Tensor1D | null = null;
  let variance: tf.Tensor1D | null = null;
  const op = tf.customGrad((xIn, gIn, bIn, save) => {
    const xs = xIn as tf.Tensor4D;
    const [m, v, stats] = runProgramOutputs(
      { ...STATS, uniforms: [rows, channels], grid: grid(channels) },
      [xs],
      [[channels], [channels], [2 * channels]],
    ) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const y = runProgramOutputs(
      {
        ...APPLY,
        uniforms: [xs.size, channels, eps, flag],
        grid: grid(Math.ceil(xs.size / APPLY_THREADS)),
      },
      [xs, stats, gIn as tf.Tensor, bIn as tf.Tensor],
      [xs.shape],
    )[0] as tf.Tensor4D;
    // customGrad disposes what its forward function does not return: keep, then re-own below.
    mean = tf.keep(m);
    variance = tf.keep(v);
    (save as tf.GradSaveFunc)([xs, gIn as tf.Tensor, y, stats]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sg, sy, sStats] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor];
        const [dBeta, dGamma, sums] = runProgramOutputs(
          { ...BACKWARD_REDUCE, uniforms: [rows, channels, eps, flag], grid: grid(channels) },
          [sx, dy, sy, sStats],
          [[channels], [channels], [2 * channels]],
        ) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dx = runProgramOutputs(
          {
            ...BACKWARD_APPLY,
            uniforms: [sx.size, channels, eps, flag, rows],
            grid: grid(Math.ceil(sx.size / APPLY_THREADS)),
          },
          [sx, dy, sy, sStats, sg, sums],
          [sx.shape],
        )[0] as tf.Tensor4D;
        sums.dispose();
        return [dx, tf.reshape(dGamma, sg.shape), tf.reshape(dBeta, sg.shape)];
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
