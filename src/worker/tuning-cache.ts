import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { TuningCacheStore } from '../engine/autotune/tuner';

/**
 * The page's kernel tuning cache: the tuner's JSON in IndexedDB (one record), so that a second
 * visit on the same GPU does not tune again. A database that cannot be opened (private browsing,
 * a quota) only costs a new tuning: the tuner reports it as a notice.
 */

interface Schema extends DBSchema {
  tuning: { key: string; value: string };
}

const DB_NAME = 'tricks-playground-kernels';
const KEY = 'choices';

let db: Promise<IDBPDatabase<Schema>> | null = null;

function open(): Promise<IDBPDatabase<Schema>> {
  if (typeof indexedDB === 'undefined') {
    return Promise.reject(new Error('IndexedDB is unavailable'));
  }
  db ??= openDB<Schema>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore('tuning');
    },
  });
  db.catch(() => (db = null));
  return db;
}

export const indexedDbTuningCache: TuningCacheStore = {
  async load() {
    return (await open()).get('tuning', KEY);
  },
  async save(json) {
    await (await open()).put('tuning', json, KEY);
  },
};
