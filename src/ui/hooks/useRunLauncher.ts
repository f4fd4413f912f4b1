import { useCallback } from 'react';
import type { ExperimentConfig } from '../../config';
import { nextRunId, type SavedRun, type SweepTag } from '../../experiments/saved-run';
import { RACE_TABLE, type Racer } from '../../experiments/race';
import type { RunsMessage } from '../components/RunsPanel';
import type { SavedRuns } from './useSavedRuns';
import type { Trainer } from './trainer-types';

export interface RunLauncher {
  /**
   * Trains `config` under the next free run id and shows it; `tag` marks a sweep's row. Null
   * when the worker could not start it.
   */
  startRun: (config: ExperimentConfig, tag?: SweepTag) => string | null;
  /**
   * Races `racers` under the next free run ids (tagged as the race's rows, seed `repeat`); null
   * when the worker could not start it.
   */
  startRace: (racers: Racer[], repeat: number) => string[] | null;
  /** Continues an interrupted run from the checkpoint the worker stored, with its curves so far. */
  resumeRun: (run: SavedRun) => void;
}

export function useRunLauncher(
  trainer: Pick<Trainer, 'runs' | 'start' | 'startRace'>,
  saved: SavedRuns,
  show: (id: string) => void,
  say: (message: RunsMessage) => void,
): RunLauncher {
  const { runs: sessionRuns, start, startRace: startRaceInWorker } = trainer;

  const startRun = useCallback(
    (runConfig: ExperimentConfig, tag?: SweepTag): string | null => {
      const id = nextRunId([...saved.runs.map((r) => r.id), ...sessionRuns.map((r) => r.id)]);
      if (tag) saved.tag(id, tag);
      const started = start(runConfig, id);
      if (started) show(started);
      return started;
    },
    [saved, sessionRuns, start, show],
  );

  const startRace = useCallback(
    (racers: Racer[], repeat: number): string[] | null => {
      const used = [...saved.runs.map((r) => r.id), ...sessionRuns.map((r) => r.id)];
      const ids: string[] = [];
      for (const _ of racers) ids.push(nextRunId([...used, ...ids]));
      racers.forEach((r, row) =>
        saved.tag(ids[row]!, { table: RACE_TABLE, row, label: r.label, repeat }),
      );
      return startRaceInWorker(racers.map((r, i) => ({ id: ids[i]!, config: r.config })));
    },
    [saved, sessionRuns, startRaceInWorker],
  );

  const resumeRun = useCallback(
    (run: SavedRun) => {
      const started = start(run.config, run.id, {
        points: run.points,
        evals: run.evals,
        divergences: run.divergences ?? [],
      });
      if (!started) return;
      show(started);
      say({
        text: `Resuming ${run.id} from its checkpoint of step ${run.checkpoint?.step ?? 0}.`,
        error: false,
      });
    },
    [start, show, say],
  );

  return { startRun, startRace, resumeRun };
}
