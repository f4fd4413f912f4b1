import * as tf from '@tensorflow/tfjs';
import { runProgram, workgroupGrid, type ShaderSource } from '../kernels/dispatch';
import { PACK_WGSL, packedShape, packedWords, unpackedShape } from './layout';
import { markPacked } from './registry';

/**
 * Conversions between f32 tensors and the packed f16 layout (layout.ts), one dispatch each:
 * one invocation per packed word (pack) or per f32 value (unpack).
 */

const WORKGROUP = 64;

const PACK_SHADER_WGSL = /* wgsl */ `
struct Uniforms { WORDS: u32, ROW_WORDS: u32, C: u32 };
@group(0) @binding(0) var<storage, read_write> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${PACK_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.WORDS) { return; }
  let row = i / u.ROW_WORDS;
  let c = 2u * (i % u.ROW_WORDS);
  let base = row * u.C + c;
  // An odd C: the last word's high half is 0.
  let hi = select(0.0, x[min(base + 1u, row * u.C + u.C - 1u)], c + 1u < u.C);
  p[i] = packWord(vec2<f32>(x[base], hi));
}`;

const UNPACK_SHADER_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, ROW_WORDS: u32, C: u32 };
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> p: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${PACK_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  let row = i / u.C;
  let c = i % u.C;
  let v = unpackWord(p[row * u.ROW_WORDS + c / 2u]);
  x[i] = select(v.x, v.y, c % 2u == 1u);
}`;

/** out = a + b on packed words (f32 arithmetic), or relu(a + b) when `relu`. */
function addWgsl(relu: boolean): string {
  return /* wgsl */ `
struct Uniforms { WORDS: u32 };
@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<uniform> u: Uniforms;
${PACK_WGSL}
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
@group(0) @binding(3) var<uniform> u: Uniforms;
${PACK_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.WORDS) { return; }
  dx[i] = packWord(select(vec2<f32>(0.0), unpackWord(dy[i]), unpackWord(y[i]) > vec2<f32>(0.0)));
}`;

export const PACK: ShaderSource = { code: PACK_SHADER_WGSL, label: 'packed-pack' };
export const UNPACK: ShaderSource = { code: UNPACK_SHADER_WGSL, label: 'packed-unpack' };
export const ADD: ShaderSource = { code: addWgsl(false), label: 'packed-add' };
export const ADD_RELU: ShaderSource = { code: addWgsl(true), label: 'packed-add-relu' };
export const RELU_BACKWARD: ShaderSource = {
  code: RELU_BACKWARD_WGSL,
  label: 'packed-relu-backward',
};

/** Every shader of this file, to compile ahead. */
export const PACK_SHADERS: ShaderSource[] = [PACK, UNPACK, ADD, ADD_RELU, RELU_BACKWARD];

/** A grid of WORKGROUP-wide groups covering `size` invocations. */
export function elementGrid(size: number): [number, number, number] {
  return workgroupGrid(Math.ceil(size / WORKGROUP));
}

/** f32 → packed along the last axis (marked); not differentiable (see toPacked). */
export function packChannels(x: tf.Tensor, channels = x.shape[x.shape.length - 1]!): tf.Tensor {
  if (x.shape[x.shape.length - 1] !== channels) {
    throw new Error(`packChannels: last axis is ${x.shape[x.shape.length - 1]}, not ${channels}`);
  }
  const shape = packedShape(x.shape);
  const words = tf.util.sizeFromShape(shape);
  const p = runProgram(
    { ...PACK, uniforms: [words, packedWords(channels), channels], grid: elementGrid(words) },
    [x],
    shape,
  );
  return markPacked(p);
}

/** Packed → f32 along the last axis, `channels` channels; not differentiable (see fromPacked). */
export function unpackChannels(p: tf.Tensor, channels: number): tf.Tensor {
  const shape = unpackedShape(p.shape, channels);
  const size = tf.util.sizeFromShape(shape);
  return runProgram(
    { ...UNPACK, uniforms: [size, packedWords(channels), channels], grid: elementGrid(size) },
    [p],
    shape,
  );
}

/** packChannels, differentiable: the gradient of x is the unpacked gradient of the result. */
export function toPacked(x: tf.Tensor4D): tf.Tensor4D {
  const channels = x.shape[3];
  const op = tf.customGrad((xIn) => ({
    value: packChannels(xIn as tf.Tensor, channels),
    gradFunc: (dy: tf.Tensor) => unpackChannels(dy, channels),
  }));
  return op(x) as tf.Tensor4D;
}

/** unpackChannels, differentiable: the gradient of p is the packed (marked) gradient. */
export function fromPacked(p: tf.Tensor, channels: number): tf.Tensor {
  const op = tf.customGrad((pIn) => ({
    value: unpackChannels(pIn as tf.Tensor, channels),
    gradFunc: (dy: tf.Tensor) => packChannels(dy, channels),
  }));
  return op(p) as tf.Tensor;
}

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
