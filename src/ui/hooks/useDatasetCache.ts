import { useCallback, useEffect, useState } from 'react';
import { listCache, removeFromCache, type CacheEntry } from '../../worker/dataset-cache';
import type { RealDatasetKind } from '../../worker/protocol';

export interface DatasetCache {
  /** The datasets cached in this browser, as of the last refresh. */
  cache: CacheEntry[];
  /** False until the list was read once (a link's download waits for it: the cache may have it). */
  listed: boolean;
  /** Reads the list again (after a load added a dataset). */
  refresh: () => void;
  /** Removes a dataset; the list is read again whether or not that worked. */
  remove: (kind: RealDatasetKind) => Promise<void>;
}

/** The list of datasets the worker cached in this browser (IndexedDB). */
export function useDatasetCache(): DatasetCache {
  const [cache, setCache] = useState<CacheEntry[]>([]);
  const [listed, setListed] = useState(false);

  const refresh = useCallback(() => {
    void listCache().then((entries) => {
      setCache(entries);
      setListed(true);
    });
  }, []);

  useEffect(() => {
    refresh();
  }, [refresh]);

  const remove = useCallback(
    (kind: RealDatasetKind) => removeFromCache(kind).finally(refresh),
    [refresh],
  );

  return { cache, listed, refresh, remove };
}
