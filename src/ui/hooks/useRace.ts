import { useCallback, useState } from 'react';
import type { ExperimentConfig } from '../../config';
import { raceProblem } from '../../architecture/race-memory';
import { trainingProblems } from '../../config/training-problems';
import { raceSettingsProblem, type Racer } from '../../experiments/race';
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
  /** Races `racers` (with `repeats` seeds in turn); returns why not, or null when it started. */
  startRace: (racers: Racer[], repeats: number) => string | null;
  /** Stops queuing seeds (the race in the worker is stopped by the page's Stop). */
  cancel: () => void;
  /** A message about the latest attempt (a refusal); null when none. */
  message: string | null;
}

/**
 * Races from the page: checked before anything trains (settings, the data loaded, the buffer
 * limit, the memory of all racers together), then one race per seed, each starting once the
 * worker is idle (`canStart`), its runs compared.
 */
export function useRace(
  canStart: boolean,
  context: {
    loadedClassesOf: (config: ExperimentConfig) => number | null;
    maxStorageBufferBindingSize: number | undefined;
    launch: (racers: Racer[], repeat: number) => string[] | null;
  },
): RaceControl {
  const [race, setRace] = useState<RaceState | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const { loadedClassesOf, maxStorageBufferBindingSize, launch } = context;

  const startNext = useCallback(() => {
    if (!race || race.next >= race.repeats) return;
    const seeded = race.racers.map((r) => ({
      ...r,
      config: { ...r.config, seed: r.config.seed + race.next },
    }));
    const ids = launch(seeded, race.next);
    if (!ids) return;
    setRace({ ...race, next: race.next + 1, ids: [...race.ids, ids] });
  }, [race, launch]);
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

  const cancel = useCallback(() => {
    setRace((r) => (r ? { ...r, repeats: r.next } : r));
  }, []);

  return { race, startRace, cancel, message };
}
