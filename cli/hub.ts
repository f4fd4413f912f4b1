/** --hub: a dataset from the Hugging Face Hub, downloaded once into the user's cache folder. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExperimentConfig } from '../src/config';
import { DatasetError } from '../src/data/files';
import {
  DEFAULT_HUB_URL,
  HUB_KINDS,
  hubSourceFor,
  isHubId,
  isHubKind,
} from '../src/data/hub/catalog';
import { downloadHubFiles, fetchHubPlan, type HubClient } from '../src/data/hub/client';
import { planHubFiles, parseParquetListing, type HubPlan } from '../src/data/hub/listing';
import { loadHubParquet } from '../src/data/hub/load';
import { jsImageDecoder } from '../src/data/js-image-decoder';
import { DATASET_TITLES, type LoadedDataset } from '../src/data/load';
import { formatBytes } from '../src/data/memory';
import { defaultCacheFolder } from '../src/engine/autotune/file-cache';
import { errorMessage } from '../src/errors';
import { CLI_MEMORY_LIMIT } from './data';

/** The dataset kind and Hub id that `--hub NAME` names: a catalog name, or owner/name. */
export function hubTarget(name: string): { kind: LoadedDataset['kind']; id: string } {
  if (isHubKind(name)) return { kind: name, id: '' };
  if (isHubId(name)) return { kind: 'hub', id: name };
  throw new DatasetError(
    name,
    `is neither a dataset of the catalog (${HUB_KINDS.join(', ')}) nor a Hugging Face dataset id (owner/name)`,
  );
}

export interface HubEnv {
  /** https://huggingface.co; tests set $TRICKS_HUB_URL to a local server. */
  hubUrl: string;
  /** Where downloads are kept: <cache folder>/hub/<owner>/<name>/. */
  cacheFolder: string;
}

export function hubEnv(env: NodeJS.ProcessEnv = process.env): HubEnv {
  return {
    hubUrl: env.TRICKS_HUB_URL || DEFAULT_HUB_URL,
    cacheFolder: join(defaultCacheFolder(env), 'hub'),
  };
}

async function readIfThere(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Write then rename, so that an interrupted download never leaves a truncated file behind. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
}

/** The list of Parquet files, from the cache folder when an earlier run saved it. */
async function planFor(
  folder: string,
  source: ReturnType<typeof hubSourceFor>,
  client: HubClient,
  log: (line: string) => void,
): Promise<{ plan: HubPlan; cached: boolean }> {
  const listingPath = join(folder, 'parquet.json');
  const saved = await readIfThere(listingPath);
  if (saved) {
    const listing = parseParquetListing(JSON.parse(new TextDecoder().decode(saved)), source.id);
    return { plan: planHubFiles(listing, source), cached: true };
  }
  log(`Asking ${client.hubUrl} for the Parquet files of ${source.id}…`);
  const plan = await fetchHubPlan(source, client);
  return { plan, cached: false };
}

export async function loadHubDataset(
  name: string,
  config: Pick<ExperimentConfig, 'input'>,
  log: (line: string) => void = () => {},
  env: HubEnv = hubEnv(),
): Promise<LoadedDataset> {
  const target = hubTarget(name);
  const source = hubSourceFor(target.kind, target.id);
  const folder = join(env.cacheFolder, ...source.id.split('/'));
  let lastReport = 0;
  const client: HubClient = {
    fetch: (input, init) => fetch(input, init),
    hubUrl: env.hubUrl,
    byteLimit: CLI_MEMORY_LIMIT,
    onProgress: (p) => {
      if (p.stage !== 'download' || p.done - lastReport < 16 * 1024 ** 2) return;
      lastReport = p.done;
      log(`${p.message}…`);
    },
  };
  const { plan, cached } = await planFor(folder, source, client, log);
  const files = await downloadHubFiles(source, plan, client, {
    read: (file) => readIfThere(join(folder, plan.config, file)),
    write: (file, bytes) => writeAtomically(join(folder, plan.config, file), bytes),
  });
  if (!cached) {
    const listing = { [plan.config]: groupBySplit(plan) };
    await writeAtomically(
      join(folder, 'parquet.json'),
      new TextEncoder().encode(JSON.stringify(listing)),
    );
  }
  const total = files.reduce((n, f) => n + f.bytes.length, 0);
  log(`${source.id}: ${files.length} Parquet files, ${formatBytes(total)}, in ${folder}`);
  const kind = isHubKind(target.kind) ? target.kind : null;
  try {
    const loaded = await loadHubParquet(files, {
      kind,
      title: kind ? DATASET_TITLES[kind] : source.id,
      source,
      inputSize: config.input,
      decoder: jsImageDecoder,
      memoryLimit: CLI_MEMORY_LIMIT,
      onEstimate: (e) =>
        log(
          `dataset memory: ${formatBytes(e.keptBytes)} for ${e.images} images (up to ${formatBytes(e.peakBytes)} while loading)`,
        ),
      onProgress: (p) => {
        if (p.done === p.total) log(`${p.message}`);
      },
    });
    return { kind: target.kind, ...loaded };
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    // A damaged copy must not fail every later run: remove it, so that the next run downloads.
    await rm(folder, { recursive: true, force: true });
    throw new DatasetError(
      '',
      `${errorMessage(error)} (the copy in ${folder} was removed: run again to download it again)`,
    );
  }
}

function groupBySplit(plan: HubPlan): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const file of plan.files) (out[file.split] ??= []).push(file.url);
  return out;
}

/**
 * The Hub dataset a query asks for as a page link does: dataset=cifar10&source=hub, or
 * dataset=hub&hub=owner/name; null when it names none.
 */
export function hubNameInQuery(
  config: Pick<ExperimentConfig, 'dataset' | 'source' | 'hub'>,
): string | null {
  if (config.dataset === 'hub') return config.hub || null;
  return config.source === 'hub' && isHubKind(config.dataset) ? config.dataset : null;
}
