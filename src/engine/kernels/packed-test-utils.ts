import { f16Bits, f16Value, packedWordsOf, roundedF16 } from '../packed/f16-reference';

/**
 * CPU packing of f16 pairs for tests (Node 20 has no Float16Array): the layout of
 * engine/packed/layout.ts, word k of a pixel = f16(v[2k]) | f16(v[2k + 1]) << 16, an odd
 * channel count leaving the last high half 0. Words travel in float32 tensors, so they are
 * handed out as Float32Array views of the bits (never converted as numbers).
 */

export { f16Bits, f16Value };

/** `values` rounded to f16 values (kept as f32). */
export const roundToF16 = roundedF16;

/** Packs the last axis (`channels` long) of `values` into ceil(channels/2) words per pixel. */
export function packF16(values: ArrayLike<number>, channels: number): Float32Array {
  return new Float32Array(packedWordsOf(values, channels).buffer);
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
