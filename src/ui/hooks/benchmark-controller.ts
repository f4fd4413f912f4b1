import type {
  BenchRow,
  LargestConv,
  LayerTuning,
  RooflinePeaks,
} from '../../benchmark-report/report';
import type { BenchmarkOutcome, BenchmarkRequest } from '../../worker/protocol';

export interface BenchmarkProgress {
  message: string;
  rowsDone: number;
  rowsTotal: number;
}

export interface LiveSummary {
  peaks: RooflinePeaks | null;
  tuning: LayerTuning | null;
  largestConv: LargestConv | null;
}

export interface BenchmarkController {
  running: boolean;
  /** Stop was pressed; the worker stops before its next step. */
  stopping: boolean;
  progress: BenchmarkProgress | null;
  /** Rows measured so far in the run in progress. */
  liveRows: BenchRow[];
  /** The roofline peaks, per-layer kernel timings and largest convolution of the run in progress. */
  liveSummary: LiveSummary;
  /** How the last run ended; null before the first and while one runs. */
  outcome: BenchmarkOutcome | null;
  /** The settings of the run shown (in progress or last). */
  request: BenchmarkRequest | null;
  run: (request: BenchmarkRequest) => void;
  stop: () => void;
}
