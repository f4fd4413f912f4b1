import type { ExperimentConfig } from '../config/params';
import type { ImageDataset } from '../data/dataset';
import { baseName, DatasetError, LoadCancelled, type DataFile } from '../data/files';
import {
  DATASET_TITLES,
  loadDatasetFiles,
  type LoadedDataset,
  type RealDatasetKind,
} from '../data/load';
import { DEFAULT_MEMORY_LIMIT, formatBytes } from '../data/memory';
import { builtInDataset } from '../data/built-in';
import { readFromCache, saveToCache } from './dataset-cache';
import { loadFromHub } from './hub';
import { isSameDataset } from '../data/hub/catalog';
import { browserDecoder } from './image-decoder';
import type { DatasetEvent, DatasetLoadRequest, DatasetSummary } from './protocol';
import { errorMessage } from '../errors';

/**
 * The worker's datasets: the synthetic one (generated per seed and size) and at most one loaded
 * dataset, which is replaced only when a new one has loaded completely.
 */

interface Held {
  dataset: ImageDataset;
  summary: DatasetSummary;
}

let held: Held | null = null;
let synthetic: { key: string; dataset: ImageDataset } | null = null;

export function heldSummary(): DatasetSummary | null {
  return held?.summary ?? null;
}

function fileFromBrowser(file: File, path: string): DataFile {
  return { path, size: file.size, bytes: async () => new Uint8Array(await file.arrayBuffer()) };
}

/** decodeURIComponent, or null where the text has a malformed %-escape (it throws URIError). */
function decodePercent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    if (error instanceof URIError) return null;
    throw error;
  }
}

/**
 * The downloaded file's name: the server's Content-Disposition filename, else the address's last
 * path segment (already checked to decode). A header with a malformed escape is the server's
 * mistake, not the user's: the address's name is used instead.
 */
function fileNameOf(urlName: string, contentDisposition: string | null): string {
  const match =
    contentDisposition && /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(contentDisposition);
  const fromHeader = match ? decodePercent(match[1]!) : null;
  const name = fromHeader ?? urlName;
  return name.replace(/[/\\]/g, '_') || 'download';
}

/** Downloads one URL with progress; network and CORS failures become advice. */
async function download(
  raw: string,
  signal: AbortSignal,
  onEvent: (event: DatasetEvent) => void,
): Promise<DataFile> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DatasetError(raw, 'is not a valid URL (it should start with https://)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DatasetError(raw, 'only http:// and https:// addresses can be downloaded');
  }
  // Checked before downloading: the file's name (hence its format) comes from this segment.
  const urlName = decodePercent(baseName(url.pathname));
  if (urlName === null) {
    throw new DatasetError(
      raw,
      'the file name in this address has a malformed %-escape (each % must begin %XX hex pairs ' +
        'that form UTF-8, e.g. %20 for a space); check the link for a truncated or mistyped escape',
    );
  }
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (signal.aborted) throw new LoadCancelled();
    void error;
    throw new DatasetError(
      url.href,
      'the download failed before any data arrived. Either the network is down, or the server does ' +
        'not allow other web sites to download its files (CORS) — many dataset hosts, including the ' +
        'official CIFAR and MNIST pages, do not. Download the file with your browser instead and drop it here.',
    );
  }
  if (!response.ok) {
    throw new DatasetError(
      url.href,
      `the server answered ${response.status} ${response.statusText || ''}`.trim() +
        (response.status === 404 ? ': check the address' : ''),
    );
  }
  const name = fileNameOf(urlName, response.headers.get('content-disposition'));
  const total = Number(response.headers.get('content-length') ?? 0);
  const body = response.body;
  if (!body) {
    const data = new Uint8Array(await response.arrayBuffer());
    return { path: name, size: data.length, bytes: async () => data };
  }
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  let lastReport = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      received += value.length;
      if (received - lastReport > 256 * 1024 || received === total) {
        lastReport = received;
        onEvent({
          type: 'progress',
          progress: {
            stage: 'download',
            done: received,
            total,
            message: `Downloading ${name} (${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''})`,
          },
        });
      }
      if (received > DEFAULT_MEMORY_LIMIT) {
        throw new DatasetError(
          url.href,
          `is larger than the ${formatBytes(DEFAULT_MEMORY_LIMIT)} limit`,
        );
      }
    }
  } catch (error) {
    if (signal.aborted) throw new LoadCancelled();
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(
      url.href,
      `the download broke off after ${formatBytes(received)} (${String(error)})`,
    );
  }
  if (total > 0 && received < total) {
    throw new DatasetError(url.href, `the download ended early: ${received} of ${total} bytes`);
  }
  const data = new Uint8Array(received);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { path: name, size: data.length, bytes: async () => data };
}

function summarize(
  kind: RealDatasetKind,
  dataset: ImageDataset,
  validation: DatasetSummary['validation'],
  warnings: string[],
  source: string,
): DatasetSummary {
  return {
    kind,
    name: dataset.name,
    classNames: dataset.classNames,
    trainCount: dataset.train.count,
    valCount: dataset.val.count,
    height: dataset.height,
    width: dataset.width,
    bytes:
      dataset.train.images.byteLength +
      dataset.val.images.byteLength +
      dataset.train.labels.byteLength +
      dataset.val.labels.byteLength,
    validation,
    warnings,
    source,
  };
}

