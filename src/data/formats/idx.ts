import { baseName, DatasetError } from '../files';

/**
 * IDX files of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): magic 0x00000803 for
 * images (count, rows, cols) and 0x00000801 for labels (count), big-endian, unsigned bytes.
 */

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export type IdxData =
  | { kind: 'images'; count: number; rows: number; cols: number; pixels: Uint8Array }
  | { kind: 'labels'; count: number; labels: Uint8Array };

const TYPE_NAMES: Record<number, string> = {
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

function u32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  );
}

/** Reads the header only (for the memory estimate): null when it is not an IDX header. */
export function readIdxHeader(bytes: Uint8Array): { dims: number[] } | null {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) return null;
  const ndims = bytes[3]!;
  if (ndims < 1 || ndims > 3 || bytes.length < 4 + 4 * ndims) return null;
  return { dims: Array.from({ length: ndims }, (_, i) => u32(bytes, 4 + 4 * i)) };
}

export function parseIdx(bytes: Uint8Array, name: string): IdxData {
  if (bytes.length === 0) throw new DatasetError(name, 'is empty (0 bytes)');
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
    throw new DatasetError(
      name,
      `wrong magic number 0x${magic}: not an IDX file (expected 0x00000801 for labels or 0x00000803 for images)`,
    );
  }
  if (bytes[2] !== 0x08) {
    const type = TYPE_NAMES[bytes[2]!] ?? `0x${bytes[2]!.toString(16)}`;
    throw new DatasetError(
      name,
      `holds ${type} values; only unsigned-byte IDX files are supported`,
    );
  }
  const ndims = bytes[3]!;
  if (ndims !== 1 && ndims !== 3) {
    throw new DatasetError(
      name,
      `wrong magic number: ${ndims} dimensions (expected 1 for labels or 3 for images)`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DatasetError(name, `is truncated: ${bytes.length} bytes, shorter than its header`);
  }
  const dims = Array.from({ length: ndims }, (_, i) => u32(bytes, 4 + 4 * i));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  const described =
    ndims === 1 ? `${dims[0]} labels` : `${dims[0]} images of ${dims[1]}×${dims[2]}`;
  if (bytes.length < expected) {
    throw new DatasetError(
      name,
      `is truncated: the header announces ${described} (${expected} bytes) but the file has ${bytes.length} bytes`,
    );
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      name,
      `has ${bytes.length - expected} bytes more than the ${described} its header announces: corrupted`,
    );
  }
  const body = bytes.subarray(headerBytes);
  if (ndims === 1) return { kind: 'labels', count: dims[0]!, labels: body };
  if (dims[1] === 0 || dims[2] === 0) throw new DatasetError(name, 'has images of size 0');
  return { kind: 'images', count: dims[0]!, rows: dims[1]!, cols: dims[2]!, pixels: body };
}

/** t10k-* and *test* files are the validation part; everything else is training data. */
export function isIdxTestFile(path: string): boolean {
  return /t10k|test/i.test(baseName(path));
}

export function isIdxName(path: string): boolean {
  return /idx[13]-ubyte(\.gz)?$/i.test(baseName(path)) || /-ubyte(\.gz)?$/i.test(baseName(path));
}

/** Grayscale to RGB by replicating the channel (MNIST images become 3-channel like the rest). */
export function grayToRgb(gray: Uint8Array): Uint8Array {
  const out = new Uint8Array(gray.length * 3);
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i]!;
    out[i * 3] = v;
    out[i * 3 + 1] = v;
    out[i * 3 + 2] = v;
  }
  return out;
}
