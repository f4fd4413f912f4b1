import { useEffect, useRef } from 'react';
import type { ExperimentConfig } from '../../config';
import type { CacheEntry } from '../../worker/dataset-cache';
import type { DatasetLoadRequest, DatasetSummary } from '../../worker/protocol';

/**
 * A link or a choice of a dataset that is in the browser cache loads it from there. Once per
 * dataset: a cached copy that fails to load is not tried again in a loop.
 */
export function useCachedDatasetAutoload(
  ready: boolean,
  wanted: ExperimentConfig['dataset'],
  loaded: DatasetSummary | null,
  cache: CacheEntry[],
  load: (request: DatasetLoadRequest, what: string) => void,
): void {
  const tried = useRef(new Set<string>());
  useEffect(() => {
    if (!ready || wanted === 'synthetic' || loaded?.kind === wanted) return;
    if (tried.current.has(wanted)) return;
    if (!cache.some((c) => c.kind === wanted)) return;
    tried.current.add(wanted);
    load({ kind: 'cache', dataset: wanted }, `${wanted} from the browser cache`);
  }, [ready, wanted, loaded, cache, load]);
}
