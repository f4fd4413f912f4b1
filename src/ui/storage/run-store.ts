/**
 * Moved to src/storage/run-store.ts. This re-export keeps the training worker's import
 * (src/worker/trainer.worker.ts, owned elsewhere) working until it points at the new path;
 * delete this file then.
 */
export * from '../../storage/run-store';
