import * as tf from '@tensorflow/tfjs-core';
import { customGradPerInput } from '../gradient-per-input';
import {
  f32,
  runProgramOutputs,
  withFloat32Storage,
  workgroupGrid,
  type ShaderSource,
} from './dispatch';

/**
 * The soft-target cross-entropy of a batch, L = −(1/B)·Σ_r Σ_i t_ri·log softmax(z_r)_i, in one
 * dispatch forward and one backward, instead of about ten tfjs ops each way (logSoftmax's max,
 * subtraction, exp, sum and log; the product, the sums, the mean, the negation; and their
 * gradients). Backward: ∂L/∂z_ri = (p_ri·T_r − t_ri)·dy / B, where p = softmax(z) and T_r = Σ_i t_ri
 * (1 for a smoothed or mixed one-hot row, kept exact all the same), both saved by the forward.
 *
 * The forward takes a row per invocation (the classes of a row in a loop), then a tree over the
 * workgroup. A classifier's batch (512 × 1000 classes is 0.5M exp: microseconds on a GPU) fits one
 * workgroup, which writes the mean itself. A segmentation batch has a row per pixel (131,072 at
 * batch 128 and 32 px), which one workgroup would walk through alone while the GPU idles: it is
 * spread over up to 256 workgroups of ROWS_PER_WORKGROUP rows, each writing its sum, and a second
 * dispatch (one workgroup) adds those up.
 */

const FORWARD_THREADS = 256;
const BACKWARD_WORKGROUP = 64;
/** Rows one forward workgroup takes (8 per invocation) before the forward spreads out. */
const ROWS_PER_WORKGROUP = 2048;
const MAX_FORWARD_WORKGROUPS = FORWARD_THREADS;

/** Forward workgroups for `rows` rows: 1 up to ROWS_PER_WORKGROUP, at most 256. */
export function forwardWorkgroups(rows: number): number {
  return Math.min(MAX_FORWARD_WORKGROUPS, Math.max(1, Math.ceil(rows / ROWS_PER_WORKGROUP)));
}

const FORWARD_WGSL = /* wgsl */ `
// DIVISOR: the rows (one workgroup writes the mean), or 1 (each writes its sum).
struct Uniforms { ROWS: u32, CLASSES: u32, DIVISOR: f32 };
// One value per workgroup.
@group(0) @binding(0) var<storage, read_write> loss: array<f32>;
@group(0) @binding(1) var<storage, read_write> probabilities: array<f32>;
@group(0) @binding(2) var<storage, read_write> targetSums: array<f32>;
@group(0) @binding(3) var<storage, read> logits: array<f32>;
@group(0) @binding(4) var<storage, read> targets: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;
var<workgroup> partial: array<f32, ${FORWARD_THREADS}>;

@compute @workgroup_size(${FORWARD_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  var total = 0.0;
  let stride = groups.x * ${FORWARD_THREADS}u;
  for (var r = wid.x * ${FORWARD_THREADS}u + lid; r < u.ROWS; r += stride) {
    let row = r * u.CLASSES;
    var top = logits[row];
    for (var i = 1u; i < u.CLASSES; i++) { top = max(top, logits[row + i]); }
    var sumExp = 0.0;
    for (var i = 0u; i < u.CLASSES; i++) { sumExp += exp(logits[row + i] - top); }
    let logSum = log(sumExp);
    // −Σ t·(z − top − logSum), and T = Σ t.
    var rowLoss = 0.0;
    var rowTargets = 0.0;
    for (var i = 0u; i < u.CLASSES; i++) {
      let shifted = logits[row + i] - top;
      let t = targets[row + i];
      rowLoss -= t * (shifted - logSum);
      rowTargets += t;
      probabilities[row + i] = exp(shifted) / sumExp;
    }
    targetSums[r] = rowTargets;
    total += rowLoss;
  }
  partial[lid] = total;
  workgroupBarrier();
  for (var s = ${FORWARD_THREADS / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss[wid.x] = partial[0] / u.DIVISOR; }
}
`;

/** The mean of the forward workgroups' sums (a spread-out forward's second dispatch). */
const SUM_WGSL = /* wgsl */ `
struct Uniforms { PARTIALS: u32, ROWS: u32 };
@group(0) @binding(0) var<storage, read_write> loss: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
var<workgroup> partial: array<f32, ${FORWARD_THREADS}>;

@compute @workgroup_size(${FORWARD_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
  partial[lid] = select(0.0, partials[lid], lid < u.PARTIALS);
  workgroupBarrier();
  for (var s = ${FORWARD_THREADS / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss[0] = partial[0] / f32(u.ROWS); }
}
`;

const BACKWARD_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, CLASSES: u32, ROWS: u32 };
@group(0) @binding(0) var<storage, read_write> dLogits: array<f32>;
@group(0) @binding(1) var<storage, read> probabilities: array<f32>;
@group(0) @binding(2) var<storage, read> targetSums: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;

@compute @workgroup_size(${BACKWARD_WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${BACKWARD_WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  let r = i / u.CLASSES;
  dLogits[i] = (probabilities[i] * targetSums[r] - targets[i]) * dy[0] / f32(u.ROWS);
}
`;

export const FUSED_CROSS_ENTROPY_SHADERS: ShaderSource[] = [
  { code: FORWARD_WGSL, label: 'cross-entropy' },
  { code: BACKWARD_WGSL, label: 'cross-entropy-backward' },
  { code: SUM_WGSL, label: 'cross-entropy-sum' },
];

/**
 * Mean over the batch of −Σ_i t_i·log softmax(z)_i; differentiable in the logits only. Call
 * inside tf.tidy: a float32 copy of int32-stored targets is the scope's to dispose.
 */
export function fusedSoftCrossEntropy(targets: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  const [rows, classes] = logits.shape;
  if (targets.shape[0] !== rows || targets.shape[1] !== classes) {
    throw new Error(`cross-entropy: targets ${targets.shape} for logits ${logits.shape}`);
  }
  return customGradPerInput(
    { logits, targets: withFloat32Storage(targets) as tf.Tensor2D },
    (inputs, save) => {
      const groups = forwardWorkgroups(rows);
      const [sums, probabilities, targetSums] = runProgramOutputs(
        {
          ...FUSED_CROSS_ENTROPY_SHADERS[0]!,
          uniforms: [rows, classes, f32(groups === 1 ? rows : 1)],
          grid: [groups, 1, 1],
        },
        [inputs.logits, inputs.targets],
        [groups === 1 ? [] : [groups], [rows, classes], [rows]],
      );
      save([probabilities!, targetSums!, inputs.targets]);
      if (groups === 1) return sums!;
      const [loss] = runProgramOutputs(
        { ...FUSED_CROSS_ENTROPY_SHADERS[2]!, uniforms: [groups, rows], grid: [1, 1, 1] },
        [sums!],
        [[]],
      );
      sums!.dispose();
      return loss!;
    },
    (dy, saved) => ({
      logits: () => {
        const [probabilities, targetSums, t] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return runProgramOutputs(
          {
            ...FUSED_CROSS_ENTROPY_SHADERS[1]!,
            uniforms: [rows * classes, classes, rows],
            grid: workgroupGrid(Math.ceil((rows * classes) / BACKWARD_WORKGROUP)),
          },
          [probabilities, targetSums, t, dy],
          [[rows, classes]],
        )[0]!;
      },
      targets: () => {
        throw new Error('cross-entropy: the targets carry no gradient');
      },
    }),
  ) as tf.Scalar;
}
