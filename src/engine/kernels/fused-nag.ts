import * as tf from '@tensorflow/tfjs-core';
import { f32, runProgramOutputs, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * One NAG update of one parameter in a single dispatch (instead of the six to eight tfjs ops of
 * the unfused update, nine to eleven when the step can be skipped, one more to unscale), same
 * formulas and order of operations as createNagOptimizer:
 *   g ← grad + wd·w;  v' ← μ·v + g;  w' ← w − η·(g + μ·v')
 * The loss-scaled variant (FP16's dynamic loss scaling) takes the scaled gradient and the loss
 * scale S and divides first, grad ← grad / S, the same division an unscaling pass would do, so
 * the update is the same to the bit (S is a power of two: the division is exact but for
 * subnormals); the gradients need no pass of their own that writes them and reads them again.
 * It also reads a flag on the GPU: when it is false the dispatch writes w and v unchanged,
 * whatever the gradient holds (Inf or NaN after an overflow).
 */

const WORKGROUP = 64;

function fusedNagWgsl(lossScaled: boolean): string {
  // The flag is a bool tensor, which tfjs-webgpu stores as one i32 (0 or 1).
  const scaling = lossScaled
    ? `@group(0) @binding(5) var<storage, read> applyFlag: array<i32>;
@group(0) @binding(6) var<storage, read> lossScale: array<f32>;`
    : '';
  const skip = lossScaled
    ? 'if (applyFlag[0] == 0) { wOut[i] = w[i]; vOut[i] = v[i]; return; }'
    : '';
  const gradient = lossScaled ? 'grad[i] / lossScale[0]' : 'grad[i]';
  return /* wgsl */ `
struct Uniforms { SIZE: u32, LR: f32, MOMENTUM: f32, DECAY: f32 };
@group(0) @binding(0) var<storage, read_write> wOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> vOut: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> grad: array<f32>;
${scaling}
@group(0) @binding(${lossScaled ? 7 : 5}) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  ${skip}
  let wi = w[i];
  let unscaled = ${gradient};
  let g = unscaled + wi * u.DECAY;
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

/** The loss-scaled, skippable update's shader (FP16's loss scaling), to compile ahead. */
export const FUSED_NAG_LOSS_SCALED_SHADER: ShaderSource = {
  code: fusedNagWgsl(true),
  label: 'fused-nag-loss-scaled',
};

/**
 * FP16's loss scaling of one update: `scale` (a float32 scalar) divides the gradient; a false
 * `apply` (a bool or int32 scalar) skips the update.
 */
export interface LossScaling {
  apply: tf.Scalar;
  scale: tf.Scalar;
}

/**
 * [new weights, new velocity]; the caller assigns them and disposes the returned tensors. With
 * `lossScaling`, the gradient is divided by its scale, and a false `apply` returns copies of
 * `weight` and `velocity`.
 */
export function fusedNagUpdate(
  weight: tf.Tensor,
  velocity: tf.Tensor,
  grad: tf.Tensor,
  lr: number,
  momentum: number,
  weightDecay: number,
  lossScaling?: LossScaling,
): [tf.Tensor, tf.Tensor] {
  const size = weight.size;
  if (velocity.size !== size || grad.size !== size) {
    throw new Error(`fused NAG: sizes differ (w ${size}, v ${velocity.size}, g ${grad.size})`);
  }
  if (lossScaling) checkLossScaling(lossScaling);
  const shader = lossScaling ? FUSED_NAG_LOSS_SCALED_SHADER : FUSED_NAG_SHADERS[0]!;
  const [w, v] = runProgramOutputs(
    {
      ...shader,
      uniforms: [size, f32(lr), f32(momentum), f32(weightDecay)],
      grid: workgroupGrid(Math.ceil(size / WORKGROUP)),
      ...(lossScaling && {
        inputDtypes: ['float32', 'float32', 'float32', lossScaling.apply.dtype, 'float32'],
      }),
    },
    lossScaling
      ? [weight, velocity, grad, lossScaling.apply, lossScaling.scale]
      : [weight, velocity, grad],
    [weight.shape, weight.shape],
  );
  return [w!, v!];
}

function checkLossScaling({ apply, scale }: LossScaling): void {
  if (apply.size !== 1 || (apply.dtype !== 'bool' && apply.dtype !== 'int32')) {
    throw new Error(`fused NAG: apply must be a bool or int32 scalar, not ${apply.dtype}`);
  }
  if (scale.size !== 1 || scale.dtype !== 'float32') {
    throw new Error(`fused NAG: the loss scale must be a float32 scalar, not ${scale.dtype}`);
  }
}
