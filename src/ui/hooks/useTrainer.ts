import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import type { ExperimentConfig } from '../../config';
import { errorMessage } from '../../errors';
import type { TrainerWorkerApi } from '../../worker/protocol';
import type { BackendInfo, NamedWeight, TrainerEvent } from '../../run/events';
import { createTrainerWorker } from '../createTrainerWorker';
import { INITIAL_RUNS, isActive, runsReducer, type RunHistory, type RunRecord } from '../runs';

/** How often queued worker events are folded into React state. */
const FLUSH_MS = 60;
/** A worker that keeps crashing (e.g. its script cannot load) is not restarted forever. */
const MAX_WORKER_RESTARTS = 3;

/**
 * Test hooks on `window.__tricksPlayground` (used by the e2e tests; harmless for a user, who
 * could crash their own worker from the console anyway).
 */
export interface TestHooks {
  /** Destroys the worker's GPU device: it is re-created and the run resumes from its checkpoint. */
  simulateDeviceLoss(): Promise<boolean>;
  /** Throws an uncaught error in the worker: the run fails, the worker is restarted. */
  crashWorker(): Promise<void>;
}

declare global {
  interface Window {
    __tricksPlayground?: TestHooks;
  }
}

export interface Trainer {
  backend: BackendInfo | null;
  /** The worker could not start, or crashed. */
  workerError: string | null;
  runs: RunRecord[];
  selected: RunRecord | null;
  active: RunRecord | null;
  /**
   * Starts a run; `id` defaults to the next session id. With `history`, the run resumes from
   * the checkpoint stored in the browser and its curves continue from `history`.
   */
  start: (config: ExperimentConfig, id?: string, history?: RunHistory) => string | null;
  /** A run is in the worker (until its 'ended' event, or start() fails); a new run must wait. */
  busy: boolean;
  /** Trained weights of a finished run of this session (null when the worker has none). */
  exportWeights: (id: string) => Promise<NamedWeight[] | null>;
  pause: () => void;
  resume: () => void;
  step: () => void;
  stop: () => void;
  select: (id: string) => void;
  /** The worker's API once it exists (datasets and the augmentation preview use it directly). */
  api: Comlink.Remote<TrainerWorkerApi> | null;
}

