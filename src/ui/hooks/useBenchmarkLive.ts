import { useCallback, useEffect, useRef, useState } from 'react';
import type { BenchmarkEvent, BenchmarkOutcome } from '../../worker/protocol';
import type { BenchRow } from '../../benchmark-report/report';
import type { BenchmarkProgress, LiveSummary } from './benchmark-controller';

const NO_SUMMARY: LiveSummary = { peaks: null, tuning: null, largestConv: null };

/** Progress, rows and summary of the benchmark in progress, as the worker's events bring them. */
export function useBenchmarkLive() {
  const [progress, setProgress] = useState<BenchmarkProgress | null>(null);
  const [liveRows, setLiveRows] = useState<BenchRow[]>([]);
  const [liveSummary, setLiveSummary] = useState<LiveSummary>(NO_SUMMARY);
  /** The same, for a crashed worker's outcome (read outside a render). */
  const liveRef = useRef({ rows: liveRows, summary: liveSummary });
  useEffect(() => {
    liveRef.current = { rows: liveRows, summary: liveSummary };
  }, [liveRows, liveSummary]);

  /** Forgets the last run's measurements before the next one starts. */
  const reset = useCallback(() => {
    setLiveRows([]);
    setLiveSummary(NO_SUMMARY);
    setProgress(null);
  }, []);

  const clearProgress = useCallback(() => setProgress(null), []);

  const apply = useCallback((event: BenchmarkEvent) => {
    switch (event.type) {
      case 'progress':
        setProgress(event);
        break;
      case 'row':
        setLiveRows((rows) => [...rows, event.row]);
        break;
      case 'peaks':
        setLiveSummary((s) => ({ ...s, peaks: event.peaks }));
        break;
      case 'layers':
        setLiveSummary((s) => ({ ...s, tuning: event.tuning }));
        break;
      case 'largestConv':
        setLiveSummary((s) => ({ ...s, largestConv: event.largestConv }));
    }
  }, []);

  /** A run that ended without an answer from the worker, with what its events had brought. */
  const failed = useCallback((message: string): BenchmarkOutcome => {
    const { rows, summary } = liveRef.current;
    return {
      status: 'failed',
      message,
      adapter: '',
      rows,
      ...summary,
      seconds: 0,
    };
  }, []);

  return { progress, liveRows, liveSummary, reset, clearProgress, apply, failed };
}
