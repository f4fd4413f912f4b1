import { DATASETS, type DatasetName } from '../config/params';
import type { ImageDataset, ImageSplit } from './dataset';
import {
  baseName,
  checkpoint,
  DatasetError,
  extensionOf,
  gzipDeclaredSize,
  isClutter,
  isGzip,
  memoryFile,
  type DataFile,
  type ProgressSink,
} from './files';
import {
  CIFAR_INFO,
  CIFAR_SIZE,
  cifarRecordBytes,
  isCifarTestBatch,
  parseCifarBatch,
  parseCifarClassNames,
  type CifarVariant,
} from './formats/cifar';
import { isImageName, planImageFolder, type PlannedImage } from './formats/folder';
import { gunzipAll, gunzipStream } from './formats/gzip';
import {
  FASHION_MNIST_CLASSES,
  grayToRgb,
  isIdxTestFile,
  MNIST_CLASSES,
  parseIdx,
} from './formats/idx';
import { TarReader } from './formats/tar';
import { estimateImages, memoryProblem, type MemoryEstimate } from './memory';
import { storedSideFor } from './resize';
import { concatSplits, seededSplit } from './split';
import { errorMessage } from '../errors';

/**
 * Turns user files (CIFAR archives or batches, MNIST IDX files, image folders, or tar archives of
 * any of these) into an ImageDataset of 8-bit pixels. Pure apart from the injected image decoder,
 * so the worker and the CLI share it. Every bad input ends in a DatasetError naming the file.
 */

/** Every dataset but the built-in synthetic one: they are loaded from files or the Hub. */
export const REAL_DATASETS = DATASETS.filter(
  (d): d is Exclude<DatasetName, 'synthetic'> => d !== 'synthetic',
);
export type RealDatasetKind = (typeof REAL_DATASETS)[number];

export const DATASET_TITLES: Record<RealDatasetKind, string> = {
  cifar10: 'CIFAR-10',
  cifar100: 'CIFAR-100',
  mnist: 'MNIST',
  'fashion-mnist': 'Fashion-MNIST',
  imagenette: 'Imagenette',
  folder: 'Image folder',
  hub: 'Hugging Face dataset',
};

export interface ImageDecoder {
  /** Lower-case file extensions it decodes. */
  extensions: ReadonlySet<string>;
  /** Why other image types are refused, e.g. "the CLI decodes PNG only". */
  limitation: string;
  /** Decodes and resizes to side × side RGB (shorter side to `side`, centre crop). */
  decode(bytes: Uint8Array, name: string, side: number): Promise<Uint8Array>;
}

export interface LoadOptions {
  /** The dataset the user chose; decides between look-alikes (MNIST vs Fashion-MNIST). */
  requested: RealDatasetKind | null;
  /** Network input size: image folders are stored at input × 256/224. */
  inputSize: number;
  decoder: ImageDecoder;
  memoryLimit: number;
  /** Folder paths seen while listing, so that empty class folders are reported. */
  directories?: readonly string[];
  onProgress?: ProgressSink;
  /** Called once the memory need is known, before the pixels are decoded. */
  onEstimate?: (estimate: MemoryEstimate) => void;
  signal?: AbortSignal;
}

export interface LoadedDataset {
  kind: RealDatasetKind;
  dataset: ImageDataset;
  estimate: MemoryEstimate;
  /** Skipped files and other remarks, one line each. */
  warnings: string[];
  /** "held-out" when the validation images were split off the training files. */
  validation: 'files' | 'held-out';
}

const ARCHIVE = /\.(tar|tar\.gz|tgz)$/i;

export function isArchiveName(path: string): boolean {
  return ARCHIVE.test(baseName(path));
}

/** Expands .tar/.tar.gz/.tgz files into their entries; other files pass through. */
async function expandArchives(
  files: readonly DataFile[],
  options: LoadOptions,
): Promise<{ files: DataFile[]; sourceBytes: number }> {
  const out: DataFile[] = [];
  let sourceBytes = 0;
  for (const file of files) {
    if (!isArchiveName(file.path)) {
      out.push(file);
      continue;
    }
    const bytes = await file.bytes();
    if (bytes.length === 0) throw new DatasetError(file.path, 'is empty (0 bytes)');
    const gz = isGzip(bytes);
    const unpacked = gz ? gzipDeclaredSize(bytes) : bytes.length;
    // Entries are held while parsing: the archive plus its content, before any pixel is decoded.
    const early = estimateImages(0, 0, 0, bytes.length + unpacked);
    const problem = memoryProblem(early, options.memoryLimit);
    if (problem) throw new DatasetError(file.path, problem);
    sourceBytes += unpacked;
    const reader = new TarReader(file.path, (entry) => {
      if (!isClutter(entry.path)) out.push(memoryFile(entry.path, entry.data));
    });
    if (gz) {
      await gunzipStream(bytes, file.path, (chunk) => reader.push(chunk), options);
    } else {
      if (/\.(tar\.gz|tgz)$/i.test(file.path)) {
        throw new DatasetError(file.path, 'is not gzip data (wrong magic number)');
      }
      reader.push(bytes);
    }
    reader.finish();
  }
  return { files: out, sourceBytes };
}