export function useTrainer(): Trainer {
  const [state, dispatch] = useReducer(runsReducer, INITIAL_RUNS);
  const [backend, setBackend] = useState<BackendInfo | null>(null);
  const [workerError, setWorkerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const apiRef = useRef<Comlink.Remote<TrainerWorkerApi> | null>(null);
  const [api, setApi] = useState<Comlink.Remote<TrainerWorkerApi> | null>(null);
  const currentRunRef = useRef<string | null>(null);
  const counterRef = useRef(0);
  const queueRef = useRef<{ id: string; event: TrainerEvent }[]>([]);
  const timerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** Bumped to replace a crashed worker with a new one. */
  const [generation, setGeneration] = useState(0);
  const restartsRef = useRef(0);
  const generationRef = useRef(0);

  const flush = useCallback(() => {
    if (timerRef.current !== null) clearTimeout(timerRef.current);
    timerRef.current = null;
    const queued = queueRef.current;
    if (queued.length === 0) return;
    queueRef.current = [];
    // Group consecutive events of the same run into one reducer action.
    let i = 0;
    while (i < queued.length) {
      const id = queued[i]!.id;
      const events: TrainerEvent[] = [];
      while (i < queued.length && queued[i]!.id === id) events.push(queued[i++]!.event);
      dispatch({ type: 'events', id, events });
    }
  }, []);

  const enqueue = useCallback(
    (event: TrainerEvent) => {
      if (event.type === 'backend') {
        setBackend(event.info);
        return;
      }
      const id = currentRunRef.current;
      if (!id) {
        if (event.type === 'error') setWorkerError(event.message);
        return;
      }
      queueRef.current.push({ id, event });
      if (event.type === 'ended') {
        // The worker's last word on the run (it may come after start()'s answer, which travels
        // on another port): fold everything now and let the next run start.
        flush();
        setBusy(false);
      } else if (timerRef.current === null) {
        timerRef.current = setTimeout(flush, FLUSH_MS);
      }
    },
    [flush],
  );

  useEffect(() => {
    let cancelled = false;
    let worker: Worker;
    try {
      worker = createTrainerWorker();
    } catch (err) {
      queueMicrotask(() =>
        setWorkerError(`The training worker could not be created: ${String(err)}`),
      );
      return;
    }
    const fail = (message: string) => {
      if (cancelled) return;
      setWorkerError(message);
      const id = currentRunRef.current;
      if (id) {
        queueRef.current.push({ id, event: { type: 'error', message } });
        flush();
      }
    };
    /** The worker's state is unknown after a crash: fail its run and start a fresh worker. */
    const crashed = (message: string) => {
      if (cancelled) return;
      const id = currentRunRef.current;
      fail(message);
      if (id) dispatch({ type: 'settle', id, error: message });
      currentRunRef.current = null;
      setBusy(false);
      setBackend(null);
      if (restartsRef.current >= MAX_WORKER_RESTARTS) {
        setWorkerError(`${message} It crashed ${restartsRef.current + 1} times; reload the page.`);
        return;
      }
      restartsRef.current++;
      setWorkerError(
        `${message}${id ? ` Run ${id} was marked failed.` : ''} The worker has been restarted.`,
      );
      setGeneration((g) => g + 1);
    };
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      crashed(
        `The training worker crashed: ${e.message || 'unknown error (see the browser console)'}.`,
      );
    });
    worker.addEventListener('messageerror', () =>
      fail('A message from the training worker could not be read.'),
    );
    const api = Comlink.wrap<TrainerWorkerApi>(worker);
    apiRef.current = api;
    generationRef.current = generation;
    queueMicrotask(() => !cancelled && setApi(() => api));
    window.__tricksPlayground = {
      simulateDeviceLoss: () => api.simulateDeviceLoss(),
      crashWorker: () => api.crashWorker(),
    };
    api
      .init(Comlink.proxy(enqueue))
      .then((info) => {
        if (!cancelled) setBackend(info);
      })
      .catch((err: unknown) => fail(`Backend initialization failed: ${errorMessage(err)}`));
    return () => {
      cancelled = true;
      apiRef.current = null;
      setApi(null);
      api[Comlink.releaseProxy]();
      worker.terminate();
    };
  }, [enqueue, flush, generation]);

  useEffect(
    () => () => {
      if (timerRef.current !== null) clearTimeout(timerRef.current);
    },
    [],
  );

  const start = useCallback(
    (config: ExperimentConfig, requestedId?: string, history?: RunHistory): string | null => {
      const api = apiRef.current;
      if (!api) return null;
      flush();
      const id = requestedId ?? `r${++counterRef.current}`;
      const generationAtStart = generationRef.current;
      // A crashed worker's promise may settle late or never; its run was failed already.
      const current = () => generationRef.current === generationAtStart;
      setBusy(true);
      currentRunRef.current = id;
      dispatch({ type: 'start', id, config, history });
      // A run that started ends with its 'ended' event (see enqueue); start() rejects only when
      // the worker refused the run, which then sends no events.
      api.start(id, config, { resume: !!history }).catch((err: unknown) => {
        if (!current()) return;
        flush();
        dispatch({ type: 'settle', id, error: errorMessage(err) });
        setBusy(false);
      });
      return id;
    },
    [flush],
  );

  const pause = useCallback(() => void apiRef.current?.pause(), []);
  const resume = useCallback(() => void apiRef.current?.resume(), []);
  const step = useCallback(() => void apiRef.current?.step(), []);
  const stop = useCallback(() => void apiRef.current?.stop(), []);
  const select = useCallback((id: string) => dispatch({ type: 'select', id }), []);
  const exportWeights = useCallback(
    async (id: string) => (apiRef.current ? apiRef.current.exportWeights(id) : null),
    [],
  );

  const selected = state.runs.find((r) => r.id === state.selectedId) ?? null;
  const active = state.runs.find((r) => isActive(r)) ?? null;
  return {
    backend,
    workerError,
    runs: state.runs,
    selected,
    active,
    start,
    busy,
    exportWeights,
    pause,
    resume,
    step,
    stop,
    select,
    api,
  };
}
