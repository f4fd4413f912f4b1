import { gunzipSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import {
  parquetMetadata,
  parquetReadObjects,
  type Compressors,
  type FileMetaData,
} from 'hyparquet';
import { DatasetError } from '../files';
import { errorMessage } from '../../errors';
import { HUGGINGFACE_METADATA_KEY } from './features';

/** Reading the Hub's Parquet files with hyparquet: the footer, then the two columns we need. */

export interface ParquetSummary {
  rows: number;
  /** The "huggingface" key-value metadata (JSON text), if the file has it. */
  huggingface: string | undefined;
}

export interface ParquetRows {
  /** Encoded images (PNG, JPEG, …); null where the row has none. */
  images: (Uint8Array | null)[];
  labels: number[];
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  return byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer
    ? buffer
    : (bytes.slice().buffer as ArrayBuffer);
}

/**
 * hyparquet reads Snappy itself (what the Hub's converter writes); files uploaded as Parquet keep
 * their own codec, often gzip (pandas, pyarrow) or Zstandard (polars).
 */
const COMPRESSORS: Compressors = {
  GZIP: (input, length) => gunzipSync(input, { out: new Uint8Array(length) }),
  ZSTD: (input, length) => zstdDecompress(input, new Uint8Array(length)),
};

function unreadable(file: string, error: unknown): DatasetError {
  const codec = /unsupported compression codec: (\w+)/.exec(errorMessage(error));
  if (codec) {
    return new DatasetError(
      file,
      `is compressed with ${codec[1]}, which this page cannot read (Snappy, gzip and Zstandard it can)`,
    );
  }
  return new DatasetError(
    file,
    `is not a readable Parquet file (${errorMessage(error)}): the download may be truncated or ` +
      'the file corrupt; load it again',
  );
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1" at both ends of every Parquet file

function hasMagic(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return (
    n >= 12 &&
    PARQUET_MAGIC.every((b, i) => bytes[i] === b) &&
    PARQUET_MAGIC.every((b, i) => bytes[n - 4 + i] === b)
  );
}

function footer(bytes: Uint8Array, file: string): FileMetaData {
  if (bytes.length === 0) throw new DatasetError(file, 'is empty (0 bytes)');
  if (!hasMagic(bytes)) {
    throw new DatasetError(
      file,
      'is not a Parquet file, or it is truncated (no "PAR1" marker at its start and end); load it again',
    );
  }
  try {
    return parquetMetadata(arrayBufferOf(bytes));
  } catch (error) {
    throw unreadable(file, error);
  }
}

export function readParquetSummary(bytes: Uint8Array, file: string): ParquetSummary {
  const meta = footer(bytes, file);
  const huggingface = meta.key_value_metadata?.find(
    (kv) => kv.key === HUGGINGFACE_METADATA_KEY,
  )?.value;
  return { rows: Number(meta.num_rows), huggingface };
}

/** An Image feature is stored as a struct {bytes, path}; older files hold the bytes directly. */
function imageBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (value && typeof value === 'object' && 'bytes' in value) {
    const bytes = (value as { bytes: unknown }).bytes;
    if (bytes instanceof Uint8Array) return bytes;
  }
  return null;
}

function labelOf(value: unknown, row: number, column: string, file: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new DatasetError(
      file,
      `row ${row}: the class label in ${column} is missing or not a whole number`,
    );
  }
  return n;
}

export async function readParquetRows(
  bytes: Uint8Array,
  columns: { image: string; label: string },
  file: string,
): Promise<ParquetRows> {
  const buffer = arrayBufferOf(bytes);
  let rows: Record<string, unknown>[];
  try {
    // utf8: false keeps the image bytes binary (hyparquet decodes plain byte arrays as text by default).
    rows = await parquetReadObjects({
      file: buffer,
      columns: [columns.image, columns.label],
      utf8: false,
      compressors: COMPRESSORS,
    });
  } catch (error) {
    throw unreadable(file, error);
  }
  return {
    images: rows.map((r) => imageBytes(r[columns.image])),
    labels: rows.map((r, i) => labelOf(r[columns.label], i, columns.label, file)),
  };
}