function looksLikeIdx(path: string): boolean {
  return /-ubyte(\.gz)?$/i.test(baseName(path)) || /\.idx[13]?(\.gz)?$/i.test(baseName(path));
}

export function detectKind(
  files: readonly DataFile[],
  requested: RealDatasetKind | null,
): RealDatasetKind {
  const names = files.map((f) => f.path);
  if (names.some((n) => /\.bin$/i.test(n))) {
    if (requested === 'cifar10' || requested === 'cifar100') return requested;
    const bins = files.filter((f) => /\.bin$/i.test(f.path));
    if (bins.some((f) => /^(train|test)\.bin$/i.test(baseName(f.path)))) return 'cifar100';
    if (bins.some((f) => /(data|test)_batch/i.test(baseName(f.path)))) return 'cifar10';
    const fits = (v: CifarVariant) => bins.every((f) => f.size % cifarRecordBytes(v) === 0);
    return !fits('cifar10') && fits('cifar100') ? 'cifar100' : 'cifar10';
  }
  if (names.some(looksLikeIdx)) return requested === 'fashion-mnist' ? 'fashion-mnist' : 'mnist';
  if (names.some(isImageName)) return requested === 'imagenette' ? 'imagenette' : 'folder';
  const shown = names.slice(0, 3).join(', ');
  throw new DatasetError(
    '',
    `no dataset found in ${names.length} file${names.length === 1 ? '' : 's'} (${shown}${names.length > 3 ? ', …' : ''}): expected CIFAR .bin batches or their .tar.gz, MNIST IDX files (gzipped or not), or a folder with one sub-folder of images per class`,
  );
}

async function loadCifar(
  files: DataFile[],
  variant: CifarVariant,
  sourceBytes: number,
  options: LoadOptions,
): Promise<Omit<LoadedDataset, 'kind'>> {
  const info = CIFAR_INFO[variant];
  const bins = files
    .filter((f) => /\.bin$/i.test(f.path))
    .sort((a, b) => a.path.localeCompare(b.path));
  const record = cifarRecordBytes(variant);
  const images = bins.reduce((n, f) => n + Math.floor(f.size / record), 0);
  const estimate = estimateImages(
    images,
    CIFAR_SIZE,
    CIFAR_SIZE,
    sourceBytes + bins.reduce((n, f) => n + f.size, 0),
  );
  options.onEstimate?.(estimate);
  const problem = memoryProblem(estimate, options.memoryLimit);
  if (problem) throw new DatasetError(bins[0]?.path ?? '', problem);

  const train: ImageSplit[] = [];
  const val: ImageSplit[] = [];
  let done = 0;
  for (const file of bins) {
    const split = parseCifarBatch(await file.bytes(), file.path, variant);
    (isCifarTestBatch(file.path) ? val : train).push(split);
    done += split.count;
    options.onProgress?.({
      stage: 'decode',
      done,
      total: images,
      message: `Reading ${baseName(file.path)}`,
    });
    await checkpoint(options.signal);
  }
  const meta = files.find((f) => baseName(f.path) === info.metaFile);
  const classNames =
    (meta && parseCifarClassNames(new TextDecoder().decode(await meta.bytes()), variant)) ??
    info.classes;
  return assembleDataset(info.title, classNames, CIFAR_SIZE, train, val, estimate, []);
}

/** Concatenates the splits; without validation files, holds validation images out of training. */
export function assembleDataset(
  name: string,
  classNames: string[],
  side: number,
  train: ImageSplit[],
  val: ImageSplit[],
  estimate: MemoryEstimate,
  warnings: string[],
): Omit<LoadedDataset, 'kind'> {
  const bytes = side * side * 3;
  if (train.length === 0 && val.length > 0) {
    warnings.push('Only validation files were given: they are split into training and validation.');
    train = val;
    val = [];
  }
  let trainSplit = concatSplits(train, bytes);
  let valSplit: ImageSplit;
  let validation: LoadedDataset['validation'] = 'files';
  if (val.length > 0) {
    valSplit = concatSplits(val, bytes);
  } else {
    const held = seededSplit(trainSplit, bytes);
    trainSplit = held.train;
    valSplit = held.val;
    validation = 'held-out';
  }
  if (trainSplit.count < 1 || valSplit.count < 1) {
    throw new DatasetError(
      '',
      `too few images (${trainSplit.count + valSplit.count}) to train and validate`,
    );
  }
  return {
    dataset: { name, classNames, height: side, width: side, train: trainSplit, val: valSplit },
    estimate,
    warnings,
    validation,
  };
}

