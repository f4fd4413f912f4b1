import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { isBenchmarkKey, joinQueries, queryPart, type IgnoredParam } from '../../config';
import type { BenchmarkSettings } from '../../benchmark-report/settings';
import { OPEN_KEY, parseBenchQuery, toBenchQuery } from '../../benchmark-report/url';

/** The page address with the panel's settings replaced; every other parameter stays as it is. */
export function urlForBenchSettings(
  settings: BenchmarkSettings,
  location: Location = window.location,
): string {
  const others = queryPart(location.search, (key) => !isBenchmarkKey(key) || key === OPEN_KEY);
  const query = joinQueries(others, toBenchQuery(settings));
  return `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
}

/**
 * The Benchmark panel's settings, read once from the page address (`bench_*`); every change is
 * written back with history.replaceState (only non-default values), as the experiment's are.
 */
export function useBenchmarkSettings(): {
  settings: BenchmarkSettings;
  setSettings: Dispatch<SetStateAction<BenchmarkSettings>>;
  ignored: IgnoredParam[];
  /** The link asked for the panel (`bench=1` or a setting): open it and scroll to it. */
  openOnLoad: boolean;
} {
  const [initial] = useState(() => parseBenchQuery(window.location.search));
  const [settings, setSettings] = useState<BenchmarkSettings>(initial.settings);

  // The link the user opened stays as it is until a control changes.
  useEffect(() => {
    if (settings === initial.settings) return;
    window.history.replaceState(window.history.state, '', urlForBenchSettings(settings));
  }, [settings, initial.settings]);

  return { settings, setSettings, ignored: initial.ignored, openOnLoad: initial.open };
}
