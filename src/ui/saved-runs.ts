import { finalMetrics } from '../experiments/metrics';
import type { RunStatus, SavedRun, SweepTag } from '../experiments/saved-run';
import type { RunPhase } from '../run/events';
import type { RunRecord } from './runs';

/** Folds the session's live run records into the saved-run shape. Pure. */

export function statusOf(phase: RunPhase): RunStatus {
  switch (phase) {
    case 'finished':
    case 'stopped':
    case 'failed':
      return phase;
    default:
      return 'running';
  }
}

export function toSavedRun(
  record: RunRecord,
  previous: SavedRun | undefined,
  now: number,
  sweep: SweepTag | null = null,
): SavedRun {
  const p = record.progress;
  return {
    id: record.id,
    name: previous?.name ?? record.summary,
    config: record.config,
    status: statusOf(record.phase),
    origin: 'local',
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    points: record.points,
    evals: record.evals,
    final: finalMetrics(
      record.points,
      record.evals,
      p
        ? {
            elapsedSeconds: p.elapsedSeconds,
            step: p.step,
            stepsPerEpoch: p.stepsPerEpoch,
            warmupMs: record.warmupMs,
          }
        : null,
    ),
    error: record.error,
    warmupMs: record.warmupMs,
    sweep: previous?.sweep ?? sweep,
    hasWeights: previous?.hasWeights ?? false,
    divergences: record.divergences,
    checkpoint: record.checkpoint ?? previous?.checkpoint ?? null,
  };
}

/**
 * Whether a change must reach the store at once rather than with the next batch: a new run, a
 * run that ended, or a new checkpoint (a reload right after it can then resume from it).
 */
export function mustWriteNow(saved: SavedRun, previous: SavedRun | undefined): boolean {
  const newCheckpoint = saved.checkpoint?.step !== previous?.checkpoint?.step;
  return saved.status !== 'running' || !previous || newCheckpoint;
}