async function loadIdx(
  files: DataFile[],
  kind: 'mnist' | 'fashion-mnist',
  sourceBytes: number,
  options: LoadOptions,
): Promise<Omit<LoadedDataset, 'kind'>> {
  const idxFiles = files.filter((f) => looksLikeIdx(f.path));
  const warnings = files
    .filter((f) => !looksLikeIdx(f.path))
    .map((f) => `${f.path}: not an IDX file, ignored`);
  // Before decompressing: an upper bound from the sizes (gzip records the unpacked size).
  const sizes = await Promise.all(
    idxFiles.map(async (f) => {
      const bytes = await f.bytes();
      return {
        packed: bytes.length,
        unpacked: isGzip(bytes) ? gzipDeclaredSize(bytes) : bytes.length,
      };
    }),
  );
  const unpacked = sizes.reduce((n, s) => n + s.unpacked, 0);
  const bound = estimateImages(
    0,
    0,
    0,
    sourceBytes + sizes.reduce((n, s) => n + s.packed, 0) + 4 * unpacked,
  );
  const early = memoryProblem(bound, options.memoryLimit);
  if (early) throw new DatasetError(idxFiles[0]?.path ?? '', early);
  const parsed = [];
  let raw = sourceBytes;
  for (const file of idxFiles) {
    let bytes = await file.bytes();
    if (bytes.length === 0) throw new DatasetError(file.path, 'is empty (0 bytes)');
    raw += bytes.length;
    if (isGzip(bytes)) {
      bytes = await gunzipAll(bytes, file.path, options);
      raw += bytes.length;
    }
    parsed.push({ file, data: parseIdx(bytes, file.path) });
  }
  const imagesOf = parsed.filter((p) => p.data.kind === 'images');
  const labelsOf = parsed.filter((p) => p.data.kind === 'labels');
  if (imagesOf.length === 0) {
    throw new DatasetError(labelsOf[0]?.file.path ?? '', 'no IDX image file given (only labels)');
  }
  const first = imagesOf[0]!.data;
  if (first.kind !== 'images') throw new Error('unreachable');
  const { rows, cols } = first;
  if (rows !== cols) {
    throw new DatasetError(
      imagesOf[0]!.file.path,
      `images are ${rows}×${cols}; square images are expected`,
    );
  }
  const total = imagesOf.reduce((n, p) => n + p.data.count, 0);
  const estimate = estimateImages(total, rows, cols, raw);
  options.onEstimate?.(estimate);
  const problem = memoryProblem(estimate, options.memoryLimit);
  if (problem) throw new DatasetError(imagesOf[0]!.file.path, problem);

  const train: ImageSplit[] = [];
  const val: ImageSplit[] = [];
  const classes = kind === 'mnist' ? MNIST_CLASSES : FASHION_MNIST_CLASSES;
  let done = 0;
  for (const images of imagesOf) {
    const data = images.data;
    if (data.kind !== 'images') continue;
    if (data.rows !== rows || data.cols !== cols) {
      throw new DatasetError(
        images.file.path,
        `images are ${data.rows}×${data.cols} but ${imagesOf[0]!.file.path} has ${rows}×${cols}: mixed sizes`,
      );
    }
    const test = isIdxTestFile(images.file.path);
    const partner = labelsOf.filter((l) => isIdxTestFile(l.file.path) === test);
    if (partner.length !== 1) {
      throw new DatasetError(
        images.file.path,
        partner.length === 0
          ? `no matching ${test ? 'test (t10k-…)' : 'training (train-…)'} labels file`
          : `several ${test ? 'test' : 'training'} labels files (${partner.map((p) => baseName(p.file.path)).join(', ')})`,
      );
    }
    const labels = partner[0]!;
    if (labels.data.kind !== 'labels') continue;
    if (labels.data.count !== data.count) {
      throw new DatasetError(
        labels.file.path,
        `has ${labels.data.count} labels but ${baseName(images.file.path)} has ${data.count} images`,
      );
    }
    const bad = labels.data.labels.findIndex((l) => l >= classes.length);
    if (bad >= 0) {
      throw new DatasetError(
        labels.file.path,
        `label ${bad} is ${labels.data.labels[bad]}, outside 0–${classes.length - 1}: corrupted`,
      );
    }
    (test ? val : train).push({
      images: grayToRgb(data.pixels),
      labels: Int32Array.from(labels.data.labels),
      count: data.count,
    });
    done += data.count;
    options.onProgress?.({
      stage: 'decode',
      done,
      total,
      message: `Reading ${baseName(images.file.path)}`,
    });
    await checkpoint(options.signal);
  }
  const title = kind === 'mnist' ? 'MNIST' : 'Fashion-MNIST';
  return assembleDataset(title, classes, rows, train, val, estimate, warnings);
}

