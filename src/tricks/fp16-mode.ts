import { numberFormat, type NumberFormat } from '../config/number-format';

/**
 * What FP16 (§3.2) does on an adapter: its storage and arithmetic (config/number-format.ts), and
 * the same in words for the toggle's note and the CLI. Every adapter gets f16 storage
 * (activations, their gradients and the weights' f16 copies, two values per 32-bit word:
 * pack2x16float is core WGSL); only adapters with shader-f16 compute in f16 too. A network with
 * an odd channel count cannot be stored two per word: it keeps f32 storage, with f16 arithmetic
 * (shader-f16) or f16 rounding in f32 arithmetic.
 */

/** `packable`: every channel count of the network is even (architecture's packedStorageFits). */
export function fp16Format(shaderF16: boolean, packable = true): NumberFormat {
  if (packable) return numberFormat('f16', shaderF16 ? 'f16' : 'f32');
  return numberFormat('f32', shaderF16 ? 'f16' : 'emulated');
}

const ODD = 'this network has an odd channel count, and f16 storage packs two per word';

export function fp16FormatNote(adapter: string, shaderF16: boolean, packable = true): string {
  const { storage, arithmetic } = fp16Format(shaderF16, packable);
  if (storage === 'f16') {
    return arithmetic === 'f16'
      ? `f16 storage and f16 arithmetic on ${adapter}`
      : `f16 storage with f32 arithmetic (${adapter} has no shader-f16)`;
  }
  return arithmetic === 'f16'
    ? `f16 arithmetic on ${adapter}, f32 storage: ${ODD}`
    : `f16 rounding in f32 arithmetic and f32 storage (${adapter} has no shader-f16; ${ODD})`;
}
