import type { SavedRun } from '../experiments/saved-run';

/**
 * Live runs change with every metrics batch; writing each change to IndexedDB would cost a
 * transaction per batch. They are written at most this often while they train.
 */
export const WRITE_INTERVAL_MS = 1500;

/** Batches the writes of saved runs: the latest version of each run, one transaction per batch. */
export interface RunWriter {
  /** Queues `run`; with `now` it is written at once, together with everything queued. */
  write(run: SavedRun, now: boolean): void;
  /** Drops the queued version of a run (it was deleted). */
  forget(id: string): void;
  /** Writes what is queued now (the page is going away). */
  flush(): void;
}

export function createRunWriter(
  save: (runs: SavedRun[]) => Promise<void>,
  onError: (err: unknown) => void,
  intervalMs = WRITE_INTERVAL_MS,
): RunWriter {
  const queued = new Map<string, SavedRun>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const writeQueued = () => {
    timer = null;
    const batch = [...queued.values()];
    queued.clear();
    if (batch.length > 0) save(batch).catch(onError);
  };

  return {
    write(run, now) {
      queued.set(run.id, run);
      if (now) {
        if (timer) clearTimeout(timer);
        writeQueued();
      } else if (!timer) {
        timer = setTimeout(writeQueued, intervalMs);
      }
    },
    forget(id) {
      queued.delete(id);
    },
    flush() {
      if (!timer) return;
      clearTimeout(timer);
      writeQueued();
    },
  };
}
