import { useCallback, useEffect, useRef, type Dispatch } from 'react';
import type { TrainerEvent } from '../../run/events';
import type { RunsAction } from '../runs';

/** How often queued worker events are folded into React state. */
const FLUSH_MS = 60;

/**
 * Worker events arrive by the hundred per second; folding each into React state would re-render
 * the page as often. They are queued and folded every FLUSH_MS, consecutive events of one run in
 * one reducer action. `flush` folds at once (before a new run, at a run's end).
 */
export function useEventBatch(dispatch: Dispatch<RunsAction>) {
  const queueRef = useRef<{ id: string; event: TrainerEvent }[]>([]);
  const timerRef = useRef<ReturnType<typeof setTimeout> | null>(null);

  const flush = useCallback(() => {
    if (timerRef.current !== null) clearTimeout(timerRef.current);
    timerRef.current = null;
    const queued = queueRef.current;
    if (queued.length === 0) return;
    queueRef.current = [];
    let i = 0;
    while (i < queued.length) {
      const id = queued[i]!.id;
      const events: TrainerEvent[] = [];
      while (i < queued.length && queued[i]!.id === id) events.push(queued[i++]!.event);
      dispatch({ type: 'events', id, events });
    }
  }, [dispatch]);

  /** Queues `event` of run `id`, folded within FLUSH_MS. */
  const push = useCallback(
    (id: string, event: TrainerEvent) => {
      queueRef.current.push({ id, event });
      timerRef.current ??= setTimeout(flush, FLUSH_MS);
    },
    [flush],
  );

  useEffect(
    () => () => {
      if (timerRef.current !== null) clearTimeout(timerRef.current);
    },
    [],
  );

  return { push, flush };
}
