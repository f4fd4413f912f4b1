import type { BenchmarkRequest } from '../../worker/protocol';
import type { BenchRow } from '../../benchmark-report/report';
import type { LiveSummary } from '../hooks/benchmark-controller';
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
  liveRows: BenchRow[];
  liveSummary: LiveSummary;
}) {
  if (!request || (liveRows.length === 0 && liveSummary.peaks === null)) return null;
  return (
    <>
      <BenchmarkPeakLine peaks={liveSummary.peaks} largestConv={liveSummary.largestConv} />
      <BenchmarkLayersSection
        tuning={liveSummary.tuning}
        request={request}
        rows={liveRows}
        peaks={liveSummary.peaks}
      />
      {liveRows.length > 0 && <BenchmarkRowsTable rows={liveRows} leakStep={request.leakStep} />}
    </>
  );
}
