import * as tf from '@tensorflow/tfjs';
import { pipelineFor, runKernelOutputs, workgroupGrid } from './dispatch';

/**
 * One NAG update of one parameter in a single dispatch (instead of the six to eight tfjs ops of
 * the unfused update), same formulas and order of operations as createNagOptimizer:
 *   g ← grad + wd·w;  v' ← μ·v + g;  w' ← w − η·(g + μ·v')
 * Floats travel as u32 bit patterns in the uniforms (our dispatch path writes u32 uniforms only).
 */

const WORKGROUP = 64;

export const FUSED_NAG_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, LR: u32, MOMENTUM: u32, DECAY: u32 };
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
  let lr = bitcast<f32>(u.LR);
  let mu = bitcast<f32>(u.MOMENTUM);
  let wd = bitcast<f32>(u.DECAY);
  let wi = w[i];
  let g = grad[i] + wi * wd;
  let nv = v[i] * mu + g;
  vOut[i] = nv;
  wOut[i] = wi - lr * (g + nv * mu);
}
`;

const bits = new DataView(new ArrayBuffer(4));
/** The IEEE-754 single-precision bit pattern of x, as a u32. */
export function f32Bits(x: number): number {
  bits.setFloat32(0, x, true);
  return bits.getUint32(0, true);
}

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
  const pipeline = pipelineFor(FUSED_NAG_WGSL, 'fused-nag');
  const [w, v] = runKernelOutputs(
    pipeline,
    [weight, velocity, grad],
    [size, f32Bits(lr), f32Bits(momentum), f32Bits(weightDecay)],
    [weight.shape, weight.shape],
    workgroupGrid(Math.ceil(size / WORKGROUP)),
  );
  return [w!, v!];
}
