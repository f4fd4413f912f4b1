import { useCallback, useEffect, useRef } from 'react';
import type { SavedRun, SweepTag } from '../../experiments/saved-run';
import { saveWeights } from '../../storage/run-store';
import type { RunRecord } from '../runs';
import { mustWriteNow, toSavedRun } from '../saved-runs';
import { useStoredRuns } from './useStoredRuns';
import type { Trainer } from './trainer-types';

export interface SavedRuns {
  runs: SavedRun[];
  /** The stored runs have been read (ids are known). */
  loaded: boolean;
  storageError: string | null;
  /** Tag a run about to start (sweeps). */
  tag: (id: string, sweep: SweepTag) => void;
  rename: (id: string, name: string) => void;
  remove: (id: string) => void;
  add: (runs: SavedRun[]) => void;
}

/**
 * Every run, saved in IndexedDB: this session's runs (mirrored from the trainer as they train) and
 * the stored ones. Finished runs' weights are copied from the worker into the weights store.
 */
export function useSavedRuns(trainer: Pick<Trainer, 'runs' | 'exportWeights'>): SavedRuns {
  const stored = useStoredRuns();
  const { find, put, fail } = stored;
  const { runs: records, exportWeights } = trainer;
  // The records already mirrored: the trainer replaces a record when it changes.
  const seen = useRef(new Map<string, RunRecord>());
  const tags = useRef(new Map<string, SweepTag>());
  const weightsRequested = useRef(new Set<string>());

  const keepWeights = useCallback(
    (id: string) => {
      if (weightsRequested.current.has(id)) return;
      weightsRequested.current.add(id);
      exportWeights(id)
        .then(async (weights) => {
          if (!weights) return;
          await saveWeights(id, weights);
          const current = find(id);
          if (current) put({ ...current, hasWeights: true }, true);
        })
        .catch(fail);
    },
    [exportWeights, find, put, fail],
  );

  useEffect(() => {
    for (const record of records) {
      if (seen.current.get(record.id) === record) continue;
      seen.current.set(record.id, record);
      const previous = find(record.id);
      const tag = tags.current.get(record.id) ?? null;
      const saved = toSavedRun(record, previous, Date.now(), tag);
      put(saved, mustWriteNow(saved, previous));
      if (saved.status === 'finished') keepWeights(saved.id);
    }
  }, [records, find, put, keepWeights]);

  const tag = useCallback((id: string, sweep: SweepTag) => {
    tags.current.set(id, sweep);
  }, []);

  return {
    runs: stored.runs,
    loaded: stored.loaded,
    storageError: stored.storageError,
    tag,
    rename: stored.rename,
    remove: stored.remove,
    add: stored.add,
  };
}
