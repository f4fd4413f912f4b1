import { useEffect, useRef, useState } from 'react';
import type { ExperimentConfig } from '../../config';
import { isSameDataset, wantsHubDownload } from '../../data/hub/catalog';
import type { CacheEntry } from '../../worker/dataset-cache';
import type { DatasetSummary } from '../../worker/protocol';

/**
 * A link with source=hub (or dataset=hub&hub=owner/name) downloads its dataset from the Hugging
 * Face Hub once, when the page opens, unless the browser cache has it (the cached copy is read
 * instead). Only the settings the page opened with count: choosing a dataset or typing an id
 * later downloads nothing until the user clicks. Returns true until it has decided, so that
 * autorun waits for the dataset.
 */
export function useHubAutoload(
  ready: boolean,
  config: Pick<ExperimentConfig, 'dataset' | 'source' | 'hub'>,
  loaded: DatasetSummary | null,
  cache: { entries: CacheEntry[]; listed: boolean },
  loadHub: (dataset: ExperimentConfig['dataset'], id: string) => void,
): boolean {
  const [opening] = useState(() => ({ ...config }));
  const [pending, setPending] = useState(() => wantsHubDownload(opening));
  const done = useRef(!pending);
  useEffect(() => {
    if (done.current || !ready || !cache.listed) return;
    done.current = true;
    const wanted = { dataset: opening.dataset, hub: opening.hub };
    const cached = cache.entries.some((c) =>
      isSameDataset({ kind: c.kind, hubId: c.summary.hubId }, wanted),
    );
    if (!cached && !(loaded && isSameDataset(loaded, wanted)))
      loadHub(opening.dataset, opening.hub);
    setPending(false);
  }, [ready, cache, loaded, loadHub, opening]);
  return pending;
}
