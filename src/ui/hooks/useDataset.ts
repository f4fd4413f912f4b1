import { useCallback, useEffect, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import type { ExperimentConfig, ParamKey } from '../../config';
import type { CacheEntry } from '../../worker/dataset-cache';
import type {
  DatasetEvent,
  DatasetLoadRequest,
  DatasetSummary,
  LoadProgress,
  MemoryEstimate,
  RealDatasetKind,
  TrainerWorkerApi,
} from '../../worker/protocol';
import type { PickedFiles } from '../dropped-files';
import { DATASET_TITLES } from '../../data/load';
import { isSameDataset } from '../../data/hub/catalog';
import { hubUrlForPage } from '../hub-url';
import { useCachedDatasetAutoload } from './useCachedDatasetAutoload';
import { useHubAutoload } from './useHubAutoload';
import { useDatasetCache } from './useDatasetCache';
import { errorMessage } from '../../errors';

export interface DatasetLoading {
  what: string;
  progress: LoadProgress | null;
  estimate: MemoryEstimate | null;
}

export interface DatasetController {
  /** The dataset the worker holds, null before any was loaded. */
  loaded: DatasetSummary | null;
  loading: DatasetLoading | null;
  error: string | null;
  notice: string | null;
  cache: CacheEntry[];
  loadFiles: (picked: PickedFiles) => void;
  loadUrl: (url: string) => void;
  /** Downloads from the Hugging Face Hub: a catalog dataset, or `hub` and any id. */
  loadHub: (dataset: ExperimentConfig['dataset'], id: string) => void;
  /** A load runs, or a link's Hub download has yet to start: autorun waits. */
  pending: boolean;
  cancel: () => void;
  removeCached: (kind: RealDatasetKind) => void;
  /** Classes of the loaded dataset when it is the one the settings choose, else null. */
  classesFor: (config: Pick<ExperimentConfig, 'dataset' | 'hub'>) => number | null;
}

function messageOf(error: unknown): string {
  const text = errorMessage(error);
  return text.replace(/^Error: /, '');
}

/** Loading the page's dataset: the worker holds the pixels, this holds what to show. */
export function useDataset(
  api: Comlink.Remote<TrainerWorkerApi> | null,
  config: ExperimentConfig,
  setParam: (key: ParamKey, value: ExperimentConfig[ParamKey]) => void,
): DatasetController {
  const [loaded, setLoaded] = useState<DatasetSummary | null>(null);
  const [loading, setLoading] = useState<DatasetLoading | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { cache, listed, refresh: refreshCache, remove: removeFromCache } = useDatasetCache();
  // A load in progress; a ref, so that two clicks in one frame cannot start two loads.
  const busy = useRef(false);

  const run = useCallback(
    (request: DatasetLoadRequest, what: string, onLoaded?: (summary: DatasetSummary) => void) => {
      if (!api || busy.current) return;
      busy.current = true;
      setError(null);
      setNotice(null);
      setLoading({ what, progress: null, estimate: null });
      const onEvent = (event: DatasetEvent) => {
        setLoading((prev) =>
          prev
            ? event.type === 'progress'
              ? { ...prev, progress: event.progress }
              : { ...prev, estimate: event.estimate }
            : prev,
        );
      };
      const requested = config.dataset === 'synthetic' ? null : config.dataset;
      api
        .loadDataset(request, { requested, inputSize: config.input }, Comlink.proxy(onEvent))
        .then((summary) => {
          setLoaded(summary);
          if (summary.kind !== config.dataset) setParam('dataset', summary.kind);
          onLoaded?.(summary);
          refreshCache();
        })
        .catch((err: unknown) => {
          const message = messageOf(err);
          if (/cancelled/i.test(message)) setNotice('Loading was cancelled.');
          else setError(message);
        })
        .finally(() => {
          busy.current = false;
          setLoading(null);
        });
    },
    [api, config.dataset, config.input, setParam, refreshCache],
  );

  const loadFiles = useCallback(
    (picked: PickedFiles) => {
      if (picked.files.length === 0) return;
      const what = picked.files.length === 1 ? picked.paths[0]! : `${picked.files.length} files`;
      run({ kind: 'files', ...picked }, what);
    },
    [run],
  );

  const loadUrl = useCallback((url: string) => run({ kind: 'url', url }, url.trim()), [run]);

  const loadHub = useCallback(
    (dataset: ExperimentConfig['dataset'], id: string) => {
      if (dataset === 'synthetic') return;
      const what = dataset === 'hub' ? id : DATASET_TITLES[dataset];
      run(
        { kind: 'hub', dataset, id, hubUrl: hubUrlForPage() },
        `${what} from the Hugging Face Hub`,
        (summary) => {
          // A link to these settings downloads the same dataset.
          if (summary.kind === 'hub') setParam('hub', summary.hubId ?? id);
          else setParam('source', 'hub');
        },
      );
    },
    [run, setParam],
  );

  const cancel = useCallback(() => void api?.cancelLoad(), [api]);

  const removeCached = useCallback(
    (kind: RealDatasetKind) => {
      void removeFromCache(kind).catch((err: unknown) =>
        setError(`Could not remove it from the cache: ${messageOf(err)}`),
      );
    },
    [removeFromCache],
  );

  // What the worker already holds (after a hot reload of the page code).
  useEffect(() => {
    if (!api) return;
    void api.loadedDataset().then((summary) => summary && setLoaded(summary));
  }, [api]);

  useCachedDatasetAutoload(api !== null, config, loaded, cache, run);
  const hubPending = useHubAutoload(
    api !== null,
    config,
    loaded,
    { entries: cache, listed },
    loadHub,
  );

  const classesFor = useCallback(
    (c: Pick<ExperimentConfig, 'dataset' | 'hub'>) =>
      loaded && isSameDataset(loaded, c) ? loaded.classNames.length : null,
    [loaded],
  );

  return {
    loaded,
    loading,
    error,
    notice,
    cache,
    loadFiles,
    loadUrl,
    loadHub,
    pending: loading !== null || hubPending,
    cancel,
    removeCached,
    classesFor,
  };
}
