import fc from 'fast-check';
import { gzipSync, Zlib } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DatasetError, memoryFile } from './files';
import {
  cyclicLabels,
  encodePng,
  makeCifarBatch,
  makeIdxImages,
  makeIdxLabels,
  makeImageFolder,
  makeTar,
  makeTarGz,
} from './fixtures';
import { parseCifarBatch } from './formats/cifar';
import { gunzipAll } from './formats/gzip';
import { parseIdx } from './formats/idx';
import { decodePng, MAX_PNG_PIXELS } from './formats/png';
import { MAX_TAR_ENTRY_BYTES, TarReader } from './formats/tar';
import { loadDatasetFiles } from './load';
import { DEFAULT_MEMORY_LIMIT } from './memory';
import { pngDecoder } from './png-decoder';

/**
 * Hostile and broken input for every dataset parser: random bytes, and valid files truncated and
 * with bytes overwritten. Each input must end quickly, either parsed or with a DatasetError that
 * says what is wrong: never another exception (RangeError, TypeError), never a hang, never an
 * allocation from a header's claim alone.
 */

/** Far above any parse of these small inputs; only a hang or a runaway loop gets near it. */
const HANG_MS = 5000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
let slowest = 0;

async function endsCleanly(parse: () => unknown): Promise<void> {
  const started = performance.now();
  try {
    await parse();
  } catch (error) {
    if (!(error instanceof DatasetError)) {
      throw new Error(`not a DatasetError: ${String(error)}`, { cause: error });
    }
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message).not.toMatch(/undefined|\bNaN\b|\[object/);
  } finally {
    const ms = performance.now() - started;
    slowest = Math.max(slowest, ms);
    expect(ms).toBeLessThan(HANG_MS);
  }
}

/** A valid file cut short and with some bytes overwritten. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      cut: fc.nat({ max: valid.length }),
      flips: fc.array(
        fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })),
        {
          maxLength: 6,
        },
      ),
      truncate: fc.boolean(),
    })
    .map(({ cut, flips, truncate }) => {
      const out = valid.slice(0, truncate ? cut : valid.length);
      for (const [at, value] of flips) if (at < out.length) out[at] = value;
      return out;
    });
}

const randomBytes = fc.uint8Array({ maxLength: 4096 });
const anyInput = (valid: Uint8Array) => fc.oneof(randomBytes, mutated(valid));

const PNG = encodePng(
  5,
  4,
  new Uint8Array(5 * 4 * 3).map((_, i) => (i * 37) % 256),
);
const CIFAR = makeCifarBatch('cifar10', cyclicLabels(3, 10));
const IDX_IMAGES = makeIdxImages(3, 4, 4);
const IDX_LABELS = makeIdxLabels([1, 2, 3]);
const TAR = makeTar({ 'a/data_batch_1.bin': CIFAR, 'a/readme.txt': 'hello' });
const TAR_GZ = makeTarGz({ 'a/data_batch_1.bin': CIFAR });

describe('dataset parsers on random and damaged bytes', () => {
  it('CIFAR batches', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput(CIFAR), fc.constantFrom('cifar10', 'cifar100'), (bytes, variant) =>
        endsCleanly(() => parseCifarBatch(bytes, 'data_batch_1.bin', variant as 'cifar10')),
      ),
      { numRuns: RUNS },
    );
  });

  it('IDX files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyInput(IDX_IMAGES), anyInput(IDX_LABELS)), (bytes) =>
        endsCleanly(() => parseIdx(bytes, 'train-images-idx3-ubyte')),
      ),
      { numRuns: RUNS },
    );
  });

  it('PNG images', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput(PNG), (bytes) => endsCleanly(() => decodePng(bytes, 'a.png'))),
      { numRuns: RUNS },
    );
  });

  it('gzip streams', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput(gzipSync(CIFAR)), (bytes) =>
        endsCleanly(() => gunzipAll(bytes, 'x.gz')),
      ),
      { numRuns: RUNS },
    );
  });

  it('tar archives, pushed in random chunks', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput(TAR), fc.integer({ min: 1, max: 2000 }), (bytes, chunk) =>
        endsCleanly(() => {
          const reader = new TarReader('x.tar', () => {});
          for (let at = 0; at < bytes.length; at += chunk)
            reader.push(bytes.subarray(at, at + chunk));
          reader.finish();
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('the whole loader, on damaged CIFAR, MNIST, tar.gz and image-folder files', async () => {
    const folder = makeImageFolder('pets', ['cat', 'dog'], 2);
    const named: [string, Uint8Array][] = [
      ['cifar-10-batches-bin/data_batch_1.bin', CIFAR],
      ['cifar-10-batches-bin/test_batch.bin', CIFAR],
      ['train-images-idx3-ubyte', IDX_IMAGES],
      ['train-labels-idx1-ubyte', IDX_LABELS],
      ['train-images-idx3-ubyte.gz', gzipSync(IDX_IMAGES)],
      ['cifar-10-binary.tar.gz', TAR_GZ],
      ...Object.entries(folder),
    ];
    const fileSet = fc.uniqueArray(
      fc
        .tuple(fc.constantFrom(...named), fc.boolean())
        .chain(([[path, valid], damage]) =>
          (damage ? mutated(valid) : fc.constant(valid)).map((bytes) => memoryFile(path, bytes)),
        ),
      { minLength: 1, maxLength: 5, selector: (f) => f.path },
    );
    await fc.assert(
      fc.asyncProperty(fileSet, (files) =>
        endsCleanly(() =>
          loadDatasetFiles(files, {
            requested: null,
            inputSize: 32,
            decoder: pngDecoder,
            memoryLimit: DEFAULT_MEMORY_LIMIT,
          }),
        ),
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
    console.log(`parser fuzzing: ${RUNS} inputs per parser, slowest ${slowest.toFixed(1)} ms`);
  });
});

/** The bytes that the parsers allocate, as Node counts them. */
const arrayBufferBytes = () => process.memoryUsage().arrayBuffers;

