import { useMemo, useState } from 'react';
import {
  checkTargets,
  epochTimes,
  isCpuAdapter,
  ratioBasis,
  reportAtBasis,
  reportJson,
  table3,
  type TargetCheck,
} from '../../benchmark/derive';
import type { BenchModel, BenchReport, BenchRow } from '../../benchmark/report';
import { downloadFile } from '../download';
import { formatDuration, formatPercent } from '../format';
import type { BenchmarkController } from '../hooks/useBenchmark';

const MODEL_NAMES: Record<BenchModel, string> = {
  'resnet18-style': 'ResNet-18-style',
  'resnet50-style': 'ResNet-50-style',
};

const CIFAR10_TRAIN_IMAGES = 50_000;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const times = (v: number | null) => (v === null ? '—' : `×${v.toFixed(2)}`);
const seconds = (s: number | null) => (s === null ? '—' : formatDuration(s));

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
        <thead>
          <tr>
            <th scope="col">variant</th>
            <th scope="col">network</th>
            <th scope="col" className="num">
              batch
            </th>
            <th scope="col" className="num">
              images/s
            </th>
            <th scope="col" className="num">
              first step ms
            </th>
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
            <tr key={`${r.name}-${r.model}-${r.batch}`} data-variant={r.name}>
              <td>{r.name}</td>
              <td>{MODEL_NAMES[r.model]}</td>
              <td className="num">{r.batch}</td>
              <td className="num" data-col="imgPerSec" data-value={r.imgPerSec}>
                {r.imgPerSec.toFixed(1)}
              </td>
              <td className="num">{r.firstStepMs.toFixed(0)}</td>
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

