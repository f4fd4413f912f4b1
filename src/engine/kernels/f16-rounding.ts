/**
 * f32 → f16 in WGSL, defined for every input, and FP16's overflow flag.
 *
 * WGSL leaves `pack2x16float` and `quantizeToF16` of a value outside f16's finite range
 * indeterminate, lets an implementation assume no value is Inf or NaN (so `isinf`-style checks,
 * or Inf reaching a later `isFinite`, may be compiled away), and lets it flush f16 subnormals.
 * So every value is classified by its integer bits before it is rounded:
 * - |v| ≤ 65504: the builtin rounds it (to nearest even on every tested driver; WGSL allows
 *   either neighbour, and flushing subnormals to ±0);
 * - 65504 < |v| < 65520: ±65504 (what round-to-nearest-even gives);
 * - |v| ≥ 65520, ±Inf: ±Inf; NaN: NaN.
 * In the gradient kernels (`flagged`), an |v| ≥ 65520 or a NaN also raises the step's overflow
 * flag: an integer test on the bits before rounding, which no finite-math assumption can remove,
 * and which holds even where a later op would have dropped the Inf (ReLU of −Inf, Inf·0).
 */

/** The flag's value once raised: the bits of 1.0f, so that it reads as the number 1 in tfjs. */
export const OVERFLOW_RAISED = 0x3f800000;

/**
 * WGSL: the overflow flag, bound right after the uniforms at `binding` (dispatch.ts binds the
 * step's flag there for a program with `overflowFlag`), and raiseOverflow(). Only a shader whose
 * entry point raises it may declare it: an unused binding is not in the pipeline's layout.
 */
export function overflowFlagWgsl(binding: number): string {
  return /* wgsl */ `
@group(0) @binding(${binding}) var<storage, read_write> overflowFlag: atomic<u32>;
fn raiseOverflow() { atomicOr(&overflowFlag, ${OVERFLOW_RAISED}u); }`;
}

/**
 * WGSL helpers, all branch-free but the flag: toF16Bits4(v) the f16 bits of four values,
 * round16(v) and round16v(v) the f32 value of the f16 rounding. `flagged`: they raise the
 * overflow flag (declare it with overflowFlagWgsl).
 */
export function f16RoundingWgsl(flagged: boolean): string {
  const check = (test: string) => (flagged ? `if (${test}) { raiseOverflow(); }` : '');
  return /* wgsl */ `
fn toF16Bits4(v: vec4<f32>) -> vec4<u32> {
  let bits = bitcast<vec4<u32>>(v);
  let signBits = (bits >> vec4<u32>(16u)) & vec4<u32>(0x8000u);
  let mag = bits & vec4<u32>(0x7fffffffu);
  let big = mag > vec4<u32>(0x477fe000u);
  ${check('any(mag >= vec4<u32>(0x477ff000u))')}
  // pack2x16float only ever sees values within f16's range.
  let safe = select(v, vec4<f32>(0.0), big);
  let lo = pack2x16float(safe.xy);
  let hi = pack2x16float(safe.zw);
  let rounded = vec4<u32>(lo & 0xffffu, lo >> 16u, hi & 0xffffu, hi >> 16u);
  let overflowed = select(vec4<u32>(0x7bffu), vec4<u32>(0x7c00u), mag >= vec4<u32>(0x477ff000u));
  let special = select(overflowed, vec4<u32>(0x7e00u), mag > vec4<u32>(0x7f800000u));
  return select(rounded, special, big) | signBits;
}
fn round16v(v: vec4<f32>) -> vec4<f32> {
  let bits = bitcast<vec4<u32>>(v);
  let mag = bits & vec4<u32>(0x7fffffffu);
  let big = mag > vec4<u32>(0x477fe000u);
  ${check('any(mag >= vec4<u32>(0x477ff000u))')}
  let overflowed = select(vec4<u32>(0x477fe000u), vec4<u32>(0x7f800000u), mag >= vec4<u32>(0x477ff000u));
  let special = select(overflowed | (bits & vec4<u32>(0x80000000u)), bits, mag > vec4<u32>(0x7f800000u));
  return select(quantizeToF16(select(v, vec4<f32>(0.0), big)), bitcast<vec4<f32>>(special), big);
}
fn round16(v: f32) -> f32 { return round16v(vec4<f32>(v, 0.0, 0.0, 0.0)).x; }`;
}
