import * as tf from '@tensorflow/tfjs';
import { f32, runProgramOutputs, workgroupGrid, type ShaderSource } from '../kernels/dispatch';
import { PACK_WGSL, requireEvenChannels } from './layout';
import { markPacked } from './registry';

/**
 * Training-mode BatchNorm (+ optional ReLU) on packed NHWC activations: the maths, dispatches and
 * ownership of kernels/fused-bn.ts (stats, apply; backward reduce, backward apply), with x, y,
 * dy and dx packed (two channels per word, one invocation per word) and statistics and reductions
 * in f32. Backward keeps only packed x and y plus the small f32 statistics: half the saved bytes
 * of the f32 path. The ReLU mask is y > 0 on the stored (f16) y.
 */

const REDUCE_THREADS = 64;
const APPLY_THREADS = 64;

/** Workgroup-wide sum of a vec2 per invocation (REDUCE_THREADS of them). */
const REDUCE_WGSL = /* wgsl */ `
var<workgroup> partial: array<vec2<f32>, ${REDUCE_THREADS}>;
fn reduce(lid: u32, v: vec2<f32>) -> vec2<f32> {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = ${REDUCE_THREADS / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}`;

/** One workgroup per word column (channel pair): mean and biased variance, two passes. */
const STATS_WGSL = /* wgsl */ `
struct Uniforms { ROWS: u32, WORDS: u32 };
@group(0) @binding(0) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> varOut: array<f32>;
// [mean | variance] in one buffer for the other kernels (8 storage buffers at most).
@group(0) @binding(2) var<storage, read_write> statsOut: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<u32>;
@group(0) @binding(4) var<uniform> u: Uniforms;
${PACK_WGSL}
${REDUCE_WGSL}
@compute @workgroup_size(${REDUCE_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let k = wid.x + wid.y * groups.x;
  // Uniform control flow for the barriers: every invocation of a group has the same k.
  if (k >= u.WORDS) { return; }
  var s = vec2<f32>(0.0);
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) { s += unpackWord(x[r * u.WORDS + k]); }
  let mean = reduce(lid, s) / f32(u.ROWS);
  var q = vec2<f32>(0.0);
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) {
    let d = unpackWord(x[r * u.WORDS + k]) - mean;
    q += d * d;
  }
  let variance = reduce(lid, q) / f32(u.ROWS);
  if (lid == 0u) {
    let c = 2u * k;
    let C = 2u * u.WORDS;
    meanOut[c] = mean.x;
    meanOut[c + 1u] = mean.y;
    varOut[c] = variance.x;
    varOut[c + 1u] = variance.y;
    statsOut[c] = mean.x;
    statsOut[c + 1u] = mean.y;
    statsOut[C + c] = variance.x;
    statsOut[C + c + 1u] = variance.y;
  }
}`;

/** WGSL for the channel pair of word k in an f32 per-channel array (from `offset` on). */
function pair(array: string, offset: string, k = 'k'): string {
  return `vec2<f32>(${array}[${offset} + 2u * ${k}], ${array}[${offset} + 2u * ${k} + 1u])`;
}

const APPLY_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, WORDS: u32, EPS: f32, RELU: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;
${PACK_WGSL}
@compute @workgroup_size(${APPLY_THREADS}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${APPLY_THREADS}u;
  if (i >= u.SIZE) { return; }
  let k = i % u.WORDS;
  let invstd = inverseSqrt(${pair('stats', '2u * u.WORDS')} + u.EPS);
  let y = (unpackWord(x[i]) - ${pair('stats', '0u')}) * invstd * ${pair('gamma', '0u')} + ${pair('beta', '0u')};
  result[i] = packWord(select(y, max(y, vec2<f32>(0.0)), u.RELU == 1u));
}`;

const BACKWARD_REDUCE_WGSL = /* wgsl */ `
struct Uniforms { ROWS: u32, WORDS: u32, EPS: f32, RELU: u32 };
@group(0) @binding(0) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(1) var<storage, read_write> dGamma: array<f32>;
// [Σdz | Σdz·x̂] for the dx kernel.
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<u32>;
@group(0) @binding(4) var<storage, read> dy: array<u32>;
@group(0) @binding(5) var<storage, read> out: array<u32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<uniform> u: Uniforms;
${PACK_WGSL}
var<workgroup> sumDz: array<vec2<f32>, ${REDUCE_THREADS}>;
var<workgroup> sumDzXhat: array<vec2<f32>, ${REDUCE_THREADS}>;

