/**
 * How a kernel's numbers are kept and computed: two independent settings.
 *
 * - **Storage**, how tensors live between kernels: 'f32', or 'f16' packed two per 32-bit word
 *   (pack2x16float is core WGSL, so every adapter has it). f16 storage halves the bytes every load
 *   and store moves; it needs even channel counts.
 * - **Arithmetic**, what the kernel multiplies and adds in: 'f32'; 'f16' (WGSL's `shader-f16`
 *   feature, absent in Firefox and on some GPUs); or 'emulated', f16's rounding applied to f32
 *   values so that an adapter without `shader-f16` computes what an f16 kernel would.
 *
 * FP16 training (§3.2) runs f16 storage where the network's channels pack, with f16 arithmetic
 * where the device allows. Five pairs are built: f32 storage with each arithmetic, and f16 storage
 * with f16 or f32 arithmetic (f16 storage with emulated arithmetic would round f16 values to f16,
 * which f32 arithmetic on them already is, up to accumulation: it is not built).
 *
 * Every pair is one shared object (`numberFormat` returns it), so formats compare with `===`.
 */

export type Storage = 'f32' | 'f16';
export type Arithmetic = 'f32' | 'f16' | 'emulated';

export interface NumberFormat {
  readonly storage: Storage;
  readonly arithmetic: Arithmetic;
}

const FORMATS = new Map<string, NumberFormat>();
for (const [storage, arithmetic] of [
  ['f32', 'f32'],
  ['f32', 'f16'],
  ['f32', 'emulated'],
  ['f16', 'f16'],
  ['f16', 'f32'],
] as const) {
  FORMATS.set(`${storage}/${arithmetic}`, Object.freeze({ storage, arithmetic }));
}

/** The one object of this pair; throws for f16 storage with emulated arithmetic (not built). */
export function numberFormat(storage: Storage, arithmetic: Arithmetic): NumberFormat {
  const format = FORMATS.get(`${storage}/${arithmetic}`);
  if (!format) throw new Error(`no kernels store ${storage} and compute ${arithmetic}`);
  return format;
}

/** f32 storage and arithmetic: what training runs without FP16. */
export const F32 = numberFormat('f32', 'f32');

/** Every built pair, f32 first. */
export const NUMBER_FORMATS: readonly NumberFormat[] = [...FORMATS.values()];

/**
 * A short stable name for keys, shader labels and tables: "f32" for f32/f32, else
 * "<storage>-storage/<arithmetic>", e.g. "f16-storage/f32".
 */
export function formatKey(format: NumberFormat): string {
  return format === F32 ? 'f32' : `${format.storage}-storage/${format.arithmetic}`;
}

/** The format named by formatKey; null for any other text. */
export function formatFromKey(key: string): NumberFormat | null {
  return NUMBER_FORMATS.find((f) => formatKey(f) === key) ?? null;
}

/** In words, for notes and tables: "f16 storage, f32 arithmetic". */
export function describeFormat(format: NumberFormat): string {
  const arithmetic =
    format.arithmetic === 'emulated'
      ? 'f16 rounding in f32 arithmetic'
      : `${format.arithmetic} arithmetic`;
  return `${format.storage} storage, ${arithmetic}`;
}
