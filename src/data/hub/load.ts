import type { ImageSplit } from '../dataset';
import { checkpoint, DatasetError, type ProgressSink } from '../files';
import { assembleDataset, type ImageDecoder, type LoadedDataset } from '../load';
import { estimateImages, memoryProblem, type MemoryEstimate } from '../memory';
import { storedSideFor } from '../resize';
import { errorMessage } from '../../errors';
import type { HubKind, HubSource } from './catalog';
import { hubColumns, type HubColumns } from './features';
import type { SplitRole } from './listing';
import { readParquetRows, readParquetSummary } from './parquet';

/**
 * Downloaded Parquet files of a Hub dataset → an ImageDataset: the columns and class names from
 * the files' metadata, the images decoded by the injected decoder (the browser's in the page,
 * PNG/JPEG in JavaScript in the CLI). Pure apart from the decoder.
 */

export interface HubParquetFile {
  /** Shown in messages, e.g. "uoft-cs/cifar10 train/0.parquet". */
  name: string;
  role: SplitRole;
  bytes: Uint8Array;
}

export interface HubLoadOptions {
  /** A catalog dataset, or null for any other Hub id. */
  kind: HubKind | null;
  title: string;
  source: HubSource;
  inputSize: number;
  decoder: ImageDecoder;
  memoryLimit: number;
  onProgress?: ProgressSink;
  onEstimate?: (estimate: MemoryEstimate) => void;
  signal?: AbortSignal;
}

/** CIFAR and MNIST keep their native size; other datasets are stored at input × 256/224. */
function storedSide(kind: HubKind | null, inputSize: number): number {
  if (kind === 'cifar10' || kind === 'cifar100') return 32;
  if (kind === 'mnist' || kind === 'fashion-mnist') return 28;
  return storedSideFor(inputSize);
}

const LISTED_FAILURES = 5;

interface DecodeState {
  done: number;
  total: number;
  failures: string[];
}

async function decodeFile(
  file: HubParquetFile,
  columns: HubColumns,
  side: number,
  options: HubLoadOptions,
  state: DecodeState,
): Promise<ImageSplit> {
  const rows = await readParquetRows(file.bytes, columns, file.name);
  const classes = columns.classNames.length;
  const bytes = side * side * 3;
  const images = new Uint8Array(rows.images.length * bytes);
  const labels = new Int32Array(rows.images.length);
  let count = 0;
  for (const [row, encoded] of rows.images.entries()) {
    const label = rows.labels[row]!;
    if (label < 0 || label >= classes) {
      throw new DatasetError(
        file.name,
        `row ${row} has class label ${label}, outside 0–${classes - 1} of column ${columns.label}: corrupted`,
      );
    }
    try {
      if (!encoded) throw new Error('the row has no image');
      images.set(
        await options.decoder.decode(encoded, `${file.name} row ${row}`, side),
        count * bytes,
      );
      labels[count++] = label;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      state.failures.push(`${file.name} row ${row}: ${errorMessage(error)}`);
    }
    state.done++;
    if (state.done % 64 === 0 || state.done === state.total) {
      options.onProgress?.({
        stage: 'decode',
        done: state.done,
        total: state.total,
        message: `Decoding images (${state.done.toLocaleString('en-US')} of ${state.total.toLocaleString('en-US')})`,
      });
      await checkpoint(options.signal);
    }
  }
  return { images: images.subarray(0, count * bytes), labels: labels.subarray(0, count), count };
}

function failureWarnings(failures: string[], total: number): string[] {
  if (failures.length === 0) return [];
  const listed = failures.slice(0, LISTED_FAILURES).map((f) => `${f}; skipped`);
  const more = failures.length - listed.length;
  return [
    `${failures.length} of ${total} images could not be decoded and were skipped.`,
    ...listed,
    ...(more > 0 ? [`… and ${more} more`] : []),
  ];
}

export async function loadHubParquet(
  files: readonly HubParquetFile[],
  options: HubLoadOptions,
): Promise<Omit<LoadedDataset, 'kind'>> {
  if (files.length === 0) throw new DatasetError(options.source.id, 'no Parquet files to read');
  const summaries = files.map((f) => readParquetSummary(f.bytes, f.name));
  const columns = hubColumns(summaries[0]!.huggingface, options.source, files[0]!.name);
  const total = summaries.reduce((n, s) => n + s.rows, 0);
  const side = storedSide(options.kind, options.inputSize);
  const sourceBytes = files.reduce((n, f) => n + f.bytes.length, 0);
  // The Parquet files stay in memory while decoding, and each file's rows while it is decoded.
  const largest = files.reduce((m, f) => Math.max(m, f.bytes.length), 0);
  const estimate = estimateImages(total, side, side, sourceBytes + largest);
  options.onEstimate?.(estimate);
  const problem = memoryProblem(estimate, options.memoryLimit);
  if (problem) throw new DatasetError(options.source.id, problem);

  const state: DecodeState = { done: 0, total, failures: [] };
  const train: ImageSplit[] = [];
  const val: ImageSplit[] = [];
  for (const file of files) {
    const split = await decodeFile(file, columns, side, options, state);
    (file.role === 'train' ? train : val).push(split);
  }
  const decoded = [...train, ...val].reduce((n, s) => n + s.count, 0);
  if (decoded === 0) {
    throw new DatasetError(
      options.source.id,
      `none of its ${total} images could be decoded (${state.failures[0] ?? 'no images'})`,
    );
  }
  const warnings = failureWarnings(state.failures, total);
  return assembleDataset(options.title, columns.classNames, side, train, val, estimate, warnings);
}
