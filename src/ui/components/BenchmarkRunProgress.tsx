import type { BenchmarkProgress } from '../hooks/benchmark-controller';

/** The suite's progress names networks by id ("resnet18-style"); the page says "ResNet-18-style". */
const readable = (message: string) => message.replace(/resnet(\d+)-style/g, 'ResNet-$1-style');

/** Rows done of the run in progress, and what it measures now. */
export function BenchmarkRunProgress({
  progress,
  stopping,
}: {
  progress: BenchmarkProgress | null;
  stopping: boolean;
}) {
  return (
    <div className="bench-progress" role="status" data-testid="benchmark-progress">
      <progress
        aria-label="Benchmark progress"
        max={progress?.rowsTotal ?? 1}
        value={progress?.rowsDone ?? 0}
      />{' '}
      <span>
        {stopping ? 'Stopping after the current step… ' : ''}
        {progress
          ? `${progress.rowsDone} of ${progress.rowsTotal} rows · ${readable(progress.message)}`
          : 'Starting…'}
      </span>
    </div>
  );
}
