import { useMemo } from 'react';
import type { BenchmarkController } from '../hooks/benchmark-controller';
import { EpochTables } from './BenchmarkEpochTables';
import { BenchmarkLayersSection } from './BenchmarkLayersSection';
import { BenchmarkLiveResults } from './BenchmarkLiveResults';
import { BenchmarkOutcomeNotice } from './BenchmarkOutcomeNotice';
import { BenchmarkPeakLine } from './BenchmarkPeakLine';
import { BenchmarkReportActions } from './BenchmarkReportActions';
import { BenchmarkRowsTable } from './BenchmarkRowsTable';
import { BenchmarkRunSummary } from './BenchmarkRunSummary';
import { BenchmarkStepProfiles } from './BenchmarkStepProfiles';
import { BenchmarkTargetsTable } from './BenchmarkTargetsTable';
import { peaksOf, shownReport, tuningOf } from './benchmark-shown';

/**
 * Rows as they come, then the report: peak, ratios against the targets, time per epoch and the
 * JSON. A stopped or failed run shows everything it measured, its JSON marked partial.
 */
export function BenchmarkResults({ benchmark }: { benchmark: BenchmarkController }) {
  const { outcome, request, liveRows, liveSummary, running } = benchmark;
  const shown = useMemo(() => (outcome ? shownReport(outcome, request) : null), [outcome, request]);
  if (running) {
    return <BenchmarkLiveResults request={request} liveRows={liveRows} liveSummary={liveSummary} />;
  }
  if (!outcome) return null;
  const leakStep = outcome.status === 'finished' ? outcome.leakStep : (request?.leakStep ?? 0);
  const rows = outcome.status === 'finished' ? outcome.report.rows : outcome.rows;
  const adapter = outcome.status === 'finished' ? outcome.report.adapter : outcome.adapter;
  const measured = shown !== null && outcome.status !== 'finished';
  return (
    <div className="bench-results" data-testid="benchmark-results" data-status={outcome.status}>
      <BenchmarkOutcomeNotice outcome={outcome} measured={measured} />
      {(rows.length > 0 || shown) && (
        <BenchmarkRunSummary
          adapter={adapter}
          request={request}
          leakStep={leakStep}
          seconds={outcome.seconds}
        />
      )}
      {rows.length > 0 && <BenchmarkRowsTable rows={rows} leakStep={leakStep} />}
      {shown && (
        <>
          <BenchmarkPeakLine peaks={peaksOf(shown.report)} largestConv={shown.largestConv} />
          <BenchmarkLayersSection
            tuning={tuningOf(outcome)}
            request={request}
            rows={rows}
            peaks={peaksOf(shown.report)}
          />
          <BenchmarkTargetsTable report={shown.report} basis={shown.basis} />
          <BenchmarkReportActions report={shown.report} />
        </>
      )}
      {rows.length > 0 && <BenchmarkStepProfiles rows={rows} />}
      {rows.length > 0 && <EpochTables rows={rows} />}
    </div>
  );
}
