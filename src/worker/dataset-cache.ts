import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ImageDataset } from '../data/dataset';
import type { RealDatasetKind } from '../data/load';
import type { DatasetSummary } from './protocol';

/**
 * Loaded datasets cached in IndexedDB as their 8-bit pixels, one per dataset kind, so that a
 * reload neither downloads nor decodes again. Summaries live in their own store so that listing
 * the cache never reads the pixels. Used by the worker (read/write) and the page (list/remove).
 */

export interface CachedDataset {
  kind: RealDatasetKind;
  dataset: ImageDataset;
  summary: DatasetSummary;
}

export interface CacheEntry {
  kind: RealDatasetKind;
  summary: DatasetSummary;
  savedAt: number;
}

interface Schema extends DBSchema {
  summaries: { key: string; value: CacheEntry };
  pixels: { key: string; value: { kind: RealDatasetKind; dataset: ImageDataset } };
}

const DB_NAME = 'tricks-playground-datasets';

let db: Promise<IDBPDatabase<Schema>> | null = null;

function open(): Promise<IDBPDatabase<Schema>> {
  if (typeof indexedDB === 'undefined')
    return Promise.reject(new Error('IndexedDB is unavailable'));
  db ??= openDB<Schema>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore('summaries', { keyPath: 'kind' });
      database.createObjectStore('pixels', { keyPath: 'kind' });
    },
  });
  db.catch(() => (db = null));
  return db;
}

export async function saveToCache(entry: CachedDataset): Promise<void> {
  const database = await open();
  const tx = database.transaction(['summaries', 'pixels'], 'readwrite');
  await Promise.all([
    tx.objectStore('pixels').put({ kind: entry.kind, dataset: entry.dataset }),
    tx
      .objectStore('summaries')
      .put({ kind: entry.kind, summary: entry.summary, savedAt: Date.now() }),
    tx.done,
  ]);
}

export async function readFromCache(kind: RealDatasetKind): Promise<CachedDataset | null> {
  const database = await open();
  const [summary, pixels] = await Promise.all([
    database.get('summaries', kind),
    database.get('pixels', kind),
  ]);
  if (!summary || !pixels) return null;
  return { kind, dataset: pixels.dataset, summary: summary.summary };
}

export async function listCache(): Promise<CacheEntry[]> {
  try {
    return await (await open()).getAll('summaries');
  } catch {
    return [];
  }
}

export async function removeFromCache(kind: RealDatasetKind): Promise<void> {
  const database = await open();
  const tx = database.transaction(['summaries', 'pixels'], 'readwrite');
  await Promise.all([
    tx.objectStore('summaries').delete(kind),
    tx.objectStore('pixels').delete(kind),
    tx.done,
  ]);
}
