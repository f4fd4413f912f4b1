import * as tf from '@tensorflow/tfjs';
import { f32, runProgramOutputs, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * One NAG update of one parameter in a single dispatch (instead of the six to eight tfjs ops of
 * the unfused update, nine to eleven when the step can be skipped), same formulas and order of
 * operations as createNagOptimizer:
 *   g ← grad + wd·w;  v' ← μ·v + g;  w' ← w − η·(g + μ·v')
 * The skippable variant (dynamic loss scaling) also reads a flag on the GPU: when it is false the
 * dispatch writes w and v unchanged, whatever the gradient holds (Inf or NaN after an overflow).
 */

const WORKGROUP = 64;

function fusedNagWgsl(skippable: boolean): string {
  // The flag is a bool tensor, which tfjs-webgpu stores as one i32 (0 or 1).
  const flag = skippable ? '@group(0) @binding(5) var<storage, read> applyFlag: array<i32>;' : '';
  const skip = skippable
    ? 'if (applyFlag[0] == 0) { wOut[i] = w[i]; vOut[i] = v[i]; return; }'
    : '';
  return /* wgsl */ `
struct Uniforms { SIZE: u32, LR: f32, MOMENTUM: f32, DECAY: f32 };
@group(0) @binding(0) var<storage, read_write> wOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> vOut: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> grad: array<f32>;
${flag}
@group(0) @binding(${skippable ? 6 : 5}) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  ${skip}
  let wi = w[i];
  let g = grad[i] + wi * u.DECAY;
  let nv = v[i] * u.MOMENTUM + g;
  vOut[i] = nv;
  wOut[i] = wi - u.LR * (g + nv * u.MOMENTUM);
}
`;
}

/** The update's shader, to compile ahead. */
export const FUSED_NAG_SHADERS: ShaderSource[] = [
  { code: fusedNagWgsl(false), label: 'fused-nag' },
];

/** The skippable update's shader (FP16's loss scaling), to compile ahead. */
export const FUSED_NAG_SKIPPABLE_SHADER: ShaderSource = {
  code: fusedNagWgsl(true),
  label: 'fused-nag-skippable',
};

/**
 * [new weights, new velocity]; the caller assigns them and disposes the returned tensors. With
 * `apply` (a bool or int32 scalar), a false value returns copies of `weight` and `velocity`.
 */
export function fusedNagUpdate(
  weight: tf.Tensor,
  velocity: tf.Tensor,
  grad: tf.Tensor,
  lr: number,
  momentum: number,
  weightDecay: number,
  apply?: tf.Scalar,
): [tf.Tensor, tf.Tensor] {
  const size = weight.size;
  if (velocity.size !== size || grad.size !== size) {
    throw new Error(`fused NAG: sizes differ (w ${size}, v ${velocity.size}, g ${grad.size})`);
  }
  if (apply && (apply.size !== 1 || (apply.dtype !== 'bool' && apply.dtype !== 'int32'))) {
    throw new Error(`fused NAG: apply must be a bool or int32 scalar, not ${apply.dtype}`);
  }
  const shader = apply ? FUSED_NAG_SKIPPABLE_SHADER : FUSED_NAG_SHADERS[0]!;
  const [w, v] = runProgramOutputs(
    {
      ...shader,
      uniforms: [size, f32(lr), f32(momentum), f32(weightDecay)],
      grid: workgroupGrid(Math.ceil(size / WORKGROUP)),
      ...(apply && { inputDtypes: ['float32', 'float32', 'float32', apply.dtype] }),
    },
    apply ? [weight, velocity, grad, apply] : [weight, velocity, grad],
    [weight.shape, weight.shape],
  );
  return [w!, v!];
}
