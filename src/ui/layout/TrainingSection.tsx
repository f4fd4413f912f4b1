import { resumable, type SavedRun } from '../../experiments/saved-run';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { ProgressPanel } from '../components/ProgressPanel';
import { RunControls, type RunControlsProps } from '../components/RunControls';
import { SHORTCUTS } from '../hooks/useShortcuts';
import type { RunRecord } from '../runs';

export interface TrainingSectionProps extends RunControlsProps {
  /** The benchmark holds the worker. */
  benchmarkRunning: boolean;
  savedRuns: SavedRun[];
  /** The run whose progress is shown. */
  progressRun: RunRecord | null;
}

/** Run controls, keys, why Train may wait, and the progress of the run. */
export function TrainingSection({
  benchmarkRunning,
  savedRuns,
  progressRun,
  ...controls
}: TrainingSectionProps) {
  const interrupted = savedRuns.filter((r) => r.status === 'interrupted' && resumable(r));
  return (
    <section className="run-panel" aria-label="Training">
      <ErrorBoundary name="run controls">
        <RunControls {...controls} />
        <p className="shortcuts small muted" aria-label="Keyboard shortcuts">
          Keys:{' '}
          {SHORTCUTS.map(([key, what], i) => (
            <span key={key}>
              {i > 0 && ' · '}
              <kbd>{key}</kbd> {what}
            </span>
          ))}
        </p>
        {benchmarkRunning && (
          <p className="notice small" role="status">
            The benchmark is running (see Benchmark below); Train is available when it ends.
          </p>
        )}
        {interrupted.length > 0 && !controls.active && (
          <p className="notice" role="status" data-testid="interrupted-notice">
            {interrupted
              .map(
                (r) =>
                  `Run ${r.id} was cut off at step ${r.points.at(-1)?.step ?? 0} (the page was closed or reloaded); its checkpoint of step ${r.checkpoint!.step} is stored.`,
              )
              .join(' ')}{' '}
            Press Resume in the Runs list to continue.
          </p>
        )}
        <ProgressPanel run={progressRun} />
      </ErrorBoundary>
    </section>
  );
}
