import { Gunzip } from 'fflate';
import { checkpoint, DatasetError, isGzip, type ProgressSink } from '../files';
import { errorMessage } from '../../errors';

/** Chunk size fed to the decompressor between yields (progress and cancellation points). */
const CHUNK = 1 << 20;
/**
 * Decompressed output above this is refused (a gzip "bomb" of a few MB can expand to many GB).
 * The largest dataset this app reads, CIFAR-100, is 178 MB uncompressed.
 */
export const MAX_DECOMPRESSED_BYTES = 2 ** 30;

export interface GunzipOptions {
  onProgress?: ProgressSink;
  signal?: AbortSignal;
  /** Refuse output above this many bytes (default MAX_DECOMPRESSED_BYTES). */
  maxBytes?: number;
}

function gzipProblem(error: unknown): string {
  const message = errorMessage(error);
  if (/unexpected EOF/i.test(message)) return 'the gzip data is truncated (the file ends early)';
  return `the gzip data is corrupted (${message})`;
}

/**
 * Decompresses gzip data in chunks, handing each decompressed piece to `onData`, with progress in
 * compressed bytes. Throws a DatasetError naming `name` for truncated or corrupted data.
 */
export async function gunzipStream(
  bytes: Uint8Array,
  name: string,
  onData: (chunk: Uint8Array) => void,
  options: GunzipOptions = {},
): Promise<void> {
  if (!isGzip(bytes)) throw new DatasetError(name, 'is not gzip data (wrong magic number)');
  const maxBytes = options.maxBytes ?? MAX_DECOMPRESSED_BYTES;
  let produced = 0;
  const gunzip = new Gunzip((chunk) => {
    produced += chunk.length;
    if (produced > maxBytes) {
      throw new DatasetError(
        name,
        `decompresses to more than ${(maxBytes / 2 ** 20).toFixed(0)} MB; refused (no dataset this app reads is that large)`,
      );
    }
    onData(chunk);
  });
  let ended = false;
  const originalOnData = gunzip.ondata;
  gunzip.ondata = (chunk, final) => {
    originalOnData(chunk, final);
    if (final) ended = true;
  };
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    const end = Math.min(bytes.length, offset + CHUNK);
    try {
      gunzip.push(bytes.subarray(offset, end), end === bytes.length);
    } catch (error) {
      if (error instanceof DatasetError) throw error;
      throw new DatasetError(name, gzipProblem(error));
    }
    options.onProgress?.({
      stage: 'decompress',
      done: end,
      total: bytes.length,
      message: `Decompressing ${name}`,
    });
    if (end < bytes.length) await checkpoint(options.signal);
  }
  if (!ended) throw new DatasetError(name, 'the gzip data is truncated (the file ends early)');
}

/** Whole-buffer convenience: decompressed bytes in one array. */
export async function gunzipAll(
  bytes: Uint8Array,
  name: string,
  options: GunzipOptions = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  await gunzipStream(
    bytes,
    name,
    (chunk) => {
      parts.push(chunk);
      total += chunk.length;
    },
    options,
  );
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