function TargetsTable({ report }: { report: BenchReport }) {
  const basis = ratioBasis(report.rows);
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

function EpochTables({ rows }: { rows: BenchRow[] }) {
  const [text, setText] = useState(String(CIFAR10_TRAIN_IMAGES));
  const images = Number(text);
  const valid = Number.isInteger(images) && images >= 1 && images <= 100_000_000;
  return (
    <div className="bench-epoch">
      <h3>Time per epoch</h3>
      <label className="bench-field">
        Images per epoch{' '}
        <input
          type="number"
          min={1}
          step={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>{' '}
      <span className="small muted">50,000 = the CIFAR-10 training set</span>
      {!valid ? (
        <p className="problems" role="status">
          Images per epoch must be a whole number from 1 to 100,000,000.
        </p>
      ) : (
        <>
          <table data-testid="benchmark-table3" aria-label="Time per epoch, baseline vs efficient">
            <caption className="small muted">
              Like the paper’s Table 3: baseline = stock tf.layers in f32 at the smallest batch;
              efficient = the fastest engine setting measured.
            </caption>
            <thead>
              <tr>
                <th scope="col">network</th>
                <th scope="col">baseline</th>
                <th scope="col">efficient</th>
                <th scope="col" className="num">
                  speed-up
                </th>
              </tr>
            </thead>
            <tbody>
              {table3(rows, images).map((t) => (
                <tr key={t.model} data-model={t.model}>
                  <td>{MODEL_NAMES[t.model]}</td>
                  <td>
                    {t.baseline
                      ? `${seconds(t.baseline.seconds)} (tf.layers, batch ${t.baseline.batch})`
                      : '—'}
                  </td>
                  <td>
                    {t.efficient
                      ? `${seconds(t.efficient.seconds)} (${t.efficient.variant}, batch ${t.efficient.batch})`
                      : '—'}
                  </td>
                  <td className="num">{times(t.speedup)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table aria-label="Time per epoch per batch">
            <thead>
              <tr>
                <th scope="col">network</th>
                <th scope="col" className="num">
                  batch
                </th>
                <th scope="col" className="num">
                  tf.layers
                </th>
                <th scope="col" className="num">
                  engine f32
                </th>
                <th scope="col" className="num">
                  engine f16
                </th>
                <th scope="col" className="num">
                  speed-up
                </th>
              </tr>
            </thead>
            <tbody>
              {epochTimes(rows, images).map((e) => (
                <tr key={`${e.model}-${e.batch}`}>
                  <td>{MODEL_NAMES[e.model]}</td>
                  <td className="num">{e.batch}</td>
                  <td className="num">{seconds(e.seconds['tf.layers'])}</td>
                  <td className="num">{seconds(e.seconds['engine f32'])}</td>
                  <td className="num">{seconds(e.seconds['engine f16'])}</td>
                  <td className="num">{times(e.speedup)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function ReportActions({ report }: { report: BenchReport }) {
  const [copyState, setCopyState] = useState<string | null>(null);
  const json = reportJson(report);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(json);
      setCopyState('JSON copied to the clipboard.');
    } catch {
      setCopyState('Copy failed: the browser refused clipboard access; use Download JSON.');
    }
  };
  return (
    <div className="toolbar">
      <button type="button" onClick={() => void copy()}>
        Copy JSON
      </button>
      <button
        type="button"
        onClick={() => downloadFile('tricks-playground-benchmark.json', json, 'application/json')}
      >
        Download JSON
      </button>
      <span role="status" className="copy-status small">
        {copyState}
      </span>
    </div>
  );
}

/** Rows as they come, then the finished report: peak, ratios against the targets, time per epoch. */
export function BenchmarkResults({ benchmark }: { benchmark: BenchmarkController }) {
  const { outcome, request, liveRows, running } = benchmark;
  const report = useMemo(
    () => (outcome?.status === 'finished' ? reportAtBasis(outcome.report) : null),
    [outcome],
  );
  if (running) {
    if (liveRows.length === 0 || !request) return null;
    return (
      <RowsTable
        rows={liveRows.map((r) => r.row)}
        dispatches={liveRows.map((r) => r.dispatches)}
        leakStep={request.leakStep}
      />
    );
  }
  if (!outcome) return null;
  const leakStep = outcome.status === 'finished' ? outcome.leakStep : (request?.leakStep ?? 0);
  const rows = outcome.status === 'finished' ? outcome.report.rows : outcome.rows;
  const adapter = outcome.status === 'finished' ? outcome.report.adapter : outcome.adapter;
  return (
    <div className="bench-results" data-testid="benchmark-results" data-status={outcome.status}>
      {outcome.status === 'stopped' && (
        <p className="notice" role="status" data-testid="benchmark-status">
          {outcome.message} The rows measured so far are below; the FMA peak, the ratios and the
          JSON need a complete run.
        </p>
      )}
      {outcome.status === 'failed' && (
        <p className="notice notice-error" role="alert" data-testid="benchmark-status">
          {outcome.message}
        </p>
      )}
      {rows.length > 0 && (
        <>
          <p className="small">
            Adapter: <strong data-testid="benchmark-adapter">{adapter}</strong> ·{' '}
            {request &&
              `width ×${request.width}, ${request.warmupSteps} warm-up + ${request.timedSteps} timed steps (median), memory read after steps 1 and ${leakStep} · `}
            {formatDuration(outcome.seconds)}
          </p>
          {isCpuAdapter(adapter) && (
            <p className="small muted" data-testid="benchmark-cpu-note">
              This adapter runs WebGPU on the CPU: the figures check that every path runs and are
              noisy; they say little about a GPU.
            </p>
          )}
          <RowsTable rows={rows} dispatches={outcome.dispatchesPerStep} leakStep={leakStep} />
        </>
      )}
      {report && outcome.status === 'finished' && (
        <>
          <p className="small" data-testid="benchmark-peak">
            FMA peak <strong>{report.peakGflops.toFixed(1)} GFLOP/s</strong>; largest convolution{' '}
            {outcome.largestConv.name} ({outcome.largestConv.shape}, f32 forward){' '}
            <strong>{report.convGflops.toFixed(1)} GFLOP/s</strong> ={' '}
            {formatPercent(report.ratios.convFractionOfPeak)} of peak.
          </p>
          <TargetsTable report={report} />
          <ReportActions report={report} />
        </>
      )}
      {rows.length > 0 && <EpochTables rows={rows} />}
    </div>
  );
}
