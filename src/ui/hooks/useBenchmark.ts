import { useCallback, useEffect, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import type {
  BenchmarkEvent,
  BenchmarkOutcome,
  BenchmarkRequest,
  TrainerWorkerApi,
} from '../../worker/protocol';
import { errorMessage } from '../../errors';
import type { BenchmarkController } from './benchmark-controller';
import { useBenchmarkLive } from './useBenchmarkLive';

/** Runs the engine benchmark in the training worker and holds its progress and outcome. */
export function useBenchmark(api: Comlink.Remote<TrainerWorkerApi> | null): BenchmarkController {
  const [running, setRunning] = useState(false);
  const [stopping, setStopping] = useState(false);
  const { progress, liveRows, liveSummary, reset, clearProgress, apply, failed } =
    useBenchmarkLive();
  const [outcome, setOutcome] = useState<BenchmarkOutcome | null>(null);
  const [request, setRequest] = useState<BenchmarkRequest | null>(null);
  /** Numbers the runs: events and answers of an earlier run (or a replaced worker) are ignored. */
  const runIdRef = useRef(0);
  const activeRef = useRef<number | null>(null);

  const settle = useCallback(
    (id: number, result: BenchmarkOutcome) => {
      if (activeRef.current !== id) return;
      activeRef.current = null;
      setOutcome(result);
      setRunning(false);
      setStopping(false);
      clearProgress();
    },
    [clearProgress],
  );

  // A crashed worker is replaced (a new api) and never answers: end the run with a message.
  useEffect(
    () => () => {
      const id = activeRef.current;
      if (id === null) return;
      setTimeout(
        () =>
          settle(
            id,
            failed('The training worker stopped during the benchmark (crashed or restarted).'),
          ),
        0,
      );
    },
    [api, settle, failed],
  );

  const run = useCallback(
    (next: BenchmarkRequest) => {
      if (!api || activeRef.current !== null) return;
      const id = ++runIdRef.current;
      activeRef.current = id;
      setRunning(true);
      setStopping(false);
      setOutcome(null);
      reset();
      setRequest(next);
      const onEvent = (event: BenchmarkEvent) => {
        if (activeRef.current === id) apply(event);
      };
      api.runBenchmark(next, Comlink.proxy(onEvent)).then(
        (result) => settle(id, result),
        (err: unknown) => settle(id, failed(`The benchmark failed: ${errorMessage(err)}`)),
      );
    },
    [api, settle, reset, apply, failed],
  );

  const stop = useCallback(() => {
    if (!api || activeRef.current === null) return;
    setStopping(true);
    void api.stopBenchmark();
  }, [api]);

  return { running, stopping, progress, liveRows, liveSummary, outcome, request, run, stop };
}
