import { Gunzip } from 'fflate';
import { checkpoint, DatasetError, isGzip, type ProgressSink } from '../files';

/** Chunk size fed to the decompressor between yields (progress and cancellation points). */
const CHUNK = 1 << 20;

function gzipProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
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
  options: { onProgress?: ProgressSink; signal?: AbortSignal } = {},
): Promise<void> {
  if (!isGzip(bytes)) throw new DatasetError(name, 'is not gzip data (wrong magic number)');
  const gunzip = new Gunzip((chunk) => onData(chunk));
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
  options: { onProgress?: ProgressSink; signal?: AbortSignal } = {},
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
