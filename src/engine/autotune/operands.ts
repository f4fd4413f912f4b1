import * as tf from '@tensorflow/tfjs-core';
import { TUNING_OPERAND_WGSL } from '../../tuning-plan/verify';
import { runProgram, type ShaderSource } from '../kernels/dispatch';
import { markPacked } from '../packed/registry';
import { elementGrid, WORKGROUP } from '../packed/pack';

/**
 * The autotuner's operands, made on the GPU by one dispatch each from a hash of every element's
 * index (src/tuning-plan/verify.ts states the hash; its CPU twin feeds the reference): f32 values
 * uniform in [−1, 1), or, packed, two f16 numbers per word along the last axis.
 */

const FILL_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, SEED: u32, PACKED: u32 };
@group(0) @binding(0) var<storage, read_write> values: array<u32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
${TUNING_OPERAND_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  if (u.PACKED == 1u) {
    values[i] = f16OperandBits(u.SEED, 2u * i) | (f16OperandBits(u.SEED, 2u * i + 1u) << 16u);
  } else {
    values[i] = bitcast<u32>(uniformValue(u.SEED, i));
  }
}`;

export const TUNING_OPERAND_SHADER: ShaderSource = { code: FILL_WGSL, label: 'tuning-operand' };

/**
 * An operand of logical `shape` from `seed`: f32, or packed (last axis halved, marked; the
 * logical channels are even in the packed precisions).
 */
export function tuningOperand(
  shape: [number, number, number, number],
  seed: number,
  packed: boolean,
): tf.Tensor4D {
  const stored: [number, number, number, number] = packed
    ? [shape[0], shape[1], shape[2], shape[3] / 2]
    : shape;
  const size = tf.util.sizeFromShape(stored);
  const out = runProgram(
    {
      ...TUNING_OPERAND_SHADER,
      uniforms: [size, seed, packed ? 1 : 0],
      grid: elementGrid(size),
    },
    [],
    stored,
  ) as tf.Tensor4D;
  return packed ? markPacked(out) : out;
}
