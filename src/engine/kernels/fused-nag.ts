import * as tf from '@tensorflow/tfjs';
import { f32, runProgramOutputs, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * One NAG update of one parameter in a single dispatch (instead of the six to eight tfjs ops of
 * the unfused update), same formulas and order of operations as createNagOptimizer:
 *   g ← grad + wd·w;  v' ← μ·v + g;  w' ← w − η·(g + μ·v')
 */

const WORKGROUP = 64;

const FUSED_NAG_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, LR: f32, MOMENTUM: f32, DECAY: f32 };
@group(0) @binding(0) var<storage, read_write> wOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> vOut: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> grad: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  let wi = w[i];
  let g = grad[i] + wi * u.DECAY;
  let nv = v[i] * u.MOMENTUM + g;
  vOut[i] = nv;
  wOut[i] = wi - u.LR * (g + nv * u.MOMENTUM);
}
`;

/** The update's shader, to compile ahead. */
export const FUSED_NAG_SHADERS: ShaderSource[] = [{ code: FUSED_NAG_WGSL, label: 'fused-nag' }];

/** [new weights, new velocity]; the caller assigns them and disposes the returned tensors. */
export function fusedNagUpdate(
  weight: tf.Tensor,
  velocity: tf.Tensor,
  grad: tf.Tensor,
  lr: number,
  momentum: number,
  weightDecay: number,
): [tf.Tensor, tf.Tensor] {
  const size = weight.size;
  if (velocity.size !== size || grad.size !== size) {
    throw new Error(`fused NAG: sizes differ (w ${size}, v ${velocity.size}, g ${grad.size})`);
  }
  const [w, v] = runProgramOutputs(
    {
      ...FUSED_NAG_SHADERS[0]!,
      uniforms: [size, f32(lr), f32(momentum), f32(weightDecay)],
      grid: workgroupGrid(Math.ceil(size / WORKGROUP)),
    },
    [weight, velocity, grad],
    [weight.shape, weight.shape],
  );
  return [w!, v!];
}
