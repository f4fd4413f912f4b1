import * as tf from '@tensorflow/tfjs-core';
import { runProgram, type ShaderSource, type FlaggedShader } from '../kernels/dispatch';
import { overflowFlagWgsl } from '../kernels/f16-rounding';
import { packWgsl } from './layout';
import { elementGrid, WORKGROUP } from './pack';
import { markPacked } from './registry';

/**
 * Element-wise ops on packed tensors, one invocation per word: the packed add (also what
 * accumulate.ts runs for tfjs's gradient sums) and a residual block's relu(a + b).
 */

/**
 * out = a + b on packed words (f32 arithmetic), or relu(a + b) when `relu`. The plain add sums
 * gradients (accumulate.ts): it raises the overflow flag when a sum leaves the f16 range.
 */
function addWgsl(relu: boolean): string {
  return /* wgsl */ `
struct Uniforms { WORDS: u32 };
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<uniform> u: Uniforms;${relu ? '' : overflowFlagWgsl(4)}
${packWgsl(!relu)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.WORDS) { return; }
  let s = unpackWord(a[i]) + unpackWord(b[i]);
  y[i] = packWord(${relu ? 'max(s, vec2<f32>(0.0))' : 's'});
}`;
}

/** dx = dy·[y > 0] per half, all packed (the gradient of a packed relu(a + b)). */
const RELU_BACKWARD_WGSL = /* wgsl */ `
struct Uniforms { WORDS: u32 };
@group(0) @binding(0) var<storage, read_write> dx: array<u32>;
@group(0) @binding(1) var<storage, read> dy: array<u32>;
@group(0) @binding(2) var<storage, read> y: array<u32>;
@group(0) @binding(3) var<uniform> u: Uniforms;${overflowFlagWgsl(4)}
${packWgsl(true)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.WORDS) { return; }
  dx[i] = packWord(select(vec2<f32>(0.0), unpackWord(dy[i]), unpackWord(y[i]) > vec2<f32>(0.0)));
}`;

export const ADD: FlaggedShader = { code: addWgsl(false), label: 'packed-add', overflowFlag: true };
const ADD_RELU: FlaggedShader = {
  code: addWgsl(true),
  label: 'packed-add-relu',
  overflowFlag: false,
};
const RELU_BACKWARD: FlaggedShader = {
  code: RELU_BACKWARD_WGSL,
  label: 'packed-relu-backward',
  overflowFlag: true,
};

/** Every shader of this file, to compile ahead. */
export const ELEMENTWISE_SHADERS: ShaderSource[] = [ADD, ADD_RELU, RELU_BACKWARD];

function requireSameShape(label: string, a: tf.Tensor, b: tf.Tensor): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(`${label}: shapes differ (${a.shape} vs ${b.shape})`);
  }
}

/** a + b of two packed tensors of the same shape (packed, marked), differentiable in both. */
export function addPacked<T extends tf.Tensor>(a: T, b: T): T {
  requireSameShape('addPacked', a, b);
  const words = a.size;
  const op = tf.customGrad((aIn, bIn) => ({
    value: markPacked(
      runProgram(
        { ...ADD, uniforms: [words], grid: elementGrid(words) },
        [aIn as tf.Tensor, bIn as tf.Tensor],
        a.shape,
      ),
    ),
    // dy is packed already; clones share its buffer (and mark), each is disposed alone.
    gradFunc: (dy: tf.Tensor) => [tf.clone(dy), tf.clone(dy)],
  }));
  return op(a, b) as T;
}

/**
 * relu(a + b) of two packed tensors (the end of a residual block), packed and marked, in one
 * dispatch forward and one backward; both inputs get dy·[y > 0] (y as stored, in f16).
 */
export function residualReluPacked<T extends tf.Tensor>(a: T, b: T): T {
  requireSameShape('residualReluPacked', a, b);
  const words = a.size;
  const grid = elementGrid(words);
  const op = tf.customGrad((aIn, bIn, save) => {
    const y = markPacked(
      runProgram(
        { ...ADD_RELU, uniforms: [words], grid },
        [aIn as tf.Tensor, bIn as tf.Tensor],
        a.shape,
      ),
    );
    (save as tf.GradSaveFunc)([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dx = markPacked(
          runProgram({ ...RELU_BACKWARD, uniforms: [words], grid }, [dy, saved[0]!], a.shape),
        );
        return [dx, tf.clone(dx)];
      },
    };
  });
  return op(a, b) as T;
}
