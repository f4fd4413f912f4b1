import { useCallback, useEffect, useRef, useState } from 'react';
import * as Comlink from 'comlink';
import type { BenchRow, LargestConv, LayerTuning } from '../../benchmark/report';
import type {
  BenchmarkEvent,
  BenchmarkOutcome,
  BenchmarkRequest,
  TrainerWorkerApi,
} from '../../worker/protocol';
import { errorMessage } from '../../errors';

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
  /** The FMA peak, per-layer kernel timings and largest convolution of the run in progress. */
  liveSummary: LiveSummary;
  /** How the last run ended; null before the first and while one runs. */
  outcome: BenchmarkOutcome | null;
  /** The settings of the run shown (in progress or last). */
  request: BenchmarkRequest | null;
  run: (request: BenchmarkRequest) => void;
  stop: () => void;
}

export interface LiveSummary {
  peakGflops: number | null;
  tuning: LayerTuning | null;
  largestConv: LargestConv | null;
}

const NO_SUMMARY: LiveSummary = { peakGflops: null, tuning: null, largestConv: null };

/** A run that ended without an answer from the worker, with what its events had brought. */
const failed = (
  message: string,
  live: { row: BenchRow; dispatches: number }[] = [],
  summary: LiveSummary = NO_SUMMARY,
): BenchmarkOutcome => ({
  status: 'failed',
  message,
  adapter: '',
  rows: live.map((r) => r.row),
  dispatchesPerStep: live.map((r) => r.dispatches),
  ...summary,
  seconds: 0,
});

/** Runs the engine benchmark in the training worker and holds its progress and outcome. */
export function useBenchmark(api: Comlink.Remote<TrainerWorkerApi> | null): BenchmarkController {
  const [running, setRunning] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [progress, setProgress] = useState<BenchmarkProgress | null>(null);
  const [liveRows, setLiveRows] = useState<{ row: BenchRow; dispatches: number }[]>([]);
  const [liveSummary, setLiveSummary] = useState<LiveSummary>(NO_SUMMARY);
  /** The same, for a crashed worker's outcome (read outside a render). */
  const liveRef = useRef({ rows: liveRows, summary: liveSummary });
  useEffect(() => {
    liveRef.current = { rows: liveRows, summary: liveSummary };
  }, [liveRows, liveSummary]);
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
            failed(
              'The training worker stopped during the benchmark (crashed or restarted).',
              liveRef.current.rows,
              liveRef.current.summary,
            ),
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
      setLiveSummary(NO_SUMMARY);
      setProgress(null);
      setRequest(next);
      const onEvent = (event: BenchmarkEvent) => {
        if (activeRef.current !== id) return;
        switch (event.type) {
          case 'progress':
            setProgress(event);
            break;
          case 'row':
            setLiveRows((rows) => [...rows, { row: event.row, dispatches: event.dispatches }]);
            break;
          case 'peak':
            setLiveSummary((s) => ({ ...s, peakGflops: event.peakGflops }));
            break;
          case 'layers':
            setLiveSummary((s) => ({ ...s, tuning: event.tuning }));
            break;
          case 'largestConv':
            setLiveSummary((s) => ({ ...s, largestConv: event.largestConv }));
        }
      };
      api.runBenchmark(next, Comlink.proxy(onEvent)).then(
        (result) => settle(id, result),
        (err: unknown) =>
          settle(
            id,
            failed(
              `The benchmark failed: ${errorMessage(err)}`,
              liveRef.current.rows,
              liveRef.current.summary,
            ),
          ),
      );
    },
    [api, settle],
  );

  const stop = useCallback(() => {
    if (!api || activeRef.current === null) return;
    setStopping(true);
    void api.stopBenchmark();
  }, [api]);

  return { running, stopping, progress, liveRows, liveSummary, outcome, request, run, stop };
}
