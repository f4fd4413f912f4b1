/** Datasets from a path for the CLI: a file (archive, batch, IDX) or a folder, read lazily. */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import type { ExperimentConfig } from '../src/config';
import { DatasetError, type DataFile } from '../src/data/files';
import {
  loadDatasetFiles,
  REAL_DATASETS,
  type LoadedDataset,
  type RealDatasetKind,
} from '../src/data/load';
import { formatBytes } from '../src/data/memory';
import { jsImageDecoder } from '../src/data/js-image-decoder';

export interface PathListing {
  files: DataFile[];
  directories: string[];
}

function fileAt(absolute: string, path: string, size: number): DataFile {
  return { path, size, bytes: async () => new Uint8Array(await readFile(absolute)) };
}

/** Lists a file, or every file and folder under a folder (paths start with the folder's name). */
export function listDataPath(path: string): PathListing {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new DatasetError(path, 'does not exist');
  }
  if (stat.isFile()) return { files: [fileAt(path, basename(path), stat.size)], directories: [] };
  const root = basename(path);
  const files: DataFile[] = [];
  const directories: string[] = [root];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const absolute = join(dir, entry.name);
      const rel = [root, ...relative(path, absolute).split(sep)].join('/');
      if (entry.isDirectory()) {
        directories.push(rel);
        walk(absolute);
      } else if (entry.isFile()) {
        files.push(fileAt(absolute, rel, statSync(absolute).size));
      }
    }
  };
  walk(path);
  return { files, directories };
}

/** Node has more room than a browser tab: half the machine's memory. */
export const CLI_MEMORY_LIMIT = Math.floor(totalmem() / 2);

export async function loadDataPath(
  path: string,
  config: Pick<ExperimentConfig, 'dataset' | 'input'>,
  log: (line: string) => void = () => {},
): Promise<LoadedDataset> {
  const { files, directories } = listDataPath(path);
  const requested: RealDatasetKind | null =
    config.dataset === 'synthetic' ? null : (config.dataset as RealDatasetKind);
  let lastStage = '';
  return loadDatasetFiles(files, {
    requested,
    inputSize: config.input,
    decoder: jsImageDecoder,
    memoryLimit: CLI_MEMORY_LIMIT,
    directories,
    onEstimate: (e) =>
      log(
        `dataset memory: ${formatBytes(e.keptBytes)} for ${e.images} images (up to ${formatBytes(e.peakBytes)} while loading)`,
      ),
    onProgress: (p) => {
      if (p.stage !== lastStage) log(`${p.message}…`);
      lastStage = p.stage;
    },
  });
}

export function isRealDataset(name: string): name is RealDatasetKind {
  return (REAL_DATASETS as readonly string[]).includes(name);
}
