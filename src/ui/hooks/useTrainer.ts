import * as Comlink from 'comlink';
import { useCallback, useReducer, useRef, useState } from 'react';
import type { ExperimentConfig } from '../../config';
import { errorMessage } from '../../errors';
import type { BackendInfo, TrainerEvent } from '../../run/events';
import { INITIAL_RUNS, isActive, runsReducer, type RunHistory } from '../runs';
import type { Trainer } from './trainer-types';
import { useEventBatch } from './useEventBatch';
import { useTrainerWorker } from './useTrainerWorker';

/** A worker that keeps crashing (e.g. its script cannot load) is not restarted forever. */
const MAX_WORKER_RESTARTS = 3;

/** The session's runs as the worker reports them, and the controls of the one in the worker. */
export function useTrainer(): Trainer {
  const [state, dispatch] = useReducer(runsReducer, INITIAL_RUNS);
  const [backend, setBackend] = useState<BackendInfo | null>(null);
  const [workerError, setWorkerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The run in the worker, or a race's racers: the ids whose 'ended' event has not come yet. */
  const currentRunsRef = useRef<string[]>([]);
  /** The racers of the current race (all of them, ended or not); empty for a single run. */
  const [racerIds, setRacerIds] = useState<string[]>([]);
  /** Bumped to replace a crashed worker with a new one. */
  const [generation, setGeneration] = useState(0);
  const restartsRef = useRef(0);
  const { push, flush } = useEventBatch(dispatch);

  /** An event of run `id` (alone, or a racer). */
  const onRunEvent = useCallback(
    (id: string, event: TrainerEvent) => {
      push(id, event);
      if (event.type !== 'ended') return;
      // The worker's last word on the run (it may come after start()'s answer, which travels
      // on another port): fold everything now; the next run starts once every racer ended.
      currentRunsRef.current = currentRunsRef.current.filter((r) => r !== id);
      flush();
      if (currentRunsRef.current.length === 0) setBusy(false);
    },
    [push, flush],
  );

  const onEvent = useCallback(
    (event: TrainerEvent) => {
      if (event.type === 'backend') {
        setBackend(event.info);
        return;
      }
      const id = currentRunsRef.current[0];
      if (!id) {
        if (event.type === 'error') setWorkerError(event.message);
        return;
      }
      onRunEvent(id, event);
    },
    [onRunEvent],
  );

  const onFailure = useCallback(
    (message: string) => {
      setWorkerError(message);
      for (const id of currentRunsRef.current) push(id, { type: 'error', message });
      flush();
    },
    [push, flush],
  );

  /** The worker's state is unknown after a crash: fail its run and start a fresh worker. */
  const onCrash = useCallback(
    (message: string) => {
      const ids = currentRunsRef.current;
      onFailure(message);
      for (const id of ids) dispatch({ type: 'settle', id, error: message });
      currentRunsRef.current = [];
      setBusy(false);
      setBackend(null);
      if (restartsRef.current >= MAX_WORKER_RESTARTS) {
        setWorkerError(`${message} It crashed ${restartsRef.current + 1} times; reload the page.`);
        return;
      }
      restartsRef.current++;
      setWorkerError(
        `${message}${ids.length > 0 ? ` ${ids.length > 1 ? 'Runs' : 'Run'} ${ids.join(', ')} ${ids.length > 1 ? 'were' : 'was'} marked failed.` : ''} The worker has been restarted.`,
      );
      setGeneration((g) => g + 1);
    },
    [onFailure],
  );

  const { api, apiRef, generationRef } = useTrainerWorker(generation, {
    onEvent,
    onBackend: setBackend,
    onUnavailable: setWorkerError,
    onFailure,
    onCrash,
  });

  const start = useCallback(
    (config: ExperimentConfig, id: string, history?: RunHistory): string | null => {
      const remote = apiRef.current;
      if (!remote) return null;
      flush();
      const generationAtStart = generationRef.current;
      // A crashed worker's promise may settle late or never; its run was failed already.
      const current = () => generationRef.current === generationAtStart;
      setBusy(true);
      currentRunsRef.current = [id];
      setRacerIds([]);
      dispatch({ type: 'start', id, config, history });
      // A run that started ends with its 'ended' event (see onEvent); start() rejects only when
      // the worker refused the run, which then sends no events.
      remote.start(id, config, { resume: !!history }).catch((err: unknown) => {
        if (!current()) return;
        flush();
        dispatch({ type: 'settle', id, error: errorMessage(err) });
        setBusy(false);
      });
      return id;
    },
    [apiRef, flush, generationRef],
  );

  const startRace = useCallback(
    (racers: { id: string; config: ExperimentConfig }[]): string[] | null => {
      const remote = apiRef.current;
      if (!remote) return null;
      flush();
      const generationAtStart = generationRef.current;
      const current = () => generationRef.current === generationAtStart;
      const ids = racers.map((r) => r.id);
      setBusy(true);
      currentRunsRef.current = ids;
      setRacerIds(ids);
      for (const r of racers) dispatch({ type: 'start', id: r.id, config: r.config });
      const onRacerEvent = Comlink.proxy((id: string, event: TrainerEvent) =>
        onRunEvent(id, event),
      );
      // A race that does not fit is refused before training: every racer fails with the reason.
      remote
        .startRace(
          racers.map((r) => ({ runId: r.id, config: r.config })),
          onRacerEvent,
        )
        .catch((err: unknown) => {
          if (!current()) return;
          flush();
          for (const id of currentRunsRef.current) {
            dispatch({ type: 'settle', id, error: errorMessage(err) });
          }
          currentRunsRef.current = [];
          setBusy(false);
        });
      return ids;
    },
    [apiRef, flush, generationRef, onRunEvent],
  );

  const pause = useCallback(() => void apiRef.current?.pause(), [apiRef]);
  const resume = useCallback(() => void apiRef.current?.resume(), [apiRef]);
  const step = useCallback(() => void apiRef.current?.step(), [apiRef]);
  const stop = useCallback(() => void apiRef.current?.stop(), [apiRef]);
  const exportWeights = useCallback(
    async (id: string) => (apiRef.current ? apiRef.current.exportWeights(id) : null),
    [apiRef],
  );

  return {
    backend,
    workerError,
    runs: state.runs,
    active: state.runs.find((r) => isActive(r)) ?? null,
    racers: racerIds.flatMap((id) => state.runs.filter((r) => r.id === id)),
    start,
    startRace,
    busy,
    exportWeights,
    pause,
    resume,
    step,
    stop,
    api,
  };
}
