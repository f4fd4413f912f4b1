/** The one place that creates the training worker (kept beside the worker path it resolves). */
export function createTrainerWorker(): Worker {
  return new Worker(new URL('../worker/trainer.worker.ts', import.meta.url), { type: 'module' });
}
