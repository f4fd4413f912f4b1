import {
  partialReportOf,
  plannedBasis,
  ratioBasis,
  reportAtBasis,
  STOPPED_BY_USER,
  type RatioBasis,
} from '../../benchmark-report/derive';
import type {
  BenchReport,
  LargestConv,
  LayerTuning,
  RooflinePeaks,
} from '../../benchmark-report/report';
import type { BenchmarkOutcome, BenchmarkRequest } from '../../worker/protocol';

export interface ShownReport {
  report: BenchReport;
  basis: RatioBasis | null;
  largestConv: LargestConv | null;
}

/** The report to show: the finished one, or what a stopped or failed run had measured. */
export function shownReport(
  outcome: BenchmarkOutcome,
  request: BenchmarkRequest | null,
): ShownReport | null {
  if (outcome.status === 'finished') {
    return {
      report: reportAtBasis(outcome.report),
      basis: ratioBasis(outcome.report.rows),
      largestConv: outcome.largestConv,
    };
  }
  if (outcome.rows.length === 0 && outcome.peaks === null) return null;
  const report = partialReportOf(
    {
      adapter: outcome.adapter,
      kernels: request?.kernels ?? 'auto',
      rows: outcome.rows,
      peaks: outcome.peaks,
      convGflops: outcome.largestConv?.gflops ?? null,
      tuning: outcome.tuning ?? null,
      reason: outcome.status === 'stopped' ? STOPPED_BY_USER : outcome.message,
    },
    request,
  );
  const basis =
    (request && plannedBasis(request.models, request.batches)) ?? ratioBasis(outcome.rows);
  return { report, basis, largestConv: outcome.largestConv };
}

/** The per-layer kernel timings of a run, when it got as far as timing them. */
export function tuningOf(outcome: BenchmarkOutcome): LayerTuning | null {
  if (outcome.status !== 'finished') return outcome.tuning ?? null;
  const { layers, tuningMs, tuningTimer } = outcome.report;
  return layers && tuningMs !== null && tuningTimer !== null
    ? { layers, ms: tuningMs, timer: tuningTimer }
    : null;
}

/** A report's roofline peaks, or null when it ended before they were measured. */
export function peaksOf(report: BenchReport): RooflinePeaks | null {
  const { peakGflops, peakGBps, peakFmaDispatchMs, peakCopyDispatchMs } = report;
  if (peakGflops === null || peakGBps === null) return null;
  return {
    gflops: peakGflops,
    gbps: peakGBps,
    fmaDispatchMs: peakFmaDispatchMs ?? 0,
    copyDispatchMs: peakCopyDispatchMs ?? 0,
  };
}
