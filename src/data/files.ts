/** Input files of a dataset, independent of where they come from (File, fetch, fs, archive). */

export interface DataFile {
  /** Relative path with '/' separators, e.g. "imagenette2-160/train/n01440364/a.JPEG". */
  path: string;
  size: number;
  bytes(): Promise<Uint8Array>;
}

/** A problem with the user's data: the message names the file and says what is wrong. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(file ? `${file}: ${problem}` : problem);
    this.name = 'DatasetError';
  }
}

/** The loading was cancelled by the user. */
export class LoadCancelled extends Error {
  constructor() {
    super('Loading was cancelled.');
    this.name = 'LoadCancelled';
  }
}

export function memoryFile(path: string, data: Uint8Array): DataFile {
  return { path, size: data.length, bytes: async () => data };
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function extensionOf(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Deflate never compresses better than about 1032:1; a larger trailer value is not a size. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * The uncompressed size recorded in a gzip trailer (modulo 2³²); for a truncated file, whose
 * trailer is missing, an implausible value is replaced by a guess of 4× the compressed size.
 */
export function gzipDeclaredSize(bytes: Uint8Array): number {
  const n = bytes.length;
  const guess = n * 4;
  if (n < 18) return guess;
  const declared =
    (bytes[n - 4]! | (bytes[n - 3]! << 8) | (bytes[n - 2]! << 16) | (bytes[n - 1]! << 24)) >>> 0;
  return declared > n * MAX_DEFLATE_RATIO ? guess : declared;
}

/** Hidden files and OS clutter that are never data (".DS_Store", "Thumbs.db", "__MACOSX/…"). */
export function isClutter(path: string): boolean {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  return (
    parts.some((p) => p === '__MACOSX') ||
    name.startsWith('.') ||
    name.toLowerCase() === 'thumbs.db' ||
    name.toLowerCase() === 'desktop.ini'
  );
}

export interface LoadProgress {
  stage: 'read' | 'download' | 'decompress' | 'decode' | 'cache';
  /** Work done and total in the stage's unit (bytes or images); total 0 when unknown. */
  done: number;
  total: number;
  message: string;
}

export type ProgressSink = (progress: LoadProgress) => void;

/** Lets long loops yield (so a worker can receive "cancel") and stop when cancelled. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (signal?.aborted) throw new LoadCancelled();
}
