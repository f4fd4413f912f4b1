import { gzipSync, zlibSync } from 'fflate';
import { createTar } from 'nanotar';
import { createRng } from '../tricks/random';
import { cifarRecordBytes, type CifarVariant } from './formats/cifar';

/**
 * Generators of small datasets in every supported file format, for tests, the e2e suite and
 * benchmarks. Pixel values follow a pattern of (label, index, position) so that parsers can be
 * checked value by value.
 */

/** The red value of pixel (y, x) of image `index` with `label`. */
export function fixturePixel(
  label: number,
  index: number,
  y: number,
  x: number,
  c: number,
): number {
  return (label * 37 + index * 11 + y * 5 + x * 3 + c * 80) & 0xff;
}

export function makeCifarBatch(
  variant: CifarVariant,
  labels: readonly number[],
  firstIndex = 0,
): Uint8Array {
  const record = cifarRecordBytes(variant);
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const out = new Uint8Array(labels.length * record);
  labels.forEach((label, i) => {
    const base = i * record;
    if (variant === 'cifar100') out[base] = label % 20;
    out[base + labelBytes - 1] = label;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++)
          out[base + labelBytes + c * 1024 + y * 32 + x] = fixturePixel(
            label,
            firstIndex + i,
            y,
            x,
            c,
          );
  });
  return out;
}

export function cyclicLabels(count: number, classes: number): number[] {
  return Array.from({ length: count }, (_, i) => i % classes);
}

export function makeIdxImages(
  count: number,
  rows: number,
  cols: number,
  firstIndex = 0,
): Uint8Array {
  const out = new Uint8Array(16 + count * rows * cols);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x803);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, cols);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < cols; x++)
        out[16 + (i * rows + y) * cols + x] = fixturePixel(0, firstIndex + i, y, x, 0);
  return out;
}

export function makeIdxLabels(labels: readonly number[]): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x801);
  view.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}

/** The four MNIST files (train + t10k, images + labels); gzipped when `gzip`. */
export function makeMnistFiles(
  trainCount: number,
  testCount: number,
  gzip: boolean,
  side = 28,
): Record<string, Uint8Array> {
  const pack = (b: Uint8Array) => (gzip ? gzipSync(b) : b);
  const suffix = gzip ? '.gz' : '';
  return {
    [`train-images-idx3-ubyte${suffix}`]: pack(makeIdxImages(trainCount, side, side)),
    [`train-labels-idx1-ubyte${suffix}`]: pack(makeIdxLabels(cyclicLabels(trainCount, 10))),
    [`t10k-images-idx3-ubyte${suffix}`]: pack(makeIdxImages(testCount, side, side, trainCount)),
    [`t10k-labels-idx1-ubyte${suffix}`]: pack(makeIdxLabels(cyclicLabels(testCount, 10))),
  };
}

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * An 8-bit RGB (or, with channels 1, grey), non-interlaced PNG (filters "none" and "up" on
 * alternate rows).
 */
export function encodePng(
  width: number,
  height: number,
  rgb: Uint8Array,
  channels: 1 | 3 = 3,
): Uint8Array {
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const filter = (y % 2) * 2; // 0 = none, 2 = up
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const v = rgb[y * stride + x]!;
      const up = y > 0 ? rgb[(y - 1) * stride + x]! : 0;
      raw[y * (stride + 1) + 1 + x] = filter === 2 ? (v - up) & 0xff : v;
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 1 ? 0 : 2;
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlibSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A solid-ish image whose colour identifies the class, with seeded noise. */
export function classImage(label: number, width: number, height: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const base = [(label * 90) % 256, (label * 160 + 40) % 256, (label * 50 + 200) % 256];
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++)
    for (let c = 0; c < 3; c++)
      out[i * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + rng.normal(0, 10))));
  return out;
}

/** An image folder: {root}/{class}/{i}.png, mixed sizes. Paths map to PNG bytes. */
export function makeImageFolder(
  root: string,
  classes: readonly string[],
  perClass: number,
  options: { split?: boolean } = {},
): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  classes.forEach((cls, label) => {
    for (let i = 0; i < perClass; i++) {
      const width = 24 + ((i * 7) % 20);
      const height = 20 + ((i * 5) % 24);
      const part = options.split ? (i % 4 === 3 ? 'val/' : 'train/') : '';
      files[`${root}/${part}${cls}/${i}.png`] = encodePng(
        width,
        height,
        classImage(label, width, height, label * 1000 + i),
      );
    }
  });
  return files;
}

export function makeTar(files: Record<string, Uint8Array | string>): Uint8Array {
  return createTar(Object.entries(files).map(([name, data]) => ({ name, data })));
}

export function makeTarGz(files: Record<string, Uint8Array | string>): Uint8Array {
  return gzipSync(makeTar(files));
}
