import type { ExperimentConfig } from '../src/config/params';
import { finalMetrics } from '../src/experiments/metrics';
import type { SavedRun } from '../src/experiments/saved-run';
import type { SweepRow, SweepTable } from '../src/experiments/sweeps';
import type { EvalResult, TrainPoint } from '../src/run/events';

/** What the CLI's sweep needs of its rows and their runs, as pure functions. */

/**
 * `--dry-run`'s JSON: each run in training order; `teacher` is the label of its teacher's row,
 * `backboneRow` (Table 9) the 0-based index of the row whose run it starts from.
 */
export function dryRunRows(rows: readonly SweepRow[]) {
  return {
    rows: rows.map(({ label, query, seed, teacher, backboneRow }) => ({
      label,
      query,
      seed,
      teacher,
      ...(backboneRow === undefined ? {} : { backboneRow }),
    })),
  };
}

/** Where each row's teacher is: the index of the row with that label in the same repeat. */
export function teacherIndex(rows: readonly SweepRow[], i: number): number | null {
  const row = rows[i]!;
  if (row.teacher === null) return null;
  const found = rows.findIndex(
    (r, j) => j < i && r.label === row.teacher && r.repeat === row.repeat,
  );
  if (found < 0) throw new Error(`sweep: ${row.label} needs ${row.teacher}, which trains later`);
  return found;
}

/** Rows whose run is some later row's teacher: their models are kept until the sweep ends. */
export function teacherRows(rows: readonly SweepRow[]): Set<number> {
  const keep = new Set<number>();
  rows.forEach((_, i) => {
    const t = teacherIndex(rows, i);
    if (t !== null) keep.add(t);
  });
  return keep;
}

/** Rows whose run is some later row's backbone (Table 9): their models are kept until then. */
export function backboneRows(rows: readonly SweepRow[]): Set<number> {
  return new Set(rows.flatMap((r) => (r.backboneRow === undefined ? [] : [r.backboneRow])));
}

/** A trained row as the CLI recorded it. */
export interface RowRun {
  config: ExperimentConfig;
  points: TrainPoint[];
  evals: Omit<EvalResult, 'gaps'>[];
  /** Seconds of each epoch, shader warm-up excluded. */
  epochSeconds: number[];
  warmupMs: number;
  finished: boolean;
}

/** The run as the comparison table reads it (the page's saved-run shape). */
export function savedRunOf(table: SweepTable, index: number, row: SweepRow, run: RowRun): SavedRun {
  const evals: EvalResult[] = run.evals.map((e) => ({ ...e, gaps: [] }));
  const final = finalMetrics(run.points, evals, null);
  const seconds = run.epochSeconds;
  const now = Date.now();
  return {
    id: `r${index + 1}`,
    name: row.column ? `${row.label} (${row.column})` : row.label,
    config: run.config,
    status: run.finished ? 'finished' : 'failed',
    origin: 'local',
    createdAt: now,
    updatedAt: now,
    points: run.points,
    evals,
    final: {
      ...final,
      secondsPerEpoch:
        seconds.length > 0 ? seconds.reduce((a, b) => a + b, 0) / seconds.length : null,
    },
    error: run.finished ? null : 'did not finish',
    warmupMs: run.warmupMs,
    sweep: { table, row: index, label: row.label, repeat: row.repeat },
    hasWeights: false,
  };
}