async function decodeAll(
  planned: PlannedImage[],
  side: number,
  options: LoadOptions,
  progress: { done: number; total: number },
  warnings: string[],
): Promise<ImageSplit> {
  const bytes = side * side * 3;
  const images = new Uint8Array(planned.length * bytes);
  const labels = new Int32Array(planned.length);
  let count = 0;
  for (const item of planned) {
    try {
      const pixels = await options.decoder.decode(await item.file.bytes(), item.file.path, side);
      images.set(pixels, count * bytes);
      labels[count++] = item.label;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const message = errorMessage(error);
      warnings.push(
        message.startsWith(item.file.path)
          ? `${message}; skipped`
          : `${item.file.path}: could not be decoded (${message}); skipped`,
      );
    }
    progress.done++;
    if (progress.done % 16 === 0 || progress.done === progress.total) {
      options.onProgress?.({
        stage: 'decode',
        done: progress.done,
        total: progress.total,
        message: `Decoding images`,
      });
      await checkpoint(options.signal);
    }
  }
  return { images: images.subarray(0, count * bytes), labels: labels.subarray(0, count), count };
}

async function loadFolder(
  files: DataFile[],
  sourceBytes: number,
  options: LoadOptions,
): Promise<Omit<LoadedDataset, 'kind'>> {
  const plan = planImageFolder(files, options.directories ?? []);
  const all = [...plan.train, ...(plan.val ?? [])];
  const refused = all.filter((p) => !options.decoder.extensions.has(extensionOf(p.file.path)));
  if (refused.length > 0) {
    throw new DatasetError(
      refused[0]!.file.path,
      `cannot be decoded here (${options.decoder.limitation})${refused.length > 1 ? `; ${refused.length - 1} more files like it` : ''}`,
    );
  }
  const side = storedSideFor(options.inputSize);
  const largest = all.reduce((m, p) => Math.max(m, p.file.size), 0);
  const estimate = estimateImages(all.length, side, side, sourceBytes + largest * 4);
  options.onEstimate?.(estimate);
  const problem = memoryProblem(estimate, options.memoryLimit);
  if (problem) throw new DatasetError(plan.root, problem);
  const warnings = [...plan.warnings];
  const progress = { done: 0, total: all.length };
  const train = await decodeAll(plan.train, side, options, progress, warnings);
  const val = plan.val ? await decodeAll(plan.val, side, options, progress, warnings) : null;
  // A class whose every image failed to decode is as unusable as an empty folder.
  const present = new Set(train.labels);
  const missing = plan.classNames.filter((_, i) => !present.has(i));
  if (missing.length > 0) {
    throw new DatasetError(missing[0]!, 'no image of this class folder could be decoded');
  }
  const title = plan.root ? baseName(plan.root) : 'Image folder';
  return assembleDataset(
    title,
    plan.classNames,
    side,
    [train],
    val && val.count > 0 ? [val] : [],
    estimate,
    warnings,
  );
}

export async function loadDatasetFiles(
  input: readonly DataFile[],
  options: LoadOptions,
): Promise<LoadedDataset> {
  const listed = input.filter((f) => !isClutter(f.path));
  if (listed.length === 0) throw new DatasetError('', 'no files were given');
  const { files, sourceBytes } = await expandArchives(listed, options);
  const kind = detectKind(files, options.requested);
  let loaded: Omit<LoadedDataset, 'kind'>;
  if (kind === 'cifar10' || kind === 'cifar100') {
    loaded = await loadCifar(files, kind, sourceBytes, options);
  } else if (kind === 'mnist' || kind === 'fashion-mnist') {
    loaded = await loadIdx(files, kind, sourceBytes, options);
  } else {
    loaded = await loadFolder(files, sourceBytes, options);
  }
  return { kind, ...loaded };
}
