import { useEffect, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import { errorMessage } from '../../errors';
import type { BackendInfo, TrainerEvent } from '../../run/events';
import type { TrainerWorkerApi } from '../../worker/protocol';
import { createTrainerWorker } from '../createTrainerWorker';
import { failpointsForPage } from '../failpoints';

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

export interface WorkerCallbacks {
  onEvent(event: TrainerEvent): void;
  onBackend(info: BackendInfo): void;
  /** The worker could not be created at all. */
  onUnavailable(message: string): void;
  /** Something failed that the worker survives (a message it could not read, a failed init). */
  onFailure(message: string): void;
  /** The worker crashed: its state is unknown, a new one is needed. */
  onCrash(message: string): void;
}

/**
 * The training worker of one `generation` (bumping it replaces a crashed worker) and its Comlink
 * API. Callbacks must be stable (useCallback): a new one would restart the worker.
 */
export function useTrainerWorker(generation: number, callbacks: WorkerCallbacks) {
  const { onEvent, onBackend, onUnavailable, onFailure, onCrash } = callbacks;
  const apiRef = useRef<Comlink.Remote<TrainerWorkerApi> | null>(null);
  const [api, setApi] = useState<Comlink.Remote<TrainerWorkerApi> | null>(null);
  /** The generation whose worker `apiRef` holds: a late answer of an older worker is ignored. */
  const generationRef = useRef(0);

  useEffect(() => {
    let cancelled = false;
    let worker: Worker;
    try {
      worker = createTrainerWorker();
    } catch (err) {
      queueMicrotask(() =>
        onUnavailable(`The training worker could not be created: ${String(err)}`),
      );
      return;
    }
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      if (cancelled) return;
      onCrash(
        `The training worker crashed: ${e.message || 'unknown error (see the browser console)'}.`,
      );
    });
    worker.addEventListener('messageerror', () => {
      if (!cancelled) onFailure('A message from the training worker could not be read.');
    });
    const remote = Comlink.wrap<TrainerWorkerApi>(worker);
    apiRef.current = remote;
    generationRef.current = generation;
    queueMicrotask(() => !cancelled && setApi(() => remote));
    window.__tricksPlayground = {
      simulateDeviceLoss: () => remote.simulateDeviceLoss(),
      crashWorker: () => remote.crashWorker(),
    };
    remote
      .init(Comlink.proxy(onEvent), failpointsForPage())
      .then((info) => {
        if (!cancelled) onBackend(info);
      })
      .catch((err: unknown) => {
        if (!cancelled) onFailure(`Backend initialization failed: ${errorMessage(err)}`);
      });
    return () => {
      cancelled = true;
      apiRef.current = null;
      setApi(null);
      remote[Comlink.releaseProxy]();
      worker.terminate();
    };
  }, [generation, onEvent, onBackend, onUnavailable, onFailure, onCrash]);

  return { api, apiRef, generationRef };
}
