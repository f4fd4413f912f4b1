import { useMemo, useState } from 'react';
import {
  checkTargets,
  isCpuAdapter,
  partialReportOf,
  plannedBasis,
  ratioBasis,
  reportAtBasis,
  reportJson,
  STOPPED_BY_USER,
  type RatioBasis,
  type TargetCheck,
} from '../../benchmark/derive';
import {
  READBACK_STEPS,
  syncCell,
  tuningCell,
  type BenchReport,
  type BenchRow,
  type LargestConv,
  type LayerTuning,
} from '../../benchmark/report';
import type { BenchmarkOutcome, BenchmarkRequest } from '../../worker/protocol';
import { downloadFile } from '../download';
import { formatDuration, formatPercent } from '../format';
import type { BenchmarkController } from '../hooks/useBenchmark';
import { EpochTables } from './BenchmarkEpochTables';
import { BenchmarkLayersTable } from './BenchmarkLayersTable';
import { MODEL_NAMES, times } from './benchmark-format';

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function targetValue(t: TargetCheck): string {
  if (t.value === null) return '—';
  if (t.key === 'noGrowth') return String(t.value);
  if (t.key === 'convFractionOfPeak') return formatPercent(t.value);
  return times(t.value);
}

function RowsTable({
  rows,
  dispatches,
  leakStep,
}: {
  rows: BenchRow[];
  dispatches: number[];
  leakStep: number;
}) {
  return (
    <div className="table-scroll">
      <table data-testid="benchmark-table" aria-label="Benchmark rows">
        <caption className="small muted">
          images/s: the loss read back every {READBACK_STEPS} steps, as training does; sync
          images/s: read back after every step. tf.layers’ trainOnBatch always reads back, so its
          two figures are one (same). The ratios use images/s.
        </caption>
        <thead>
          <tr>
            <th scope="col">variant</th>
            <th scope="col">network</th>
            <th scope="col" className="num">
              batch
            </th>
            <th scope="col">kernels</th>
            <th scope="col" className="num">
              images/s
            </th>
            <th scope="col" className="num">
              sync images/s
            </th>
            <th scope="col" className="num">
              first step ms
            </th>
            <th scope="col">first step tuning</th>
            <th scope="col" className="num">
              tensors @1 / @{leakStep}
            </th>
            <th scope="col" className="num">
              GPU MB @1 / @{leakStep}
            </th>
            <th scope="col" className="num">
              dispatches/step
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr
              key={`${r.name}-${r.model}-${r.batch}`}
              data-variant={r.name}
              data-model={r.model}
              data-batch={r.batch}
            >
              <td>{r.name}</td>
              <td>{MODEL_NAMES[r.model]}</td>
              <td className="num">{r.batch}</td>
              <td data-col="kernels">{r.kernels}</td>
              <td className="num" data-col="imgPerSec" data-value={r.imgPerSec}>
                {r.imgPerSec.toFixed(1)}
              </td>
              <td className="num" data-col="imgPerSecSync" data-value={r.imgPerSecSync}>
                {syncCell(r)}
              </td>
              <td className="num">{r.firstStepMs.toFixed(0)}</td>
              <td data-col="firstStepTuning" data-value={r.firstStepTuning}>
                {tuningCell(r)}
              </td>
              <td className="num">
                {r.tensorsAt1} / {r.tensorsAt200}
              </td>
              <td className="num">
                {mb(r.gpuBytesAt1)} / {mb(r.gpuBytesAt200)}
              </td>
              <td className="num">{dispatches[i] ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TargetsTable({ report, basis }: { report: BenchReport; basis: RatioBasis | null }) {
  return (
    <table data-testid="benchmark-targets" aria-label="Ratios against the targets">
      <caption className="small muted">
        Ratios for {basis ? `${MODEL_NAMES[basis.model]} at batch ${basis.batch}` : '—'}
        {basis && basis.batch !== 128 ? ' (the issue’s targets are set at batch 128)' : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">ratio</th>
          <th scope="col" className="num">
            measured
          </th>
          <th scope="col" className="num">
            target
          </th>
          <th scope="col">result</th>
        </tr>
      </thead>
      <tbody>
        {checkTargets(report).map((t) => (
          <tr key={t.key} data-key={t.key} data-met={String(t.met)}>
            <td>{t.label}</td>
            <td className="num" data-value={t.value ?? ''}>
              {targetValue(t)}
            </td>
            <td className="num">{t.target}</td>
            <td className={t.met === null ? 'muted' : t.met ? 'met' : 'not-met'}>
              {t.met === null ? 'not measured' : t.met ? 'met' : 'not met'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReportActions({ report }: { report: BenchReport }) {
  const [copyState, setCopyState] = useState<string | null>(null);
  const json = reportJson(report);
  const what = report.complete ? 'JSON' : `Partial JSON report (${report.reason ?? 'incomplete'})`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(json);
      setCopyState(`${what} copied to the clipboard.`);
    } catch {
      setCopyState('Copy failed: the browser refused clipboard access; use Download JSON.');
    }
  };
  return (
    <>
      {!report.complete && (
        <p className="small muted" data-testid="benchmark-partial-json">
          The JSON report is partial (<code>&quot;complete&quot;: false</code>):{' '}
          {report.reason?.replace(/\.$/, '')}.
        </p>
      )}
      <div className="toolbar">
        <button type="button" onClick={() => void copy()}>
          Copy JSON
        </button>
        <button
          type="button"
          onClick={() =>
            downloadFile(
              report.complete
                ? 'tricks-playground-benchmark.json'
                : 'tricks-playground-benchmark-partial.json',
              json,
              'application/json',
            )
          }
        >
          Download JSON
        </button>
        <span role="status" className="copy-status small">
          {copyState}
        </span>
      </div>
    </>
  );
}

/** FMA peak and largest convolution, or which of them the run ended before. */
function PeakLine({
  peakGflops,
  largestConv,
}: {
  peakGflops: number | null;
  largestConv: LargestConv | null;
}) {
  if (peakGflops === null) {
    return (
      <p className="small muted" data-testid="benchmark-peak">
        FMA peak: not measured (the run ended before it).
      </p>
    );
  }
  return (
    <p className="small" data-testid="benchmark-peak">
      FMA peak <strong>{peakGflops.toFixed(1)} GFLOP/s</strong>;{' '}
      {largestConv ? (
        <>
          largest convolution {largestConv.name} ({largestConv.shape}, f32 forward,{' '}
          {largestConv.kernel} kernel) <strong>{largestConv.gflops.toFixed(1)} GFLOP/s</strong> ={' '}
          {formatPercent(largestConv.gflops / peakGflops)} of peak.
        </>
      ) : (
        'largest convolution: not measured (the run ended before it).'
      )}
    </p>
  );
}

interface Shown {
  report: BenchReport;
  basis: RatioBasis | null;
  largestConv: LargestConv | null;
}

/** The per-layer table for the run's basis (the tuning is of the ratio network at that batch). */
function LayersSection({
  tuning,
  request,
  rows,
}: {
  tuning: LayerTuning | null;
  request: BenchmarkRequest | null;
  rows: BenchRow[];
}) {
  if (!tuning) return null;
  const basis = (request && plannedBasis(request.models, request.batches)) ?? ratioBasis(rows);
  if (!basis) return null;
  return (
    <>
      <h3>Convolution kernels per layer</h3>
      <BenchmarkLayersTable
        tuning={tuning}
        kernels={request?.kernels ?? 'auto'}
        model={basis.model}
        batch={basis.batch}
      />
    </>
  );
}

/** The report to show: the finished one, or what a stopped or failed run had measured. */
function shownReport(outcome: BenchmarkOutcome, request: BenchmarkRequest | null): Shown | null {
  if (outcome.status === 'finished') {
    return {
      report: reportAtBasis(outcome.report),
      basis: ratioBasis(outcome.report.rows),
      largestConv: outcome.largestConv,
    };
  }
  if (outcome.rows.length === 0 && outcome.peakGflops === null) return null;
  const report = partialReportOf(
    {
      adapter: outcome.adapter,
      kernels: request?.kernels ?? 'auto',
      rows: outcome.rows,
      peakGflops: outcome.peakGflops,
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

function tuningOf(outcome: BenchmarkOutcome): LayerTuning | null {
  if (outcome.status !== 'finished') return outcome.tuning ?? null;
  const { layers, tuningMs, tuningTimer } = outcome.report;
  return layers && tuningMs !== null && tuningTimer !== null
    ? { layers, ms: tuningMs, timer: tuningTimer }
    : null;
}

/**
 * Rows as they come, then the report: peak, ratios against the targets, time per epoch and the
 * JSON. A stopped or failed run shows everything it measured, its JSON marked partial.
 */
export function BenchmarkResults({ benchmark }: { benchmark: BenchmarkController }) {
  const { outcome, request, liveRows, liveSummary, running } = benchmark;
  const shown = useMemo(() => (outcome ? shownReport(outcome, request) : null), [outcome, request]);
  if (running) {
    if (!request || (liveRows.length === 0 && liveSummary.peakGflops === null)) return null;
    return (
      <>
        <PeakLine peakGflops={liveSummary.peakGflops} largestConv={liveSummary.largestConv} />
        <LayersSection
          tuning={liveSummary.tuning}
          request={request}
          rows={liveRows.map((r) => r.row)}
        />
        {liveRows.length > 0 && (
          <RowsTable
            rows={liveRows.map((r) => r.row)}
            dispatches={liveRows.map((r) => r.dispatches)}
            leakStep={request.leakStep}
          />
        )}
      </>
    );
  }
  if (!outcome) return null;
  const leakStep = outcome.status === 'finished' ? outcome.leakStep : (request?.leakStep ?? 0);
  const rows = outcome.status === 'finished' ? outcome.report.rows : outcome.rows;
  const adapter = outcome.status === 'finished' ? outcome.report.adapter : outcome.adapter;
  const measured = shown !== null && outcome.status !== 'finished';
  return (
    <div className="bench-results" data-testid="benchmark-results" data-status={outcome.status}>
      {outcome.status === 'stopped' && (
        <p className="notice" role="status" data-testid="benchmark-status">
          {outcome.message}{' '}
          {measured
            ? 'Everything measured before the stop is below; a ratio whose rows were not measured says so, and the JSON report is marked partial.'
            : 'Nothing had been measured yet.'}
        </p>
      )}
      {outcome.status === 'failed' && (
        <p className="notice notice-error" role="alert" data-testid="benchmark-status">
          {outcome.message}
          {measured &&
            ' What was measured before the failure is below; the JSON report is marked partial.'}
        </p>
      )}
      {(rows.length > 0 || shown) && (
        <p className="small">
          Adapter: <strong data-testid="benchmark-adapter">{adapter}</strong> ·{' '}
          {request &&
            `width ×${request.width}, kernels ${request.kernels}, ${request.warmupSteps} warm-up + ${request.timedSteps} timed steps (twice for the engine: readback every ${READBACK_STEPS} steps, then every step), memory read after steps 1 and ${leakStep} · `}
          {formatDuration(outcome.seconds)}
        </p>
      )}
      {adapter && isCpuAdapter(adapter) && (rows.length > 0 || shown) && (
        <p className="small muted" data-testid="benchmark-cpu-note">
          This adapter runs WebGPU on the CPU: the figures check that every path runs and are noisy;
          they say little about a GPU.
        </p>
      )}
      {rows.length > 0 && (
        <RowsTable rows={rows} dispatches={outcome.dispatchesPerStep} leakStep={leakStep} />
      )}
      {shown && (
        <>
          <PeakLine peakGflops={shown.report.peakGflops} largestConv={shown.largestConv} />
          <LayersSection tuning={tuningOf(outcome)} request={request} rows={rows} />
          <TargetsTable report={shown.report} basis={shown.basis} />
          <ReportActions report={shown.report} />
        </>
      )}
      {rows.length > 0 && <EpochTables rows={rows} />}
    </div>
  );
}
