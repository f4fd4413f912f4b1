import type { ExperimentConfig } from '../config/params';
import type { DivergenceMark } from './divergence';
import type { EvalResult, TrainPoint } from '../run/events';

/**
 * A run as the browser keeps it (IndexedDB), exports it (JSON files) and tables it. Pure data:
 * the weights live in a separate store, keyed by the run id.
 */

export const RUN_STATUSES = ['running', 'finished', 'stopped', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_ORIGINS = ['local', 'imported', 'shared'] as const;
export type RunOrigin = (typeof RUN_ORIGINS)[number];

/** End-of-run numbers, computed from the curves (see finalMetrics). */
export interface FinalMetrics {
  /** Validation top-1 / top-5 of the last evaluation, as fractions. */
  top1: number | null;
  top5: number | null;
  /** Validation loss of the last evaluation. */
  valLoss: number | null;
  /** Mean training loss over the last epoch's steps. */
  trainLoss: number | null;
  /** Training seconds per epoch, shader compilation excluded. */
  secondsPerEpoch: number | null;
  /** Optimizer steps and epochs done. */
  steps: number;
  epochs: number;
}

/** Which paper table a sweep run belongs to, and its row. */
export interface SweepTag {
  table: string;
  /** Index of the step in the sweep's plan. */
  row: number;
  label: string;
  /** 0-based repeat (seed = the sweep's seed + repeat); absent in files from older versions. */
  repeat?: number;
}

export interface SavedRun {
  id: string;
  name: string;
  config: ExperimentConfig;
  status: RunStatus;
  origin: RunOrigin;
  createdAt: number;
  updatedAt: number;
  points: TrainPoint[];
  evals: EvalResult[];
  final: FinalMetrics | null;
  error: string | null;
  /** Milliseconds of the first step (shader compilation). */
  warmupMs: number | null;
  sweep: SweepTag | null;
  /** The weights store holds this run's trained parameters. */
  hasWeights: boolean;
  /** Where the loss became NaN/Inf (absent in files from older versions). */
  divergences?: DivergenceMark[];
  /** The latest checkpoint stored in this browser: an interrupted run resumes from it. */
  checkpoint?: { step: number; epoch: number } | null;
}

/** Run ids are r1, r2, …; the next one is above every id in use. */
export function nextRunId(ids: Iterable<string>): string {
  let max = 0;
  for (const id of ids) {
    const m = /^r(\d+)$/.exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `r${max + 1}`;
}

/** A run that was 'running' when the page went away. */
export function markInterrupted(run: SavedRun): SavedRun {
  return run.status === 'running' ? { ...run, status: 'interrupted' } : run;
}

/** A run cut off by a reload (or failed) whose checkpoint is stored can continue. */
export function resumable(run: SavedRun): boolean {
  return (run.status === 'interrupted' || run.status === 'failed') && !!run.checkpoint;
}
