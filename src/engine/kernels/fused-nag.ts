import * as tf from '@tensorflow/tfjs-core';
import {
  f32,
  runProgramInPlace,
  runProgramOutputs,
  storageBuffersPerDispatch,
  workgroupGrid,
  type ShaderSource,
  type Uniform,
} from './dispatch';

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

/**
 * The in-place update of `count` parameters in one dispatch. Bindings: each parameter's w and v
 * (read_write, updated in place), then each one's gradient, then (loss-scaled) the flag and the
 * scale, then the uniforms. Invocation i updates element i of the concatenation of the
 * parameters, so one dispatch spreads over all their elements; a skipped step writes nothing.
 * Same formulas, in the same order, as fusedNagWgsl.
 */
function fusedNagInPlaceWgsl(count: number, lossScaled: boolean): string {
  const tensors = Array.from({ length: count }, (_, j) => j);
  const uniforms = tensors.map((j) => `SIZE${j}: u32, LR${j}: f32, DECAY${j}: f32`).join(', ');
  const bindings = tensors
    .map(
      (j) => `@group(0) @binding(${2 * j}) var<storage, read_write> w${j}: array<f32>;
@group(0) @binding(${2 * j + 1}) var<storage, read_write> v${j}: array<f32>;`,
    )
    .concat(
      tensors.map(
        (j) => `@group(0) @binding(${2 * count + j}) var<storage, read> g${j}: array<f32>;`,
      ),
    )
    .join('\n');
  const next = 3 * count;
  const scaling = lossScaled
    ? `@group(0) @binding(${next}) var<storage, read> applyFlag: array<i32>;
@group(0) @binding(${next + 1}) var<storage, read> lossScale: array<f32>;`
    : '';
  const updates = tensors
    .map(
      (j) => `  if (i < u.SIZE${j}) {
    let wi = w${j}[i];
    let unscaled = ${lossScaled ? `g${j}[i] / lossScale[0]` : `g${j}[i]`};
    let g = unscaled + wi * u.DECAY${j};
    let nv = v${j}[i] * u.MOMENTUM + g;
    v${j}[i] = nv;
    w${j}[i] = wi - u.LR${j} * (g + nv * u.MOMENTUM);
    return;
  }
  i = i - u.SIZE${j};`,
    )
    .join('\n');
  return /* wgsl */ `
struct Uniforms { TOTAL: u32, MOMENTUM: f32, ${uniforms} };
${bindings}
${scaling}
@group(0) @binding(${lossScaled ? next + 2 : next}) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  var i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.TOTAL) { return; }
  ${lossScaled ? 'if (applyFlag[0] == 0) { return; }' : ''}
${updates}
}
`;
}

/** More parameters per dispatch would only add shader variants: 8 already covers 24 bindings. */
const MAX_PARAMETERS_PER_DISPATCH = 8;

/**
 * How many parameters one in-place update dispatch takes on the active device: 3 storage
 * buffers each (w, v, gradient), 2 more for loss scaling. 2 at WebGPU's default of 8.
 */
export function nagParametersPerDispatch(
  lossScaled: boolean,
  storageBuffers = storageBuffersPerDispatch(),
): number {
  const buffers = storageBuffers - (lossScaled ? 2 : 0);
  return Math.max(1, Math.min(MAX_PARAMETERS_PER_DISPATCH, Math.floor(buffers / 3)));
}

function inPlaceShader(count: number, lossScaled: boolean): ShaderSource {
  return {
    code: fusedNagInPlaceWgsl(count, lossScaled),
    label: `fused-nag-in-place${lossScaled ? '-loss-scaled' : ''}-x${count}`,
  };
}

/**
 * The in-place update's shaders for every group size a device with `storageBuffers` per dispatch
 * (the active device's by default) can bind, to compile ahead.
 */
export function fusedNagInPlaceShaders(
  lossScaled: boolean,
  storageBuffers = storageBuffersPerDispatch(),
): ShaderSource[] {
  const most = nagParametersPerDispatch(lossScaled, storageBuffers);
  return Array.from({ length: most }, (_, i) => inPlaceShader(i + 1, lossScaled));
}

/** One parameter's part of an in-place update. */
export interface NagParameterUpdate {
  weight: tf.Tensor;
  velocity: tf.Tensor;
  grad: tf.Tensor;
  lr: number;
  weightDecay: number;
}

/**
 * Updates the parameters of `group` in place, in one dispatch: every weight and velocity must be
 * writableInPlace (dispatch.ts), and at most nagParametersPerDispatch of them. With
 * `lossScaling`, as fusedNagUpdate; a false `apply` writes nothing.
 */
export function fusedNagUpdateInPlace(
  group: readonly NagParameterUpdate[],
  momentum: number,
  lossScaling?: LossScaling,
): void {
  for (const { weight, velocity, grad } of group) {
    if (velocity.size !== weight.size || grad.size !== weight.size) {
      throw new Error(
        `fused NAG: sizes differ (w ${weight.size}, v ${velocity.size}, g ${grad.size})`,
      );
    }
  }
  if (lossScaling) checkLossScaling(lossScaling);
  const total = group.reduce((sum, p) => sum + p.weight.size, 0);
  const uniforms: Uniform[] = [total, f32(momentum)];
  for (const p of group) uniforms.push(p.weight.size, f32(p.lr), f32(p.weightDecay));
  runProgramInPlace(
    {
      ...inPlaceShader(group.length, lossScaling !== undefined),
      uniforms,
      grid: workgroupGrid(Math.ceil(total / WORKGROUP)),
      inputDtypes: [
        ...group.map(() => 'float32' as const),
        ...(lossScaling ? [lossScaling.apply.dtype, 'float32' as const] : []),
      ],
    },
    group.flatMap((p) => [p.weight, p.velocity]),
    [...group.map((p) => p.grad), ...(lossScaling ? [lossScaling.apply, lossScaling.scale] : [])],
  );
}

/** The out-of-place update's shader, to compile ahead. */
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
