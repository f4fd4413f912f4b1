import { useCallback, useEffect, useState } from 'react';
import { listCache, removeFromCache, type CacheEntry } from '../../worker/dataset-cache';
import type { RealDatasetKind } from '../../worker/protocol';

export interface DatasetCache {
  /** The datasets cached in this browser, as of the last refresh. */
  cache: CacheEntry[];
  /** Reads the list again (after a load added a dataset). */
  refresh: () => void;
  /** Removes a dataset; the list is read again whether or not that worked. */
  remove: (kind: RealDatasetKind) => Promise<void>;
}

/** The list of datasets the worker cached in this browser (IndexedDB). */
export function useDatasetCache(): DatasetCache {
  const [cache, setCache] = useState<CacheEntry[]>([]);

  const refresh = useCallback(() => {
    void listCache().then(setCache);
  }, []);

  useEffect(() => {
    refresh();
  }, [refresh]);

  const remove = useCallback(
    (kind: RealDatasetKind) => removeFromCache(kind).finally(refresh),
    [refresh],
  );

  return { cache, refresh, remove };
}
