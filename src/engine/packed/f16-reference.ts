/**
 * IEEE binary16 conversions in plain JavaScript (tests only): the expected words of the packed
 * layout and f16-rounded inputs for the float64 references.
 */

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** The f16 bits of `v`: round to nearest even, ±Inf from 65520 on, NaN → 0x7e00, signed zero. */
export function f16Bits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a / 2 ** -24); // 1024 is the smallest normal
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let mant = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (mant === 1024) {
    e++;
    mant = 0;
  }
  return sign | ((e + 15) << 10) | mant;
}

/** The value of f16 bits. */
export function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** `v` rounded to f16. */
export function roundF16(v: number): number {
  return f16Value(f16Bits(v));
}

/** Every value of `values` rounded to f16, as float32 (exact: f16 ⊂ f32). */
export function roundedF16(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values, roundF16);
}

/** The packed words of a row-major [rows, channels] array (layout.ts). */
export function packedWordsOf(values: ArrayLike<number>, channels: number): Uint32Array {
  const rows = values.length / channels;
  const perRow = Math.ceil(channels / 2);
  const words = new Uint32Array(rows * perRow);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < perRow; k++) {
      const lo = f16Bits(values[r * channels + 2 * k]!);
      const hi = 2 * k + 1 < channels ? f16Bits(values[r * channels + 2 * k + 1]!) : 0;
      words[r * perRow + k] = (lo | (hi << 16)) >>> 0;
    }
  return words;
}

/** The f16 bits of zero with the sign of `bits`. */
const zeroLike = (bits: number) => bits & 0x8000;
/** f16 bits whose exponent field is 0 and mantissa not: a subnormal. */
const isSubnormal = (bits: number) => (bits & 0x7c00) === 0 && (bits & 0x3ff) !== 0;

/**
 * Every f16 bit pattern WGSL lets our conversion of `v` give (kernels/f16-rounding.ts): in range,
 * either neighbour (round to nearest even is one), and ±0 for a subnormal (flushed); beyond
 * 65504, below 65520, ±65504; from 65520 on ±Inf; NaN a quiet NaN of either sign. These last
 * three are ours, explicit, hence exact.
 */
export function permittedF16Bits(v: number): number[] {
  if (Number.isNaN(v)) return [0x7e00, 0xfe00];
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return [sign | 0x7c00];
  if (a > 65504) return [sign | 0x7bff];
  const nearest = f16Bits(v);
  const candidates = new Set([nearest]);
  // The other neighbour: one step towards or away from zero, whichever brackets v.
  if (f16Value(nearest) !== v) {
    const other = Math.abs(f16Value(nearest)) < a ? nearest + 1 : nearest - 1;
    if ((other & 0x7fff) <= 0x7bff) candidates.add(sign | (other & 0x7fff));
  }
  for (const bits of [...candidates]) if (isSubnormal(bits)) candidates.add(zeroLike(bits));
  return [...candidates];
}

/** The values an unpack of f16 `bits` may give: exact, or ±0 for a subnormal (flushed). */
export function permittedUnpackedValues(bits: number): number[] {
  const exact = f16Value(bits);
  return isSubnormal(bits) ? [exact, bits & 0x8000 ? -0 : 0] : [exact];
}

/** Whether `got` (an f32 value) is what WGSL permits for packing `v` and unpacking it again. */
export function permittedRoundTrip(v: number, got: number): boolean {
  return permittedF16Bits(v).some((bits) =>
    permittedUnpackedValues(bits).some((value) => Object.is(value, got)),
  );
}
