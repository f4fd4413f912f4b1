import { f16RoundingWgsl } from '../kernels/f16-rounding';

/**
 * The packed f16 storage layout (FP16 storage, paper §3.2): the ONE place that states it. The
 * packed kernels of this folder (conversions, element-wise, BN, pools), the packed convolutions
 * and the engine all follow it.
 *
 * - A packed tensor is a tfjs tf.Tensor of dtype 'float32' whose LAST axis holds ⌈C/2⌉ 32-bit
 *   words; word k = pack2x16float(v[2k], v[2k+1]): channel 2k in the low half, 2k+1 in the high
 *   half. An odd C leaves the last word's high half 0 (+0.0). Other axes are unchanged
 *   (activations NHWC [N,H,W,C] → [N,H,W,C/2]; conv weights HWIO packed along O).
 * - In the training path every packed activation has an even channel count (the stem input is
 *   padded 3 → 4), so the packed kernels (BN, residual, pools) require an even C; pack/unpack
 *   also take an odd C.
 * - WGSL binds packed buffers as array<u32> and converts with PACK_WGSL below (core
 *   pack2x16float / unpack2x16float, no 'shader-f16'); arithmetic is f32, and statistics and
 *   reductions stay f32. Half the bytes of f32 storage: the win of bandwidth-bound ops.
 * - Rounding f32 → f16 is to nearest even where the values are in range; 65504 < |v| < 65520
 *   gives ±65504, |v| ≥ 65520 ±Inf and NaN stays NaN (0x7e00), explicitly, because WGSL leaves
 *   pack2x16float of out-of-range values indeterminate (kernels/f16-rounding.ts); ±0 keeps its
 *   sign. WGSL lets an implementation round to either neighbour and flush f16 subnormals
 *   (|v| < 2⁻¹⁴) to ±0 on pack or unpack (lavapipe keeps them and rounds to nearest even; the
 *   tests accept every result WGSL permits): gradients that small need the loss scale, as with
 *   any f16 storage.
 * - Every function that returns a packed tensor marks it (registry.ts, keyed by dataId; reshapes
 *   and clones share the mark). Nothing outside the engine sees packed data: checkpoints, exports,
 *   predictions and evaluation read f32 (unpackChannels / fromPacked).
 * - tfjs must never compute on packed data, which it takes for floats. The one place tfjs itself
 *   does is the tape summing the gradients of a tensor with several consumers (every residual
 *   block input feeds path A and the shortcut) through the 'Add' kernel: accumulate.ts
 *   re-registers 'Add' so that two packed inputs get a packed add (a packed + f32 Add throws).
 *   Only Add is intercepted; any other tfjs op on a packed tensor is a bug. Clones, and reshapes
 *   that keep the last axis, are fine (they share the data and its mark). Gradients of packed
 *   tensors are packed, of f32 tensors f32; every packed op is a single-output customGrad, so
 *   the tape never sums a packed gradient with the f32 zeros it makes for unused outputs.
 * - The 0 bits of an f32 zero are two +0 halves: tf.zeros of a packed shape is packed zeros
 *   (mark it).
 */

/** Words on the last axis of a packed tensor of `channels` channels. */
export function packedWords(channels: number): number {
  return Math.ceil(channels / 2);
}

/** The shape of `shape` packed along its last axis. */
export function packedShape(shape: readonly number[]): number[] {
  if (shape.length === 0) throw new Error('packed layout: a scalar has no channel axis');
  return [...shape.slice(0, -1), packedWords(shape[shape.length - 1]!)];
}

/** The f32 shape of a packed `shape` holding `channels` channels. */
export function unpackedShape(shape: readonly number[], channels: number): number[] {
  const words = shape[shape.length - 1];
  if (words !== packedWords(channels)) {
    throw new Error(`packed layout: ${words} words cannot hold ${channels} channels`);
  }
  return [...shape.slice(0, -1), channels];
}

/** Throws unless `channels` is even (what the packed training kernels require). */
export function requireEvenChannels(label: string, channels: number): void {
  if (channels % 2 !== 0) {
    throw new Error(`${label}: packed kernels need an even channel count, not ${channels}`);
  }
}

/**
 * WGSL helpers every packed shader includes: `packWord(v)` two channels into one word (the f16
 * bits of each: kernels/f16-rounding.ts says how every value is rounded, ±Inf and NaN included),
 * `unpackWord(w)`. `flagged` (the gradient kernels): packing beyond the f16 range raises the
 * overflow flag, which the shader then declares after its uniforms (overflowFlagWgsl).
 */
export function packWgsl(flagged: boolean): string {
  return /* wgsl */ `${f16RoundingWgsl(flagged)}
fn packWord(v: vec2<f32>) -> u32 {
  // Both halves in one vec4 conversion.
  let h = toF16Bits4(vec4<f32>(v, 0.0, 0.0));
  return h.x | (h.y << 16u);
}
fn unpackWord(w: u32) -> vec2<f32> { return unpack2x16float(w); }
`;
}

export const PACK_WGSL = packWgsl(false);
