/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON ({ name: { dtype, shape, data_offsets: [begin, end] } } and an
 * optional "__metadata__" map of strings), then the tensor bytes, little-endian.
 *
 * Our own small reader and writer: no npm safetensors package is kept up for both the browser and
 * Node, and a file chosen by the user must be refused on size before it is parsed, which a reader
 * that takes the caps (SafetensorsLimits) lets us do. Only the two dtypes a ResNet state dict
 * holds are supported: F32 (weights, BN statistics) and I64 (num_batches_tracked).
 */

export type SafetensorsDtype = 'F32' | 'I64';

export interface SafetensorsTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** F32: Float32Array; I64: BigInt64Array. */
  data: Float32Array | BigInt64Array;
}

export interface SafetensorsFile {
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
}

export interface SafetensorsLimits {
  /** Whole file, bytes. */
  maxFileBytes: number;
  /** The JSON header, bytes. */
  maxHeaderBytes: number;
  maxTensors: number;
}

/**
 * A ResNet-152 at width 4 holds about 16 × 60 M float32 parameters, ~3.8 GB: more than a browser
 * tab can hold twice (file + tensors). 2 GiB covers every model the app can train at a width a
 * browser can handle; the header cap is the safetensors library's own (100 MB) scaled down to what
 * a thousand-tensor state dict needs.
 */
export const DEFAULT_SAFETENSORS_LIMITS: SafetensorsLimits = {
  maxFileBytes: 2 * 1024 ** 3,
  maxHeaderBytes: 16 * 1024 ** 2,
  maxTensors: 10_000,
};

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, I64: 8 };
const METADATA_KEY = '__metadata__';
const HEADER_ALIGNMENT = 8;

export class SafetensorsError extends Error {}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Writes the tensors in the order given; the header is padded with spaces to 8 bytes. */
export function encodeSafetensors(
  tensors: readonly SafetensorsTensor[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === METADATA_KEY || Object.hasOwn(header, t.name)) {
      throw new SafetensorsError(`tensor name ${t.name} is reserved or used twice`);
    }
    const bytes = elementCount(t.shape) * BYTES_PER_ELEMENT[t.dtype];
    if (t.data.byteLength !== bytes) {
      throw new SafetensorsError(
        `${t.name}: ${t.data.byteLength} bytes of data for shape [${t.shape}] ${t.dtype}`,
      );
    }
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padding =
    (HEADER_ALIGNMENT - ((8 + headerBytes.length) % HEADER_ALIGNMENT)) % HEADER_ALIGNMENT;
  json += ' '.repeat(padding);
  headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const t of tensors) {
    // Typed arrays are little-endian on every platform a browser or Node runs on.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), position);
    position += t.data.byteLength;
  }
  return out;
}

function fail(message: string): never {
  throw new SafetensorsError(`Not a valid safetensors file: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseHeader(bytes: Uint8Array, limits: SafetensorsLimits): Record<string, unknown> {
  if (bytes.length > limits.maxFileBytes) {
    fail(`${bytes.length} bytes, more than the ${limits.maxFileBytes} allowed`);
  }
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(limits.maxHeaderBytes)) {
    fail(`its header says ${declared} bytes, more than the ${limits.maxHeaderBytes} allowed`);
  }
  const length = Number(declared);
  if (8 + length > bytes.length) {
    fail(`its header says ${length} bytes, but only ${bytes.length - 8} follow`);
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length)),
    );
  } catch (err) {
    fail(`the header is not UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isObject(header)) fail('the header is not a JSON object');
  return header;
}

interface ParsedEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    fail(`${METADATA_KEY} is not a map of strings`);
  }
  return value as Record<string, string>;
}

/**
 * Parses and checks a whole file: sizes against `limits`, every entry's dtype, shape and offsets,
 * offsets inside the data and covering it without gaps or overlaps (as the format requires).
 * The tensors are copies, in the order of their offsets.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  limits: SafetensorsLimits = DEFAULT_SAFETENSORS_LIMITS,
): SafetensorsFile {
  const header = parseHeader(bytes, limits);
  const dataStart = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const dataBytes = bytes.length - dataStart;
  const metadata = parseMetadata(header[METADATA_KEY]);
  const entries = Object.entries(header).filter(([name]) => name !== METADATA_KEY);
  if (entries.length > limits.maxTensors) {
    fail(`${entries.length} tensors, more than the ${limits.maxTensors} allowed`);
  }
  const parsed = entries.map(([name, entry]): ParsedEntry => {
    if (!isObject(entry)) fail(`the entry of ${name} is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (dtype !== 'F32' && dtype !== 'I64') {
      fail(`${name} has dtype ${JSON.stringify(dtype)}; only F32 and I64 are read`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`${name} has no valid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      fail(`${name} has no valid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = elementCount(shape as number[]) * BYTES_PER_ELEMENT[dtype];
    if (end - begin !== expected) {
      fail(
        `${name}: [${shape}] ${dtype} needs ${expected} bytes, data_offsets give ${end - begin}`,
      );
    }
    if (end > dataBytes) fail(`${name} ends at byte ${end}, after the ${dataBytes} bytes of data`);
    return { name, dtype, shape: shape as number[], begin, end };
  });
  parsed.sort((a, b) => a.begin - b.begin);
  let covered = 0;
  for (const p of parsed) {
    if (p.begin !== covered) fail(`${p.name} starts at byte ${p.begin}, expected ${covered}`);
    covered = p.end;
  }
  if (covered !== dataBytes) fail(`${dataBytes - covered} bytes after the last tensor`);
  const tensors = parsed.map(({ name, dtype, shape, begin, end }): SafetensorsTensor => {
    // A copy into an aligned buffer of its own: the data may start at any byte. (Not
    // bytes.slice: on a Node Buffer that is a view of the whole file.)
    const copy = new ArrayBuffer(end - begin);
    new Uint8Array(copy).set(bytes.subarray(dataStart + begin, dataStart + end));
    const data = dtype === 'F32' ? new Float32Array(copy) : new BigInt64Array(copy);
    return { name, dtype, shape, data };
  });
  return { tensors, metadata };
}
