import { useCallback, useEffect, useState } from 'react';
import {
  isPanelKey,
  joinQueries,
  parseQuery,
  queryPart,
  toQuery,
  type ExperimentConfig,
  type IgnoredParam,
} from '../../config';

/** The page address for `config`; the other panels' parameters (url-codec's isPanelKey) stay. */
export function urlForConfig(
  config: ExperimentConfig,
  location: Location = window.location,
): string {
  const query = joinQueries(toQuery(config), queryPart(location.search, isPanelKey));
  return `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
}

/**
 * The experiment config, read once from the page URL; every change is written back with
 * history.replaceState (only non-default values), so reloading or sharing the link restores it.
 */
export function useExperimentConfig(): {
  config: ExperimentConfig;
  ignored: IgnoredParam[];
  setParam: <K extends keyof ExperimentConfig>(key: K, value: ExperimentConfig[K]) => void;
} {
  const [initial] = useState(() => parseQuery(window.location.search));
  const [config, setConfig] = useState<ExperimentConfig>(initial.config);

  const setParam = useCallback(
    <K extends keyof ExperimentConfig>(key: K, value: ExperimentConfig[K]) => {
      setConfig((prev) => (prev[key] === value ? prev : { ...prev, [key]: value }));
    },
    [],
  );

  // The link the user opened stays as it is until a control changes.
  useEffect(() => {
    if (config === initial.config) return;
    window.history.replaceState(window.history.state, '', urlForConfig(config));
  }, [config, initial.config]);

  return { config, ignored: initial.ignored, setParam };
}
