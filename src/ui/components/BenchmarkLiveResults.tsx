import type { BenchmarkRequest } from '../../worker/protocol';
import type { LiveRow, LiveSummary } from '../hooks/benchmark-controller';
import { BenchmarkLayersSection } from './BenchmarkLayersSection';
import { BenchmarkPeakLine } from './BenchmarkPeakLine';
import { BenchmarkRowsTable } from './BenchmarkRowsTable';

/** What the run in progress has measured so far: peak, per-layer kernels, then rows as they come. */
export function BenchmarkLiveResults({
  request,
  liveRows,
  liveSummary,
}: {
  request: BenchmarkRequest | null;
  liveRows: LiveRow[];
  liveSummary: LiveSummary;
}) {
  if (!request || (liveRows.length === 0 && liveSummary.peakGflops === null)) return null;
  return (
    <>
      <BenchmarkPeakLine
        peakGflops={liveSummary.peakGflops}
        largestConv={liveSummary.largestConv}
      />
      <BenchmarkLayersSection
        tuning={liveSummary.tuning}
        request={request}
        rows={liveRows.map((r) => r.row)}
      />
      {liveRows.length > 0 && (
        <BenchmarkRowsTable
          rows={liveRows.map((r) => r.row)}
          dispatches={liveRows.map((r) => r.dispatches)}
          leakStep={request.leakStep}
        />
      )}
    </>
  );
}
