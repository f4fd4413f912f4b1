import { unzlibSync } from 'fflate';
import { DatasetError } from '../files';

/**
 * A small PNG decoder (all colour types, bit depths 1–16, no interlacing) so that image folders
 * load in Node (the CLI, tests, benchmarks) without native packages. The page decodes with the
 * browser's own decoders instead. Alpha is dropped, as torchvision's RGB conversion does.
 */

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes. */
  pixels: Uint8Array;
}

/** Larger images are refused before any allocation (a hostile header can claim 4 G × 4 G). */
export const MAX_PNG_PIXELS = 2 ** 26;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function isPng(bytes: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => bytes[i] === b);
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(bytes: Uint8Array, name: string): RgbImage {
  if (bytes.length === 0) throw new DatasetError(name, 'is empty (0 bytes)');
  if (!isPng(bytes)) throw new DatasetError(name, 'is not a PNG image (wrong signature)');
  let at = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (at + 8 <= bytes.length) {
    const length = u32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (at + 12 + length > bytes.length) throw new DatasetError(name, 'the PNG data is truncated');
    at += 12 + length;
    if (type === 'IHDR') {
      if (data.length < 13) throw new DatasetError(name, 'the PNG header (IHDR) is too short');
      width = u32(data, 0);
      height = u32(data, 4);
      depth = data[8]!;
      colorType = data[9]!;
      if (data[12] !== 0) {
        throw new DatasetError(
          name,
          'interlaced PNG is not supported here; save it non-interlaced',
        );
      }
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) throw new DatasetError(name, 'the PNG data is truncated (no IEND chunk)');
  const channels = CHANNELS[colorType];
  if (!channels || width === 0 || height === 0 || ![1, 2, 4, 8, 16].includes(depth)) {
    throw new DatasetError(name, `unsupported PNG (colour type ${colorType}, depth ${depth})`);
  }
  if (colorType === 3 && !palette) throw new DatasetError(name, 'palette PNG without a palette');
  if (width * height > MAX_PNG_PIXELS) {
    throw new DatasetError(
      name,
      `is ${width}×${height} pixels; images above ${MAX_PNG_PIXELS / 2 ** 20} megapixels are refused`,
    );
  }
  const bitsPerPixel = channels * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rawBytes = height * (stride + 1);
  const compressed = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
  let offset = 0;
  for (const d of idat) {
    compressed.set(d, offset);
    offset += d.length;
  }
  let raw: Uint8Array;
  try {
    // Never more than the header allows: a compressed bomb stops at the expected size.
    raw = unzlibSync(compressed, { out: new Uint8Array(rawBytes) });
  } catch (error) {
    throw new DatasetError(name, `the PNG data is corrupted (${String(error)})`);
  }
  if (raw.length < rawBytes) throw new DatasetError(name, 'the PNG data is truncated');
  const lines = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const line = lines.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? lines.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? line[x - bpp]! : 0;
      const b = prev ? prev[x]! : 0;
      const c = prev && x >= bpp ? prev[x - bpp]! : 0;
      const v = src[x]!;
      switch (filter) {
        case 0:
          line[x] = v;
          break;
        case 1:
          line[x] = v + a;
          break;
        case 2:
          line[x] = v + b;
          break;
        case 3:
          line[x] = v + ((a + b) >> 1);
          break;
        case 4:
          line[x] = v + paeth(a, b, c);
          break;
        default:
          throw new DatasetError(name, `the PNG data is corrupted (filter ${filter})`);
      }
    }
  }
  const sample = (y: number, index: number): number => {
    const line = y * stride;
    if (depth === 8) return lines[line + index]!;
    if (depth === 16) return lines[line + index * 2]!;
    const bit = index * depth;
    const byte = lines[line + (bit >> 3)]!;
    const value = (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    return colorType === 3 ? value : Math.round((value * 255) / ((1 << depth) - 1));
  };
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (colorType === 3) {
        const p = sample(y, x) * 3;
        pixels[o] = palette![p] ?? 0;
        pixels[o + 1] = palette![p + 1] ?? 0;
        pixels[o + 2] = palette![p + 2] ?? 0;
      } else if (channels <= 2) {
        const v = sample(y, x * channels);
        pixels[o] = pixels[o + 1] = pixels[o + 2] = v;
      } else {
        for (let c = 0; c < 3; c++) pixels[o + c] = sample(y, x * channels + c);
      }
    }
  }
  return { width, height, pixels };
}
