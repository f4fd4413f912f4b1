import { useCallback, useEffect, useRef, useState } from 'react';
import { markInterrupted, type SavedRun, type SweepTag } from '../../experiments/saved-run';
import type { RunRecord } from '../runs';
import { toSavedRun } from '../saved-runs';
import * as store from '../storage/run-store';
import type { Trainer } from './useTrainer';

/** Live runs are written at most this often while they train. */
const PERSIST_MS = 1500;

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
 * the stored ones. Runs stored as 'running' were cut off by a reload and load as 'interrupted'.
 * Finished runs' weights are copied from the worker into the weights store.
 */
export function useSavedRuns(trainer: Pick<Trainer, 'runs' | 'exportWeights'>): SavedRuns {
  const [runs, setRuns] = useState<SavedRun[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [storageError, setStorageError] = useState<string | null>(null);
  const runsRef = useRef<SavedRun[]>([]);
  const seen = useRef(new Map<string, RunRecord>());
  const tags = useRef(new Map<string, SweepTag>());
  const pending = useRef(new Map<string, SavedRun>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const weightsRequested = useRef(new Set<string>());

  const fail = useCallback((err: unknown) => {
    setStorageError(
      `Saving runs in this browser failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }, []);

  const commit = useCallback((next: SavedRun[]) => {
    runsRef.current = next;
    setRuns(next);
  }, []);

  const flushPending = useCallback(() => {
    timer.current = null;
    const batch = [...pending.current.values()];
    pending.current.clear();
    if (batch.length > 0) store.saveRuns(batch).catch(fail);
  }, [fail]);

  const persist = useCallback(
    (run: SavedRun, now: boolean) => {
      pending.current.set(run.id, run);
      if (now) {
        if (timer.current) clearTimeout(timer.current);
        flushPending();
      } else if (!timer.current) {
        timer.current = setTimeout(flushPending, PERSIST_MS);
      }
    },
    [flushPending],
  );

  useEffect(() => {
    let cancelled = false;
    store
      .loadRuns()
      .then((stored) => {
        if (cancelled) return;
        const fixed = stored.map(markInterrupted);
        const changed = fixed.filter((r, i) => r !== stored[i]);
        if (changed.length > 0) store.saveRuns(changed).catch(fail);
        // Session runs that started before the store answered stay.
        const ids = new Set(fixed.map((r) => r.id));
        commit([...fixed, ...runsRef.current.filter((r) => !ids.has(r.id))]);
        setLoaded(true);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        fail(err);
        setLoaded(true);
      });
    return () => {
      cancelled = true;
    };
  }, [commit, fail]);

  useEffect(
    () => () => {
      if (timer.current) {
        clearTimeout(timer.current);
        flushPending();
      }
    },
    [flushPending],
  );

  // Mirror the trainer's runs.
  useEffect(() => {
    let next = runsRef.current;
    let changed = false;
    for (const record of trainer.runs) {
      if (seen.current.get(record.id) === record) continue;
      seen.current.set(record.id, record);
      const index = next.findIndex((r) => r.id === record.id);
      const previous = index >= 0 ? next[index] : undefined;
      const saved = toSavedRun(record, previous, Date.now(), tags.current.get(record.id) ?? null);
      next = index >= 0 ? next.map((r, i) => (i === index ? saved : r)) : [...next, saved];
      changed = true;
      // A new checkpoint is written at once, so that a reload right after it can resume.
      const newCheckpoint = saved.checkpoint?.step !== previous?.checkpoint?.step;
      persist(saved, saved.status !== 'running' || !previous || newCheckpoint);
      if (saved.status === 'finished' && !weightsRequested.current.has(saved.id)) {
        weightsRequested.current.add(saved.id);
        const id = saved.id;
        trainer
          .exportWeights(id)
          .then(async (weights) => {
            if (!weights) return;
            await store.saveWeights(id, weights);
            const current = runsRef.current.find((r) => r.id === id);
            if (!current) return;
            const withWeights = { ...current, hasWeights: true };
            commit(runsRef.current.map((r) => (r.id === id ? withWeights : r)));
            persist(withWeights, true);
          })
          .catch(fail);
      }
    }
    if (changed) commit(next);
  }, [trainer, trainer.runs, persist, commit, fail]);

  const tag = useCallback((id: string, sweep: SweepTag) => {
    tags.current.set(id, sweep);
  }, []);

  const rename = useCallback(
    (id: string, name: string) => {
      const trimmed = name.trim().slice(0, 200);
      if (!trimmed) return;
      const next = runsRef.current.map((r) => (r.id === id ? { ...r, name: trimmed } : r));
      commit(next);
      const run = next.find((r) => r.id === id);
      if (run) persist(run, true);
    },
    [commit, persist],
  );

  const remove = useCallback(
    (id: string) => {
      pending.current.delete(id);
      commit(runsRef.current.filter((r) => r.id !== id));
      store.deleteRun(id).catch(fail);
    },
    [commit, fail],
  );

  const add = useCallback(
    (incoming: SavedRun[]) => {
      const ids = new Set(incoming.map((r) => r.id));
      commit([...runsRef.current.filter((r) => !ids.has(r.id)), ...incoming]);
      store.saveRuns(incoming).catch(fail);
    },
    [commit, fail],
  );

  return { runs, loaded, storageError, tag, rename, remove, add };
}
