/**
 * What FP16 (§3.2) does on an adapter, in words, for the toggle's note and the CLI. Every adapter
 * gets f16 storage (activations, their gradients and the weights' f16 copies, two values per
 * 32-bit word: pack2x16float is core WGSL); only adapters with shader-f16 compute in f16 too.
 */
export type Fp16Mode = 'f16' | 'f16-storage';

export function fp16Mode(shaderF16: boolean): Fp16Mode {
  return shaderF16 ? 'f16' : 'f16-storage';
}

export function fp16ModeNote(adapter: string, shaderF16: boolean): string {
  return shaderF16
    ? `f16 storage and f16 arithmetic on ${adapter}`
    : `f16 storage with f32 arithmetic (${adapter} has no shader-f16)`;
}
