import { formatBytes } from '../../data/memory';
import type { DatasetLoading } from '../hooks/useDataset';

function percent(done: number, total: number): string {
  return total > 0 ? ` ${Math.floor((100 * done) / total)}%` : '';
}

/** What is loading, how far it is, the memory it will take, and a way to cancel. */
export function DatasetLoadingStatus({
  loading,
  onCancel,
}: {
  loading: DatasetLoading;
  onCancel: () => void;
}) {
  return (
    <div className="dataset-loading" role="status" aria-live="polite">
      <div>
        Loading {loading.what}…
        {loading.progress && (
          <>
            {' '}
            {loading.progress.message}
            {percent(loading.progress.done, loading.progress.total)}
          </>
        )}
      </div>
      <progress
        aria-label="Dataset loading progress"
        max={loading.progress?.total || 1}
        value={loading.progress?.total ? loading.progress.done : undefined}
      />
      {loading.estimate && (
        <div data-testid="memory-estimate">
          Memory: {formatBytes(loading.estimate.keptBytes)} for{' '}
          {loading.estimate.images.toLocaleString('en-US')} images (up to{' '}
          {formatBytes(loading.estimate.peakBytes)} while loading)
        </div>
      )}
      <button type="button" onClick={onCancel}>
        Cancel loading
      </button>
    </div>
  );
}
