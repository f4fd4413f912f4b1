import { useCallback, useEffect, useRef, useState } from 'react';
import { markInterrupted, type SavedRun } from '../../experiments/saved-run';
import { createRunWriter } from '../../storage/run-writer';
import * as store from '../../storage/run-store';
import { errorMessage } from '../../errors';

export interface StoredRuns {
  runs: SavedRun[];
  /** The stored runs have been read (ids are known). */
  loaded: boolean;
  storageError: string | null;
  /** The run as it is now, also between renders (in promise callbacks). */
  find: (id: string) => SavedRun | undefined;
  /** Adds or replaces one run; `writeNow` skips the write batching. */
  put: (run: SavedRun, writeNow: boolean) => void;
  rename: (id: string, name: string) => void;
  remove: (id: string) => void;
  add: (runs: SavedRun[]) => void;
  /** Reports a failed storage operation to the user. */
  fail: (err: unknown) => void;
}

/**
 * The list of saved runs and its copy in IndexedDB. Runs stored as 'running' were cut off by a
 * reload and load as 'interrupted'.
 */
export function useStoredRuns(): StoredRuns {
  const [runs, setRuns] = useState<SavedRun[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [storageError, setStorageError] = useState<string | null>(null);
  // The list as of the last change, for callbacks that run before React re-renders.
  const runsRef = useRef<SavedRun[]>([]);

  const fail = useCallback((err: unknown) => {
    setStorageError(`Saving runs in this browser failed: ${errorMessage(err)}`);
  }, []);
  const [writer] = useState(() => createRunWriter((batch) => store.saveRuns(batch), fail));

  const commit = useCallback((next: SavedRun[]) => {
    runsRef.current = next;
    setRuns(next);
  }, []);

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

  useEffect(() => () => writer.flush(), [writer]);

  const find = useCallback((id: string) => runsRef.current.find((r) => r.id === id), []);

  const put = useCallback(
    (run: SavedRun, writeNow: boolean) => {
      const list = runsRef.current;
      const index = list.findIndex((r) => r.id === run.id);
      commit(index >= 0 ? list.map((r, i) => (i === index ? run : r)) : [...list, run]);
      writer.write(run, writeNow);
    },
    [commit, writer],
  );

  const rename = useCallback(
    (id: string, name: string) => {
      const trimmed = name.trim().slice(0, 200);
      const run = find(id);
      if (trimmed && run) put({ ...run, name: trimmed }, true);
    },
    [find, put],
  );

  const remove = useCallback(
    (id: string) => {
      writer.forget(id);
      commit(runsRef.current.filter((r) => r.id !== id));
      store.deleteRun(id).catch(fail);
    },
    [commit, fail, writer],
  );

  const add = useCallback(
    (incoming: SavedRun[]) => {
      const ids = new Set(incoming.map((r) => r.id));
      commit([...runsRef.current.filter((r) => !ids.has(r.id)), ...incoming]);
      store.saveRuns(incoming).catch(fail);
    },
    [commit, fail],
  );

  return { runs, loaded, storageError, find, put, rename, remove, add, fail };
}
