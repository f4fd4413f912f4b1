import { useCallback, useMemo, useState } from 'react';
import { joinQueries, toQuery, type ExperimentConfig, type IgnoredParam } from '../../config';
import { raceProblem } from '../../architecture/race-memory';
import { trainingProblems } from '../../config/training-problems';
import { buildAblationTable, type AblationTable } from '../../experiments/ablation-table';
import {
  formatRace,
  parseRace,
  RACE_KEY,
  raceSettingsProblem,
  type Racer,
} from '../../experiments/race';
import type { SavedRun } from '../../experiments/saved-run';
import type { RunRecord } from '../runs';
import { useWhenReady } from './useWhenReady';

/** A race as the page runs it: its racers, once per seed (`repeats`), each seed a race. */
export interface RaceState {
  racers: Racer[];
  repeats: number;
  /** Seeds raced so far (the next race trains seed + next). */
  next: number;
  /** The run ids of each seed's race. */
  ids: string[][];
}

export interface RaceControl {
  /** The race in progress or the last one; null before any. */
  race: RaceState | null;
  /** The racers shown: the race's, else a link's (`race=`); null when neither. */
  racers: Racer[] | null;
  /** What the link's `race=` had that could not be used, with the reasons. */
  linkIgnored: IgnoredParam[];
  /** Races `racers` (with `repeats` seeds in turn); returns why not, or null when it started. */
  startRace: (racers: Racer[], repeats: number) => string | null;
  /** A message about the latest attempt (a refusal); null when none. */
  message: string | null;
  /** A paused race: the racer that shows it paused (the others wait for their turn); else null. */
  paused: RunRecord | null;
  /** The comparison of the race's runs (every seed so far); null before any. */
  table: AblationTable | null;
  /** The race's link: its first racer's settings plus `race=` (and the page's repeats). */
  link: () => string;
}

/**
 * Races from the page: checked before anything trains (settings, the data loaded, the buffer
 * limit, the memory of all racers together), then one race per seed, each starting once the
 * worker is idle (`canStart`) unless the previous seed's race was stopped or failed. Every
 * racer's run is compared (drawn in its own colour) and none is shown alone.
 */
export function useRace(
  canStart: boolean,
  context: {
    config: ExperimentConfig;
    loadedClassesOf: (config: ExperimentConfig) => number | null;
    maxStorageBufferBindingSize: number | undefined;
    /** Starts one seed's race in the worker; its run ids, or null. */
    launch: (racers: Racer[], repeat: number) => string[] | null;
    /** The runs of the worker's latest race, in racer order. */
    racerRuns: RunRecord[];
    savedRuns: SavedRun[];
    selection: {
      setCompared: (id: string, on: boolean) => void;
      clearCompared: () => void;
      show: (id: string | null) => void;
    };
  },
): RaceControl {
  const { config, loadedClassesOf, maxStorageBufferBindingSize, launch, racerRuns, savedRuns } =
    context;
  const { setCompared, clearCompared, show } = context.selection;
  const [race, setRace] = useState<RaceState | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [link] = useState(() =>
    parseRace(new URLSearchParams(window.location.search).get(RACE_KEY) ?? '', config),
  );
  const [hasLink] = useState(() => new URLSearchParams(window.location.search).has(RACE_KEY));

  // A stopped or failed seed ends the race: the remaining seeds are not raced.
  const ended = racerRuns.some((r) => r.phase === 'stopped' || r.phase === 'failed');
  const startNext = useCallback(() => {
    if (!race || race.next >= race.repeats) return;
    if (ended && race.next > 0) {
      setRace({ ...race, repeats: race.next });
      return;
    }
    const seeded = race.racers.map((r) => ({
      ...r,
      config: { ...r.config, seed: r.config.seed + race.next },
    }));
    const ids = launch(seeded, race.next);
    if (!ids) return;
    if (race.next === 0) clearCompared();
    for (const id of ids) setCompared(id, true);
    show(null);
    setRace({ ...race, next: race.next + 1, ids: [...race.ids, ids] });
  }, [race, ended, launch, clearCompared, setCompared, show]);
  useWhenReady(race !== null && race.next < race.repeats && canStart, startNext);

  const startRace = useCallback(
    (racers: Racer[], repeats: number): string | null => {
      const configs = racers.map((r) => r.config);
      const problem =
        raceSettingsProblem(configs) ??
        configs
          .map((c, i) => {
            const first = trainingProblems(c, loadedClassesOf(c), undefined)[0];
            return first ? `Racer ${i + 1} (${racers[i]!.label}): ${first}` : null;
          })
          .find((p) => p !== null) ??
        raceProblem(configs, maxStorageBufferBindingSize);
      setMessage(problem);
      if (problem) return problem;
      setRace({ racers, repeats: Math.max(1, repeats), next: 0, ids: [] });
      return null;
    },
    [loadedClassesOf, maxStorageBufferBindingSize],
  );

  const racers = race?.racers ?? link.racers;
  const table = useMemo(() => {
    const ids = new Set(race?.ids.flat() ?? []);
    const runs = savedRuns.filter((r) => ids.has(r.id));
    return runs.length > 0 ? buildAblationTable(runs) : null;
  }, [race, savedRuns]);
  const raceLink = useCallback(() => {
    const { origin, pathname, href } = window.location;
    if (!racers) return href;
    const configs = racers.map((r) => r.config);
    const base = { ...configs[0]!, repeats: config.repeats };
    const race = `${RACE_KEY}=${encodeURIComponent(formatRace(configs))}`;
    return `${origin}${pathname}?${joinQueries(toQuery(base), race)}`;
  }, [racers, config.repeats]);

  return {
    race,
    racers,
    linkIgnored: hasLink ? link.ignored : [],
    startRace,
    message,
    paused: racerRuns.find((r) => r.phase === 'paused') ?? null,
    table,
    link: raceLink,
  };
}
