import * as tf from '@tensorflow/tfjs';
import { runProgram, type ShaderSource } from '../kernels/dispatch';
import { overflowFlagWgsl } from '../kernels/f16-rounding';
import { elementGrid, WORKGROUP } from '../packed/pack';

/**
 * The unscaling of FP16's gradients, g / S, one dispatch per gradient tensor, which also checks
 * each scaled gradient for Inf or NaN by its exponent bits (an integer test no finite-math
 * assumption can remove) and raises the step's overflow flag (f16-rounding.ts). Replaces a
 * division and a sum per tensor, and tfjs's isFinite, which a compiler may fold to true.
 */

const UNSCALE_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32 };
@group(0) @binding(0) var<storage, read_write> unscaled: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<uniform> u: Uniforms;${overflowFlagWgsl(4)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  let g = grad[i];
  if ((bitcast<u32>(g) & 0x7f800000u) == 0x7f800000u) { raiseOverflow(); }
  unscaled[i] = g / scale[0];
}`;

export const UNSCALE_SHADER: ShaderSource = { code: UNSCALE_WGSL, label: 'fp16-unscale-check' };

/** g / scale (a scalar tensor), raising the active overflow flag where g is Inf or NaN. */
export function unscaleAndCheck(grad: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return runProgram(
    { ...UNSCALE_SHADER, overflowFlag: true, uniforms: [grad.size], grid: elementGrid(grad.size) },
    [grad, scale],
    grad.shape,
  );
}
