import { DatasetError, LoadCancelled, type ProgressSink } from '../files';
import { formatBytes } from '../memory';
import type { HubSource } from './catalog';
import type { HubParquetFile } from './load';
import {
  datasetPageUrl,
  parquetListUrl,
  parseParquetListing,
  planHubFiles,
  type HubFile,
  type HubPlan,
} from './listing';

/**
 * Talking to the Hub: the list of a dataset's Parquet files, then the files, with progress and
 * cancel. `fetch` is injected (the worker's and Node's are the same API), so this stays pure.
 * Every failure becomes a message that says what to do.
 */

export interface HubClient {
  fetch: typeof fetch;
  /** https://huggingface.co, or a test server. */
  hubUrl: string;
  /** Refuse downloads larger than this in all (the memory limit). */
  byteLimit: number;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
}

function unreachable(client: HubClient, what: string): DatasetError {
  return new DatasetError(
    what,
    `could not reach the Hugging Face Hub (${client.hubUrl}): check the network connection and ` +
      'that no browser extension, proxy or firewall blocks huggingface.co, then try again',
  );
}

async function request(url: string, what: string, client: HubClient): Promise<Response> {
  try {
    return await client.fetch(url, { signal: client.signal });
  } catch (error) {
    if (client.signal?.aborted) throw new LoadCancelled();
    void error;
    throw unreachable(client, what);
  }
}

export async function fetchHubPlan(source: HubSource, client: HubClient): Promise<HubPlan> {
  const response = await request(parquetListUrl(client.hubUrl, source.id), source.id, client);
  if (response.status === 404 || response.status === 401) {
    throw new DatasetError(
      source.id,
      `no such dataset on the Hugging Face Hub, or it is private or gated: check the id (owner/name) at ${datasetPageUrl(client.hubUrl, source.id)}`,
    );
  }
  if (!response.ok) {
    throw new DatasetError(
      source.id,
      `the Hub answered ${response.status} ${response.statusText}`.trim() +
        ' when asked for its Parquet files; try again later',
    );
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    if (client.signal?.aborted) throw new LoadCancelled();
    throw new DatasetError(source.id, 'the Hub’s list of Parquet files is not valid JSON');
  }
  return planHubFiles(parseParquetListing(json, source.id), source);
}

/** "train/0.parquet": the split and the file's own name. */
export function hubFileName(file: HubFile): string {
  const last = new URL(file.url).pathname.split('/').at(-1) || 'data.parquet';
  return `${file.split}/${decodeURIComponent(last)}`;
}

/** Where a multi-file download stands: bytes of the files before this one (for the limit). */
interface Progress {
  received: number;
  fileIndex: number;
  fileCount: number;
}

async function readBody(
  response: Response,
  name: string,
  client: HubClient,
  progress: Progress,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  const parts: Uint8Array[] = [];
  let received = 0;
  let reported = 0;
  const report = () => {
    // Per file: the Hub sends each file's length, not the whole dataset's.
    client.onProgress?.({
      stage: 'download',
      done: received,
      total: declared,
      message:
        `Downloading ${name} (file ${progress.fileIndex + 1} of ${progress.fileCount}, ` +
        `${formatBytes(received)}${declared ? ` of ${formatBytes(declared)}` : ''})`,
    });
  };
  report();
  try {
    if (!response.body) throw new Error('the response has no body');
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      received += value.length;
      if (progress.received + received > client.byteLimit) {
        await reader.cancel();
        throw new DatasetError(
          name,
          `the download is larger than the ${formatBytes(client.byteLimit)} limit: this dataset is too large to train on here`,
        );
      }
      if (received - reported >= 256 * 1024) {
        reported = received;
        report();
      }
    }
  } catch (error) {
    if (client.signal?.aborted) throw new LoadCancelled();
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(
      name,
      `the download broke off after ${formatBytes(received)}: check the network connection and try again`,
    );
  }
  if (declared > 0 && received < declared) {
    throw new DatasetError(
      name,
      `the download ended early (${received} of ${declared} bytes); try again`,
    );
  }
  report();
  progress.received += received;
  return concatenate(parts, received);
}

function concatenate(parts: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

export async function downloadHubFile(
  file: HubFile,
  name: string,
  client: HubClient,
  progress: Progress,
): Promise<Uint8Array> {
  const response = await request(file.url, name, client);
  if (!response.ok) {
    throw new DatasetError(
      name,
      `the Hub answered ${response.status} ${response.statusText}`.trim() + '; try again later',
    );
  }
  return readBody(response, name, client, progress);
}

/**
 * Every file of the plan; `cached` may supply a file without downloading it (the CLI's cache
 * folder) and `store` keeps what was downloaded.
 */
export async function downloadHubFiles(
  source: HubSource,
  plan: HubPlan,
  client: HubClient,
  cache?: {
    read(name: string): Promise<Uint8Array | null>;
    write(name: string, bytes: Uint8Array): Promise<void>;
  },
): Promise<HubParquetFile[]> {
  const out: HubParquetFile[] = [];
  const progress: Progress = { received: 0, fileIndex: 0, fileCount: plan.files.length };
  for (const [index, file] of plan.files.entries()) {
    const name = `${source.id} ${hubFileName(file)}`;
    progress.fileIndex = index;
    const cached = cache ? await cache.read(hubFileName(file)) : null;
    let bytes = cached;
    if (!bytes) {
      bytes = await downloadHubFile(file, name, client, progress);
      await cache?.write(hubFileName(file), bytes);
    }
    out.push({ name, role: file.role, bytes });
  }
  return out;
}
