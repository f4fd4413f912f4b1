import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SavedRun } from '../../experiments/saved-run';
import type { NamedWeight } from '../../worker/protocol';

/** Saved runs in IndexedDB: 'runs' (curves, metrics, config) and 'weights' (by run id). */

interface PlaygroundDb extends DBSchema {
  runs: { key: string; value: SavedRun };
  weights: { key: string; value: { runId: string; weights: NamedWeight[] } };
}

const DB_NAME = 'tricks-playground';
const DB_VERSION = 1;

let dbPromise: Promise<IDBPDatabase<PlaygroundDb>> | null = null;

function db(): Promise<IDBPDatabase<PlaygroundDb>> {
  dbPromise ??= openDB<PlaygroundDb>(DB_NAME, DB_VERSION, {
    upgrade(database) {
      if (!database.objectStoreNames.contains('runs')) {
        database.createObjectStore('runs', { keyPath: 'id' });
      }
      if (!database.objectStoreNames.contains('weights')) {
        database.createObjectStore('weights', { keyPath: 'runId' });
      }
    },
  });
  return dbPromise;
}

export async function loadRuns(): Promise<SavedRun[]> {
  const runs = await (await db()).getAll('runs');
  return runs.sort((a, b) => a.createdAt - b.createdAt);
}

export async function saveRun(run: SavedRun): Promise<void> {
  await (await db()).put('runs', run);
}

export async function saveRuns(runs: readonly SavedRun[]): Promise<void> {
  const tx = (await db()).transaction('runs', 'readwrite');
  await Promise.all([...runs.map((r) => tx.store.put(r)), tx.done]);
}

export async function deleteRun(id: string): Promise<void> {
  const tx = (await db()).transaction(['runs', 'weights'], 'readwrite');
  await Promise.all([
    tx.objectStore('runs').delete(id),
    tx.objectStore('weights').delete(id),
    tx.done,
  ]);
}

export async function saveWeights(runId: string, weights: NamedWeight[]): Promise<void> {
  await (await db()).put('weights', { runId, weights });
}

export async function loadWeights(runId: string): Promise<NamedWeight[] | null> {
  return (await (await db()).get('weights', runId))?.weights ?? null;
}
