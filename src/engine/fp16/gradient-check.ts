import type * as tf from '@tensorflow/tfjs-core';
import { runProgramOutputs, type ShaderSource } from '../kernels/dispatch';
import { overflowFlagWgsl } from '../kernels/f16-rounding';
import { elementGrid, WORKGROUP } from '../packed/pack';

/**
 * FP16's check of the scaled gradients: raises the step's overflow flag (f16-rounding.ts) where
 * any gradient value is Inf or NaN, by its exponent bits (an integer test no finite-math
 * assumption can remove, where tfjs's isFinite may be folded to true). It only reads: the
 * division by the loss scale happens in the NAG update (kernels/fused-nag.ts), so the gradients
 * are not written and read once more.
 *
 * One dispatch checks up to GRADIENTS_PER_CHECK tensors: WebGPU's default limit is 8 storage
 * buffers per shader stage, the flag takes one. A ResNet-18's 62 gradients take 9 dispatches
 * instead of one each. The shader is one fixed program (one pipeline to compile ahead): a
 * dispatch with fewer tensors binds its first gradient again in the unused slots, with size 0,
 * so they read nothing (read-only bindings may alias; no dummy buffer).
 */

export const GRADIENTS_PER_CHECK = 7;

const slots = Array.from({ length: GRADIENTS_PER_CHECK }, (_, k) => k);

// The gradients are read as u32: their bits, never a float the compiler may reason about.
const GRADIENT_CHECK_WGSL = /* wgsl */ `
struct Uniforms { ${slots.map((k) => `SIZE${k}: u32`).join(', ')} };
${slots.map((k) => `@group(0) @binding(${k}) var<storage, read> grad${k}: array<u32>;`).join('\n')}
@group(0) @binding(${GRADIENTS_PER_CHECK}) var<uniform> u: Uniforms;${overflowFlagWgsl(GRADIENTS_PER_CHECK + 1)}
fn nonFinite(bits: u32) -> bool { return (bits & 0x7f800000u) == 0x7f800000u; }
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  var bad = false;
${slots.map((k) => `  if (i < u.SIZE${k}) { bad = bad || nonFinite(grad${k}[i]); }`).join('\n')}
  if (bad) { raiseOverflow(); }
}`;

export const GRADIENT_CHECK_SHADER: ShaderSource = {
  code: GRADIENT_CHECK_WGSL,
  label: 'fp16-gradient-check',
};

/**
 * The tensors in groups of at most GRADIENTS_PER_CHECK, largest first: a dispatch runs one
 * thread per element of its largest tensor, so grouping tensors of like size wastes fewest.
 * Empty tensors are left out (nothing to check, and no buffer to bind).
 */
export function checkGroups(grads: readonly tf.Tensor[]): tf.Tensor[][] {
  const sorted = grads.filter((g) => g.size > 0).sort((a, b) => b.size - a.size);
  const groups: tf.Tensor[][] = [];
  for (let start = 0; start < sorted.length; start += GRADIENTS_PER_CHECK) {
    groups.push(sorted.slice(start, start + GRADIENTS_PER_CHECK));
  }
  return groups;
}

/**
 * Records the checks of `grads` (float32 tensors): they raise the active overflow flag
 * (withOverflowFlag) where a value is Inf or NaN. No output; ceil(n / 7) dispatches.
 */
export function checkGradientsFinite(grads: readonly tf.Tensor[]): void {
  for (const group of checkGroups(grads)) {
    const bound = slots.map((k) => group[k] ?? group[0]!);
    const sizes = slots.map((k) => group[k]?.size ?? 0);
    runProgramOutputs(
      {
        ...GRADIENT_CHECK_SHADER,
        overflowFlag: true,
        uniforms: sizes,
        grid: elementGrid(group[0]!.size),
      },
      bound,
      [],
    );
  }
}