@compute @workgroup_size(${REDUCE_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let k = wid.x + wid.y * groups.x;
  if (k >= u.WORDS) { return; }
  let m = ${pair('stats', '0u')};
  let invstd = inverseSqrt(${pair('stats', '2u * u.WORDS')} + u.EPS);
  var a = vec2<f32>(0.0);
  var b = vec2<f32>(0.0);
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) {
    let i = r * u.WORDS + k;
    let g = unpackWord(dy[i]);
    let dz = select(g, select(vec2<f32>(0.0), g, unpackWord(out[i]) > vec2<f32>(0.0)), u.RELU == 1u);
    a += dz;
    b += dz * (unpackWord(x[i]) - m) * invstd;
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
    let c = 2u * k;
    let C = 2u * u.WORDS;
    dBeta[c] = sumDz[0].x;
    dBeta[c + 1u] = sumDz[0].y;
    dGamma[c] = sumDzXhat[0].x;
    dGamma[c + 1u] = sumDzXhat[0].y;
    sums[c] = sumDz[0].x;
    sums[c + 1u] = sumDz[0].y;
    sums[C + c] = sumDzXhat[0].x;
    sums[C + c + 1u] = sumDzXhat[0].y;
  }
}`;

const BACKWARD_APPLY_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, WORDS: u32, EPS: f32, RELU: u32, ROWS: u32 };
@group(0) @binding(0) var<storage, read_write> dx: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> dy: array<u32>;
@group(0) @binding(3) var<storage, read> out: array<u32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read> sums: array<f32>;
@group(0) @binding(7) var<uniform> u: Uniforms;
${PACK_WGSL}
@compute @workgroup_size(${APPLY_THREADS}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${APPLY_THREADS}u;
  if (i >= u.SIZE) { return; }
  let k = i % u.WORDS;
  let C = 2u * u.WORDS;
  let invstd = inverseSqrt(${pair('stats', 'C')} + u.EPS);
  let g = unpackWord(dy[i]);
  let dz = select(g, select(vec2<f32>(0.0), g, unpackWord(out[i]) > vec2<f32>(0.0)), u.RELU == 1u);
  let xhat = (unpackWord(x[i]) - ${pair('stats', '0u')}) * invstd;
  let rows = f32(u.ROWS);
  let d = ${pair('gamma', '0u')} * invstd * (dz - ${pair('sums', '0u')} / rows - xhat * ${pair('sums', 'C')} / rows);
  dx[i] = packWord(d);
}`;

const STATS: ShaderSource = { code: STATS_WGSL, label: 'packed-bn-stats' };
const APPLY: ShaderSource = { code: APPLY_WGSL, label: 'packed-bn-apply' };
const BACKWARD_REDUCE: ShaderSource = {
  code: BACKWARD_REDUCE_WGSL,
  label: 'packed-bn-backward-reduce',
};
const BACKWARD_APPLY: ShaderSource = {
  code: BACKWARD_APPLY_WGSL,
  label: 'packed-bn-backward-apply',
};

/** Every shader of the packed BN, to compile ahead. */
export const PACKED_BN_SHADERS: ShaderSource[] = [STATS, APPLY, BACKWARD_REDUCE, BACKWARD_APPLY];

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
): PackedBatchNormResult {
  const channels = gamma.size;
  requireEvenChannels('batchNormTrainPacked', channels);
  const words = x.shape[3];
  if (words * 2 !== channels) {
    throw new Error(`batchNormTrainPacked: ${words} words do not hold γ's ${channels} channels`);
  }
  const rows = x.size / words;
  const eps = f32(epsilon);
  const flag = relu ? 1 : 0;
  const applyGrid = workgroupGrid(Math.ceil(x.size / APPLY_THREADS));
  let mean: tf.Tensor1D | null = null;
  let variance: tf.Tensor1D | null = null;
  const op = tf.customGrad((xIn, gIn, bIn, save) => {
    const xs = xIn as tf.Tensor4D;
    const [m, v, stats] = runProgramOutputs(
      { ...STATS, uniforms: [rows, words], grid: workgroupGrid(words) },
      [xs],
      [[channels], [channels], [2 * channels]],
    ) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const y = runProgramOutputs(
      { ...APPLY, uniforms: [xs.size, words, eps, flag], grid: applyGrid },
      [xs, stats, gIn as tf.Tensor, bIn as tf.Tensor],
      [xs.shape],
    )[0] as tf.Tensor4D;
    markPacked(y);
    // customGrad disposes what its forward function does not return: keep, then re-own below.
    mean = tf.keep(m);
    variance = tf.keep(v);
    (save as tf.GradSaveFunc)([xs, gIn as tf.Tensor, y, stats]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sg, sy, sStats] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor];
        const [dBeta, dGamma, sums] = runProgramOutputs(
          {
            ...BACKWARD_REDUCE,
            uniforms: [rows, words, eps, flag],
            grid: workgroupGrid(words),
          },
          [sx, dy, sy, sStats],
          [[channels], [channels], [2 * channels]],
        ) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dx = runProgramOutputs(
          { ...BACKWARD_APPLY, uniforms: [sx.size, words, eps, flag, rows], grid: applyGrid },
          [sx, dy, sy, sStats, sg, sums],
          [sx.shape],
        )[0] as tf.Tensor4D;
        sums.dispose();
        return [markPacked(dx), tf.reshape(dGamma, sg.shape), tf.reshape(dBeta, sg.shape)];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  const kept: [tf.Tensor1D | null, tf.Tensor1D | null] = [mean, variance];
  const [m, v] = kept;
  if (!m || !v) throw new Error('packed BN: the forward pass did not run');
  // Clones belong to the caller's scope (like tf.moments' outputs); the kept originals go.
  const result = { y, mean: tf.clone(m), variance: tf.clone(v) };
  tf.dispose([m, v]);
  return result;
}
