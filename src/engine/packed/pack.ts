import * as tf from '@tensorflow/tfjs-core';
import { runProgram, workgroupGrid, type ShaderSource } from '../kernels/dispatch';
import { overflowFlagWgsl } from '../kernels/f16-rounding';
import { PACK_WGSL, packedShape, packedWords, unpackedShape, packWgsl } from './layout';
import { markPacked } from './registry';

/**
 * Conversions between f32 tensors and the packed f16 layout (layout.ts), one dispatch each:
 * one invocation per packed word (pack) or per f32 value (unpack).
 */

export const WORKGROUP = 64;

/** `gradient`: packing a gradient, which raises the overflow flag beyond the f16 range. */
const packShaderWgsl = (gradient: boolean) => /* wgsl */ `
struct Uniforms { WORDS: u32, ROW_WORDS: u32, C: u32 };
@group(0) @binding(0) var<storage, read_write> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;${gradient ? overflowFlagWgsl(3) : ''}
${packWgsl(gradient)}
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

const PACK = { code: packShaderWgsl(false), label: 'packed-pack', overflowFlag: false };
const PACK_GRADIENT = {
  code: packShaderWgsl(true),
  label: 'packed-pack-gradient',
  overflowFlag: true,
};
const UNPACK: ShaderSource = { code: UNPACK_SHADER_WGSL, label: 'packed-unpack' };

/** Every shader of this file, to compile ahead. */
export const PACK_SHADERS: ShaderSource[] = [PACK, PACK_GRADIENT, UNPACK];

/** A grid of WORKGROUP-wide groups covering `size` invocations. */
export function elementGrid(size: number): [number, number, number] {
  return workgroupGrid(Math.ceil(size / WORKGROUP));
}

/**
 * f32 → packed along the last axis (marked); not differentiable (see toPacked). `gradient`: x is
 * a gradient, whose rounding beyond the f16 range raises the overflow flag.
 */
export function packChannels(
  x: tf.Tensor,
  channels = x.shape[x.shape.length - 1]!,
  gradient = false,
): tf.Tensor {
  if (x.shape[x.shape.length - 1] !== channels) {
    throw new Error(`packChannels: last axis is ${x.shape[x.shape.length - 1]}, not ${channels}`);
  }
  const shape = packedShape(x.shape);
  const words = tf.util.sizeFromShape(shape);
  const shader = gradient ? PACK_GRADIENT : PACK;
  const p = runProgram(
    { ...shader, uniforms: [words, packedWords(channels), channels], grid: elementGrid(words) },
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
    gradFunc: (dy: tf.Tensor) => packChannels(dy, channels, true),
  }));
  return op(p) as tf.Tensor;
}
