/**
 * CPU packing of f16 pairs for tests (Node 20 has no Float16Array): the layout of
 * engine/packed/registry.ts, word k of a pixel = f16(v[2k]) | f16(v[2k + 1]) << 16, an odd
 * channel count leaving the last high half 0. Words travel in float32 tensors, so they are
 * handed out as Float32Array views of the bits (never converted as numbers).
 */

/** x / 2^k rounded half to even (x ≥ 0), as the GPU's f16 conversion rounds. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The f16 bits of `v`, rounded to nearest even; beyond the f16 range ±Inf; NaN a quiet NaN. */
export function f16Bits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a / 2 ** -24); // subnormal (0x400 = 2^-14 is fine)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  // Rounding up may carry into the exponent: the bits then read as 2^(e+1), which is right.
  const mantissa = roundHalfEven((a / 2 ** e - 1) * 1024);
  return sign | (((e + 15) << 10) + mantissa);
}

/** The value of f16 bits. */
export function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** `values` rounded to f16 values (kept as f32). */
export function roundToF16(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values, (v) => f16Value(f16Bits(v)));
}

/** Packs the last axis (`channels` long) of `values` into ceil(channels/2) words per pixel. */
export function packF16(values: ArrayLike<number>, channels: number): Float32Array {
  const pixels = values.length / channels;
  const perPixel = Math.ceil(channels / 2);
  const words = new Uint32Array(pixels * perPixel);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) {
      const half = f16Bits(values[p * channels + c]!);
      words[p * perPixel + (c >> 1)]! |= c % 2 === 0 ? half : half << 16;
    }
  }
  return new Float32Array(words.buffer);
}

/** The words of a packed tensor's data as u32 (a view: the bits as read back). */
export function wordsOf(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

/** Unpacks words (a packed tensor's data) to `channels` values per pixel. */
export function unpackF16(data: Float32Array, channels: number): Float32Array {
  const words = wordsOf(data);
  const perPixel = Math.ceil(channels / 2);
  const pixels = words.length / perPixel;
  const values = new Float32Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) {
      const word = words[p * perPixel + (c >> 1)]!;
      values[p * channels + c] = f16Value(c % 2 === 0 ? word & 0xffff : word >>> 16);
    }
  }
  return values;
}
