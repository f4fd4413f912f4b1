import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SavedRun } from '../experiments/saved-run';
import type { Checkpoint, EvalResult, NamedWeight, TrainPoint } from '../run/events';

/**
 * Saved runs in IndexedDB: 'runs' (curves, metrics, config), 'weights' (finished runs' trained
 * tensors) and 'checkpoints' (the latest epoch checkpoint of a run in progress, written by the
 * training worker, so that a run cut off by a reload can resume). All keyed by run id. Used from
 * the page and from the worker.
 */

/** A checkpoint with the run's curves up to it, written together so that they always agree. */
export interface StoredCheckpoint extends Checkpoint {
  runId: string;
  savedAt: number;
  points: TrainPoint[];
  evals: EvalResult[];
}

interface PlaygroundDb extends DBSchema {
  runs: { key: string; value: SavedRun };
  weights: { key: string; value: { runId: string; weights: NamedWeight[] } };
  checkpoints: { key: string; value: StoredCheckpoint };
}

const DB_NAME = 'tricks-playground';
/** 2: the 'checkpoints' store. */
const DB_VERSION = 2;

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
      if (!database.objectStoreNames.contains('checkpoints')) {
        database.createObjectStore('checkpoints', { keyPath: 'runId' });
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
  const tx = (await db()).transaction(['runs', 'weights', 'checkpoints'], 'readwrite');
  await Promise.all([
    tx.objectStore('runs').delete(id),
    tx.objectStore('weights').delete(id),
    tx.objectStore('checkpoints').delete(id),
    tx.done,
  ]);
}

export async function saveWeights(runId: string, weights: NamedWeight[]): Promise<void> {
  await (await db()).put('weights', { runId, weights });
}

export async function loadWeights(runId: string): Promise<NamedWeight[] | null> {
  return (await (await db()).get('weights', runId))?.weights ?? null;
}

/** Replaces the run's stored checkpoint (one per run). */
export async function saveCheckpoint(
  runId: string,
  checkpoint: Checkpoint,
  curves: { points: TrainPoint[]; evals: EvalResult[] },
): Promise<void> {
  await (await db()).put('checkpoints', { ...checkpoint, ...curves, runId, savedAt: Date.now() });
}

export async function loadCheckpoint(runId: string): Promise<StoredCheckpoint | null> {
  return (await (await db()).get('checkpoints', runId)) ?? null;
}

export async function deleteCheckpoint(runId: string): Promise<void> {
  await (await db()).delete('checkpoints', runId);
}
