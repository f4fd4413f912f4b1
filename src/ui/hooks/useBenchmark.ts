import { useCallback, useEffect, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import type { BenchRow } from '../../benchmark/report';
import type {
  BenchmarkEvent,
  BenchmarkOutcome,
  BenchmarkRequest,
  TrainerWorkerApi,
} from '../../worker/protocol';
import { errorMessage } from './useTrainer';

export interface BenchmarkProgress {
  message: string;
  rowsDone: number;
  rowsTotal: number;
}

export interface BenchmarkController {
  running: boolean;
  /** Stop was pressed; the worker stops before its next step. */
  stopping: boolean;
  progress: BenchmarkProgress | null;
  /** Rows measured so far in the run in progress. */
  liveRows: { row: BenchRow; dispatches: number }[];
  /** How the last run ended; null before the first and while one runs. */
  outcome: BenchmarkOutcome | null;
  /** The settings of the run shown (in progress or last). */
  request: BenchmarkRequest | null;
  run: (request: BenchmarkRequest) => void;
  stop: () => void;
}

const failed = (message: string): BenchmarkOutcome => ({
  status: 'failed',
  message,
  adapter: '',
  rows: [],
  dispatchesPerStep: [],
  seconds: 0,
});

/** Runs the engine benchmark in the training worker and holds its progress and outcome. */
export function useBenchmark(api: Comlink.Remote<TrainerWorkerApi> | null): BenchmarkController {
  const [running, setRunning] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [progress, setProgress] = useState<BenchmarkProgress | null>(null);
  const [liveRows, setLiveRows] = useState<{ row: BenchRow; dispatches: number }[]>([]);
  const [outcome, setOutcome] = useState<BenchmarkOutcome | null>(null);
  const [request, setRequest] = useState<BenchmarkRequest | null>(null);
  /** Numbers the runs: events and answers of an earlier run (or a replaced worker) are ignored. */
  const runIdRef = useRef(0);
  const activeRef = useRef<number | null>(null);

  const settle = useCallback((id: number, result: BenchmarkOutcome) => {
    if (activeRef.current !== id) return;
    activeRef.current = null;
    setOutcome(result);
    setRunning(false);
    setStopping(false);
    setProgress(null);
  }, []);

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
    [api, settle],
  );

  const run = useCallback(
    (next: BenchmarkRequest) => {
      if (!api || activeRef.current !== null) return;
      const id = ++runIdRef.current;
      activeRef.current = id;
      setRunning(true);
      setStopping(false);
      setOutcome(null);
      setLiveRows([]);
      setProgress(null);
      setRequest(next);
      const onEvent = (event: BenchmarkEvent) => {
        if (activeRef.current !== id) return;
        if (event.type === 'progress') setProgress(event);
        else setLiveRows((rows) => [...rows, { row: event.row, dispatches: event.dispatches }]);
      };
      api.runBenchmark(next, Comlink.proxy(onEvent)).then(
        (result) => settle(id, result),
        (err: unknown) => settle(id, failed(`The benchmark failed: ${errorMessage(err)}`)),
      );
    },
    [api, settle],
  );

  const stop = useCallback(() => {
    if (!api || activeRef.current === null) return;
    setStopping(true);
    void api.stopBenchmark();
  }, [api]);

  return { running, stopping, progress, liveRows, outcome, request, run, stop };
}
