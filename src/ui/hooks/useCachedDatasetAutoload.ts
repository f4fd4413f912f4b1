import { useEffect, useRef } from 'react';
import type { ExperimentConfig } from '../../config';
import { isSameDataset } from '../../data/hub/catalog';
import type { CacheEntry } from '../../worker/dataset-cache';
import type { DatasetLoadRequest, DatasetSummary } from '../../worker/protocol';

/**
 * A link or a choice of a dataset that is in the browser cache loads it from there. Once per
 * dataset: a cached copy that fails to load is not tried again in a loop.
 */
export function useCachedDatasetAutoload(
  ready: boolean,
  config: Pick<ExperimentConfig, 'dataset' | 'hub'>,
  loaded: DatasetSummary | null,
  cache: CacheEntry[],
  load: (request: DatasetLoadRequest, what: string) => void,
): void {
  const tried = useRef(new Set<string>());
  const { dataset: wanted, hub } = config;
  useEffect(() => {
    const settings = { dataset: wanted, hub };
    if (!ready || wanted === 'synthetic' || (loaded && isSameDataset(loaded, settings))) return;
    const key = `${wanted}:${hub}`;
    if (tried.current.has(key)) return;
    if (!cache.some((c) => isSameDataset({ ...c, hubId: c.summary.hubId }, settings))) return;
    tried.current.add(key);
    load({ kind: 'cache', dataset: wanted }, `${wanted} from the browser cache`);
  }, [ready, wanted, hub, loaded, cache, load]);
}