function describeSource(names: string[]): string {
  if (names.length === 1) return names[0]!;
  const roots = new Set(names.map((n) => n.split('/')[0]));
  if (roots.size === 1 && names[0]!.includes('/'))
    return `${[...roots][0]}/ (${names.length} files)`;
  return `${names.slice(0, 2).join(', ')}${names.length > 2 ? ` and ${names.length - 2} more` : ''}`;
}

export async function loadIntoWorker(
  request: DatasetLoadRequest,
  options: { requested: RealDatasetKind | null; inputSize: number },
  onEvent: (event: DatasetEvent) => void,
  signal: AbortSignal,
): Promise<DatasetSummary> {
  if (request.kind === 'cache') {
    onEvent({
      type: 'progress',
      progress: { stage: 'cache', done: 0, total: 0, message: 'Reading the browser cache' },
    });
    const cached = await readFromCache(request.dataset);
    if (!cached) {
      throw new DatasetError(
        '',
        `${DATASET_TITLES[request.dataset]} is not in this browser's cache: load its files`,
      );
    }
    held = { dataset: cached.dataset, summary: cached.summary };
    return cached.summary;
  }
  if (request.kind === 'hub') {
    const loaded = await loadFromHub(request, options.inputSize, onEvent, signal);
    return holdAndCache(loaded, `Hugging Face Hub: ${loaded.hubId}`, loaded.hubId, onEvent);
  }
  let files: DataFile[];
  let directories: string[] = [];
  if (request.kind === 'files') {
    files = request.files.map((f, i) => fileFromBrowser(f, request.paths[i] ?? f.name));
    directories = request.directories;
  } else {
    const urls = request.url.split(/\s+/).filter((u) => u !== '');
    if (urls.length === 0) throw new DatasetError('', 'enter the address of a dataset file');
    files = [];
    for (const u of urls) files.push(await download(u, signal, onEvent));
  }
  const loaded = await loadDatasetFiles(files, {
    requested: options.requested,
    inputSize: options.inputSize,
    decoder: browserDecoder,
    memoryLimit: DEFAULT_MEMORY_LIMIT,
    directories,
    signal,
    onProgress: (progress) => onEvent({ type: 'progress', progress }),
    onEstimate: (estimate) => onEvent({ type: 'estimate', estimate }),
  });
  const source =
    request.kind === 'url' ? request.url.trim() : describeSource(files.map((f) => f.path));
  return holdAndCache(loaded, source, undefined, onEvent);
}

/** Makes a loaded dataset the one in use, and saves it to the browser cache. */
async function holdAndCache(
  loaded: LoadedDataset,
  source: string,
  hubId: string | undefined,
  onEvent: (event: DatasetEvent) => void,
): Promise<DatasetSummary> {
  const summary = summarize(
    loaded.kind,
    loaded.dataset,
    loaded.validation,
    loaded.warnings,
    source,
  );
  if (hubId !== undefined) summary.hubId = hubId;
  held = { dataset: loaded.dataset, summary };
  onEvent({
    type: 'progress',
    progress: { stage: 'cache', done: 0, total: 0, message: 'Saving to the browser cache' },
  });
  try {
    await saveToCache({
      kind: loaded.kind,
      dataset: loaded.dataset,
      summary: { ...summary, source: `${source} (cached)` },
    });
  } catch (error) {
    summary.warnings = [
      ...summary.warnings,
      `Not cached in the browser (${errorMessage(error)}): it will be loaded again after a reload.`,
    ];
  }
  return summary;
}

/** The settings' dataset in words, for messages. */
function titleOf(config: ExperimentConfig): string {
  return config.dataset === 'hub'
    ? `Hugging Face dataset ${config.hub || '(no id)'}`
    : DATASET_TITLES[config.dataset as RealDatasetKind];
}

/** The dataset a run trains on; a loaded dataset comes from memory, else from the cache. */
export async function datasetForConfig(
  config: ExperimentConfig,
  status: (message: string) => void,
): Promise<ImageDataset> {
  if (config.dataset === 'synthetic') {
    const key = `${config.task}:${config.seed}:${config.train_size}:${config.val_size}`;
    if (synthetic?.key === key) return synthetic.dataset;
    status('Generating synthetic dataset…');
    const dataset = builtInDataset(config);
    synthetic = { key, dataset };
    return dataset;
  }
  if (held && isSameDataset(held.summary, config)) return held.dataset;
  status(`Reading ${titleOf(config)} from the browser cache…`);
  const cached = await readFromCache(config.dataset).catch(() => null);
  if (!cached || !isSameDataset(cached.summary, config)) {
    throw new Error(`${titleOf(config)} is not loaded: load it in the Data section first.`);
  }
  held = { dataset: cached.dataset, summary: cached.summary };
  return cached.dataset;
}
