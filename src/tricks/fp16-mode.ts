/**
 * What FP16 (§3.2) does on an adapter, in words, for the toggle's note and the CLI. Every adapter
 * gets f16 storage (activations, their gradients and the weights' f16 copies, two values per
 * 32-bit word: pack2x16float is core WGSL); only adapters with shader-f16 compute in f16 too. A
 * network with an odd channel count cannot be stored two per word: it keeps f32 storage, with f16
 * arithmetic (shader-f16) or f16 rounding in f32 arithmetic.
 */
export type Fp16Mode = 'f16' | 'f16-storage' | 'f32-storage' | 'emulated';

/** `packable`: every channel count of the network is even (architecture's packedStorageFits). */
export function fp16Mode(shaderF16: boolean, packable = true): Fp16Mode {
  if (packable) return shaderF16 ? 'f16' : 'f16-storage';
  return shaderF16 ? 'f32-storage' : 'emulated';
}

const ODD = 'this network has an odd channel count, and f16 storage packs two per word';

export function fp16ModeNote(adapter: string, shaderF16: boolean, packable = true): string {
  switch (fp16Mode(shaderF16, packable)) {
    case 'f16':
      return `f16 storage and f16 arithmetic on ${adapter}`;
    case 'f16-storage':
      return `f16 storage with f32 arithmetic (${adapter} has no shader-f16)`;
    case 'f32-storage':
      return `f16 arithmetic on ${adapter}, f32 storage: ${ODD}`;
    case 'emulated':
      return `f16 rounding in f32 arithmetic and f32 storage (${adapter} has no shader-f16; ${ODD})`;
  }
}