describe('headers claiming huge sizes are refused before allocating', () => {
  it('a PNG header of 100000 × 100000 pixels', () => {
    const png = encodePng(1, 1, new Uint8Array(3));
    const view = new DataView(png.buffer, png.byteOffset);
    view.setUint32(16, 100_000); // IHDR width
    view.setUint32(20, 100_000); // IHDR height
    const before = arrayBufferBytes();
    expect(() => decodePng(png, 'huge.png')).toThrow(
      `huge.png: is 100000×100000 pixels; images above ${MAX_PNG_PIXELS / 2 ** 20} megapixels are refused`,
    );
    expect(arrayBufferBytes() - before).toBeLessThan(16 << 20);
  });

  it('a PNG whose compressed data inflates far beyond its header (a zlib bomb)', () => {
    // A 4×4 RGB header with 256 MB of zeros behind it, compressed to ~256 KB.
    const png = pngWithIdat(4, 4, zlibBomb(256));
    expect(png.length).toBeLessThan(1 << 20);
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const image = decodePng(png, 'bomb.png');
    expect(image.pixels.length).toBe(4 * 4 * 3);
    // The peak resident memory must not jump by the inflated size.
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(64 << 20);
  });

  it('an IDX header announcing 2³¹ images in 40 bytes', () => {
    const idx = new Uint8Array(40);
    const view = new DataView(idx.buffer);
    view.setUint32(0, 0x00000803);
    view.setUint32(4, 2 ** 31);
    view.setUint32(8, 28);
    view.setUint32(12, 28);
    const before = arrayBufferBytes();
    expect(() => parseIdx(idx, 'train-images-idx3-ubyte')).toThrow(
      /is truncated: the header announces 2147483648 images/,
    );
    expect(arrayBufferBytes() - before).toBeLessThan(16 << 20);
  });

  it('a tar entry claiming 500 MB with 1 KB of data: truncated, nothing allocated for the claim', () => {
    const tar = withTarSize(makeTar({ 'big.bin': new Uint8Array(1024) }), 500 * 2 ** 20);
    const before = arrayBufferBytes();
    const reader = new TarReader('x.tar', () => {});
    reader.push(tar);
    expect(() => reader.finish()).toThrow(
      /the archive is truncated \(it ends inside "big.bin", \d+ of 524288000 bytes\)/,
    );
    expect(arrayBufferBytes() - before).toBeLessThan(16 << 20);
  });

  it('a tar entry claiming more than the entry limit', () => {
    const tar = withTarSize(makeTar({ 'big.bin': new Uint8Array(10) }), MAX_TAR_ENTRY_BYTES + 1);
    const reader = new TarReader('x.tar', () => {});
    expect(() => reader.push(tar)).toThrow(
      /"big.bin" claims 1073741825 bytes; entries above 1 GiB are refused/,
    );
  });

  it('a gzip bomb: output above the limit is refused', async () => {
    const bomb = gzipSync(new Uint8Array(8 << 20));
    expect(bomb.length).toBeLessThan(64 << 10);
    await expect(gunzipAll(bomb, 'bomb.gz', { maxBytes: 1 << 20 })).rejects.toThrow(
      'bomb.gz: decompresses to more than 1 MB; refused',
    );
  });
});

/** Rewrites the size field (octal) of the first tar header and its checksum. */
function withTarSize(tar: Uint8Array, size: number): Uint8Array {
  const out = tar.slice();
  const field = size.toString(8).padStart(11, '0');
  for (let i = 0; i < 11; i++) out[124 + i] = field.charCodeAt(i);
  out[135] = 0;
  for (let i = 148; i < 156; i++) out[i] = 32;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += out[i]!;
  const checksum = sum.toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) out[148 + i] = checksum.charCodeAt(i);
  out[154] = 0;
  out[155] = 32;
  return out;
}

/** A PNG (8-bit RGB) with the given compressed IDAT payload; CRCs are left 0 (not checked). */
function pngWithIdat(width: number, height: number, idat: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    new DataView(out.buffer).setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    return out;
  };
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // depth
  ihdr[9] = 2; // RGB
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
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

/** `megabytes` MB of zeros, zlib-compressed one MB at a time (never held whole). */
function zlibBomb(megabytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const zlib = new Zlib({ level: 9 }, (chunk) => parts.push(chunk));
  const zeros = new Uint8Array(1 << 20);
  for (let i = 0; i < megabytes; i++) zlib.push(zeros, i === megabytes - 1);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
