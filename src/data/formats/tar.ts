import { DatasetError } from '../files';

/**
 * A streaming reader of ustar/GNU/pax tar archives: push bytes as they arrive, receive each
 * regular file once complete. Only one entry is buffered at a time.
 */

export interface TarEntry {
  path: string;
  data: Uint8Array;
}

const BLOCK = 512;
/**
 * Larger entries are refused: no dataset file this app reads comes near, and a hostile header
 * can claim terabytes. Bodies grow as their bytes arrive, so a claim alone allocates nothing.
 */
export const MAX_TAR_ENTRY_BYTES = 2 ** 30;

function readString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return new TextDecoder().decode(block.subarray(start, end));
}

function readSize(block: Uint8Array): number {
  // GNU base-256 for files of 8 GiB and more: high bit of the first byte set.
  if (block[124]! & 0x80) {
    let size = 0;
    for (let i = 125; i < 136; i++) size = size * 256 + block[i]!;
    return size;
  }
  const text = readString(block, 124, 12).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumMatches(block: Uint8Array): boolean {
  const stored = parseInt(readString(block, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return stored === sum;
}

function paxPath(data: Uint8Array): string | null {
  const text = new TextDecoder().decode(data);
  const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
  return match ? match[1]! : null;
}

interface Header {
  path: string;
  size: number;
  type: string;
}

export class TarReader {
  private headerBytes = new Uint8Array(BLOCK);
  private headerFilled = 0;
  private header: Header | null = null;
  private parts: Uint8Array[] = [];
  private bodyFilled = 0;
  private padding = 0;
  private longName: string | null = null;
  private ended = false;
  private entries = 0;

  constructor(
    private readonly archiveName: string,
    private readonly onEntry: (entry: TarEntry) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let data = chunk;
    while (data.length > 0 && !this.ended) {
      if (this.header) {
        const take = Math.min(data.length, this.header.size - this.bodyFilled);
        this.parts.push(data.slice(0, take));
        this.bodyFilled += take;
        data = data.subarray(take);
        if (this.bodyFilled === this.header.size) this.finishEntry();
      } else if (this.padding > 0) {
        const take = Math.min(data.length, this.padding);
        this.padding -= take;
        data = data.subarray(take);
      } else {
        const take = Math.min(data.length, BLOCK - this.headerFilled);
        this.headerBytes.set(data.subarray(0, take), this.headerFilled);
        this.headerFilled += take;
        data = data.subarray(take);
        if (this.headerFilled === BLOCK) {
          this.headerFilled = 0;
          this.readHeader(this.headerBytes);
        }
      }
    }
  }

  /** Call at the end of the input: throws when the archive stopped in the middle of an entry. */
  finish(): void {
    if (this.header) {
      throw new DatasetError(
        this.archiveName,
        `the archive is truncated (it ends inside "${this.header.path}", ${this.bodyFilled} of ${this.header.size} bytes)`,
      );
    }
    if (this.headerFilled > 0) {
      throw new DatasetError(
        this.archiveName,
        'the archive is truncated (it ends inside a header)',
      );
    }
    if (this.entries === 0) throw new DatasetError(this.archiveName, 'the archive is empty');
  }

  private readHeader(block: Uint8Array): void {
    if (block.every((b) => b === 0)) {
      if (this.entries > 0) this.ended = true;
      return;
    }
    if (!checksumMatches(block)) {
      throw new DatasetError(
        this.archiveName,
        this.entries === 0
          ? 'is not a tar archive (bad header checksum)'
          : 'the archive is corrupted (bad tar header checksum)',
      );
    }
    const name = readString(block, 0, 100);
    const ustar = readString(block, 257, 6).startsWith('ustar');
    const prefix = ustar ? readString(block, 345, 155) : '';
    const type = block[156] === 0 ? '0' : String.fromCharCode(block[156]!);
    const size = readSize(block);
    const path = this.longName ?? (prefix ? `${prefix}/${name}` : name);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new DatasetError(this.archiveName, `the archive is corrupted (bad size of "${path}")`);
    }
    if (size > MAX_TAR_ENTRY_BYTES) {
      throw new DatasetError(
        this.archiveName,
        `"${path}" claims ${size} bytes; entries above ${MAX_TAR_ENTRY_BYTES / 2 ** 30} GiB are refused`,
      );
    }
    this.longName = null;
    this.entries++;
    this.header = { path, size, type };
    this.parts = [];
    this.bodyFilled = 0;
    if (size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    const header = this.header!;
    const body = this.parts.length === 1 ? this.parts[0]! : new Uint8Array(header.size);
    if (this.parts.length !== 1) {
      let at = 0;
      for (const part of this.parts) {
        body.set(part, at);
        at += part.length;
      }
    }
    this.header = null;
    this.parts = [];
    const remainder = header.size % BLOCK;
    this.padding = remainder === 0 ? 0 : BLOCK - remainder;
    if (header.type === 'L') {
      this.longName = readString(body, 0, body.length);
    } else if (header.type === 'x') {
      this.longName = paxPath(body);
    } else if (header.type === '0' || header.type === '7') {
      this.onEntry({ path: header.path.replace(/^\.\//, ''), data: body });
    }
  }
}
