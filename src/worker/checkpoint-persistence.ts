import { errorMessage } from '../errors';
import type { Checkpoint, EventSink } from '../run/events';
import {
  deleteCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type StoredCheckpoint,
} from '../storage/run-store';
import type { RunCurves } from './run-events';

/** A run's checkpoints in this browser's IndexedDB: written as it trains, read to resume it. */

export async function storedCheckpoint(runId: string): Promise<StoredCheckpoint> {
  const stored = await loadCheckpoint(runId).catch((err: unknown) => {
    throw new Error(`Reading the checkpoint of ${runId} failed: ${errorMessage(err)}`);
  });
  if (!stored) {
    throw new Error(
      `No checkpoint of ${runId} is stored in this browser, so it cannot be resumed.`,
    );
  }
  return stored;
}

/**
 * Writes each checkpoint of a run to IndexedDB with the curves up to it (as the page folds them:
 * run-events.ts), one write at a time, and says when it is stored; `discard` removes it once the
 * run has ended.
 */
export function checkpointWriter(runId: string, onEvent: EventSink, curves: () => RunCurves) {
  let queue: Promise<void> = Promise.resolve();
  let warned = false;
  return {
    write(checkpoint: Checkpoint) {
      const upTo = <T extends { step: number }>(items: T[]) =>
        items.filter((item) => item.step <= checkpoint.step);
      const points = upTo(curves().points);
      const evals = upTo(curves().evals);
      queue = queue.then(() =>
        saveCheckpoint(runId, checkpoint, { points, evals }).then(
          () => onEvent({ type: 'checkpoint', step: checkpoint.step, epoch: checkpoint.epoch }),
          (err: unknown) => {
            if (warned) return;
            warned = true;
            onEvent({
              type: 'notice',
              message: `The checkpoint could not be stored in this browser (${errorMessage(err)}): a reload will not be able to resume this run.`,
            });
          },
        ),
      );
    },
    async discard() {
      await queue;
      await deleteCheckpoint(runId).catch(() => {});
    },
  };
}
