import { z } from 'zod';
import { DatasetError } from '../files';
import type { HubSource } from './catalog';

/**
 * The Hub's list of a dataset's Parquet files, `GET /api/datasets/{id}/parquet`: for each config
 * (subset), for each split, the URLs of the files the dataset viewer converted
 * (refs/convert/parquet), e.g. { "plain_text": { "train": [".../plain_text/train/0.parquet"] } }.
 */

export function parquetListUrl(hubUrl: string, id: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/api/datasets/${id}/parquet`;
}

/** The dataset's page on the Hub, for messages. */
export function datasetPageUrl(hubUrl: string, id: string): string {
  return `${hubUrl.replace(/\/+$/, '')}/datasets/${id}`;
}

const LISTING = z.record(z.string(), z.record(z.string(), z.array(z.string().min(1))));
export type ParquetListing = z.infer<typeof LISTING>;

export function parseParquetListing(json: unknown, id: string): ParquetListing {
  const parsed = LISTING.safeParse(json);
  if (!parsed.success) {
    throw new DatasetError(
      id,
      'the Hub answered with an unexpected list of Parquet files; the Hub API may have changed',
    );
  }
  return parsed.data;
}

export type SplitRole = 'train' | 'val';

export interface HubFile {
  url: string;
  split: string;
  role: SplitRole;
}

export interface HubPlan {
  config: string;
  files: HubFile[];
  /** Splits that are neither training nor validation, ignored. */
  ignoredSplits: string[];
}

const VALIDATION_SPLITS = ['test', 'validation', 'valid', 'val'];

function chooseConfig(listing: ParquetListing, source: HubSource): string {
  const configs = Object.keys(listing);
  if (configs.length === 0) {
    throw new DatasetError(
      source.id,
      'has no Parquet files on the Hub (the dataset viewer has not converted it, or it has no data)',
    );
  }
  if (source.config !== null && configs.includes(source.config)) return source.config;
  if (configs.length === 1) return configs[0]!;
  if (configs.includes('default')) return 'default';
  throw new DatasetError(
    source.id,
    `has several configs (${configs.join(', ')}) and none is called "default": this page cannot tell which to train on`,
  );
}

/**
 * The files to download: every file of the "train" split, and of one validation split (test,
 * else validation); without one, the validation images are held out of training, as for files.
 */
export function planHubFiles(listing: ParquetListing, source: HubSource): HubPlan {
  const config = chooseConfig(listing, source);
  const splits = listing[config]!;
  const train = splits.train;
  if (!train || train.length === 0) {
    const names = Object.keys(splits);
    throw new DatasetError(
      source.id,
      `has no "train" split in config ${config} (it has ${names.length > 0 ? names.join(', ') : 'none'})`,
    );
  }
  const valSplit = VALIDATION_SPLITS.find((s) => (splits[s]?.length ?? 0) > 0) ?? null;
  const files: HubFile[] = train.map((url) => ({ url, split: 'train', role: 'train' }));
  if (valSplit) {
    for (const url of splits[valSplit]!) files.push({ url, split: valSplit, role: 'val' });
  }
  const ignoredSplits = Object.keys(splits).filter((s) => s !== 'train' && s !== valSplit);
  return { config, files, ignoredSplits };
}
