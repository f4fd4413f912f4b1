import * as tf from '@tensorflow/tfjs-core';
import { runProgram, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * The end of a residual block, relu(a + b), in one dispatch forward and one backward (tfjs: an add
 * and a relu forward, a step and a multiply backward). Backward, both inputs get dy·[y > 0], the
 * gradient of tf.relu(tf.add(a, b)).
 */

const WORKGROUP = 64;

const FORWARD_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32 };
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  y[i] = max(a[i] + b[i], 0.0);
}`;

const BACKWARD_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32 };
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  dx[i] = select(0.0, dy[i], y[i] > 0.0);
}`;

const FORWARD: ShaderSource = { code: FORWARD_WGSL, label: 'residual-relu' };
const BACKWARD: ShaderSource = { code: BACKWARD_WGSL, label: 'residual-relu-backward' };

/** Both shaders, to compile ahead. */
export const FUSED_RESIDUAL_SHADERS: ShaderSource[] = [FORWARD, BACKWARD];

/** relu(a + b) for two tensors of the same shape, differentiable in both. */
export function fusedResidualRelu<T extends tf.Tensor>(a: T, b: T): T {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(`fused residual: shapes differ (${a.shape} vs ${b.shape})`);
  }
  const size = a.size;
  const grid = workgroupGrid(Math.ceil(size / WORKGROUP));
  const op = tf.customGrad((aIn, bIn, save) => {
    const y = runProgram(
      { ...FORWARD, uniforms: [size], grid },
      [aIn as tf.Tensor, bIn as tf.Tensor],
      a.shape,
    );
    (save as tf.GradSaveFunc)([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dx = runProgram({ ...BACKWARD, uniforms: [size], grid }, [dy, saved[0]!], a.shape);
        // The same gradient for both inputs; a clone shares the buffer, each is disposed alone.
        return [dx, tf.clone(dx)];
      },
    };
  });
  return op(a, b) as T;
}
