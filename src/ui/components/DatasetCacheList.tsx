import { DATASET_TITLES } from '../../data/load';
import { formatBytes } from '../../data/memory';
import type { CacheEntry } from '../../worker/dataset-cache';
import type { RealDatasetKind } from '../../worker/protocol';

/** The datasets cached in this browser, with their sizes; each can be removed. */
export function DatasetCacheList({
  cache,
  onRemove,
}: {
  cache: CacheEntry[];
  onRemove: (kind: RealDatasetKind) => void;
}) {
  if (cache.length === 0) return null;
  return (
    <div className="dataset-cache">
      <div>Cached in this browser:</div>
      <ul>
        {cache.map((entry) => (
          <li key={entry.kind}>
            <span>
              {entry.summary.name} ({DATASET_TITLES[entry.kind]}),{' '}
              {formatBytes(entry.summary.bytes)}
            </span>
            <button
              type="button"
              className="button-quiet"
              aria-label={`Remove ${entry.summary.name} from the browser cache`}
              onClick={() => onRemove(entry.kind)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
