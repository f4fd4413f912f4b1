import { useMemo, useState } from 'react';
import {
  buildAblationTable,
  intervalNote,
  noiseMark,
  rowCells,
  tableColumns,
  toCsv,
  toMarkdown,
  type AblationRow,
} from '../../experiments/ablation-table';
import type { SavedRun } from '../../experiments/saved-run';
import { table9Findings } from '../../experiments/table9-findings';
import { downloadFile } from '../download';

/** Name, run ids and the settings that differ are text; the rest are numbers. */
const NUMERIC_FROM = 3;

/** The noise mark of the interval columns: 'within' (contains 0), 'clear', or 'none'. */
function noiseOf(row: AblationRow, column: string): string | undefined {
  if (column === 'Δ Top-1 95% CI' || column === 'Δ pixAcc 95% CI') return noiseMark(row.dTop1);
  if (column === 'Δ Top-5 95% CI') return noiseMark(row.dTop5);
  if (column === 'Δ mIoU 95% CI') return noiseMark(row.dMIoU);
  return undefined;
}

/** The paper-style table (Tables 4–6) of the compared runs, repeats pooled into rows. */
export function CompareTable({
  runs,
  backboneOf,
}: {
  runs: SavedRun[];
  /** The saved run a transferred run started from (Table 9's backbone top-1). */
  backboneOf?: (run: SavedRun) => SavedRun | undefined;
}) {
  const table = useMemo(() => buildAblationTable(runs, backboneOf), [runs, backboneOf]);
  const findings = useMemo(() => table9Findings(runs), [runs]);
  const columns = tableColumns(table);
  const [copyState, setCopyState] = useState<string | null>(null);
  if (runs.length === 0) {
    return (
      <section className="compare" aria-labelledby="compare-heading">
        <h2 id="compare-heading">Comparison table</h2>
        <p className="muted">
          Tick <em>Compare</em> on two or more runs (or start a sweep) to get a table like the
          paper’s Tables 4–6.
        </p>
      </section>
    );
  }
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(toMarkdown(table));
      setCopyState('Markdown copied to the clipboard.');
    } catch {
      setCopyState('Copy failed: the browser refused clipboard access.');
    }
  };
  return (
    <section className="compare" aria-labelledby="compare-heading">
      <div className="run-list-head">
        <h2 id="compare-heading">Comparison table</h2>
        <div className="toolbar">
          <button type="button" onClick={() => void copy()}>
            Copy as Markdown
          </button>
          <button
            type="button"
            onClick={() => downloadFile('tricks-table.csv', toCsv(table), 'text/csv')}
          >
            Download CSV
          </button>
        </div>
      </div>
      <p className="muted small">
        A row is the compared runs that differ only in their seed (a sweep row and its repeats),
        labeled by the paper’s row name or by the settings that differ from the first row. Top-1 /
        top-5: last validation, mean ± sample standard deviation over the row’s finished seeds;
        final loss: mean training loss of the last epoch; time per epoch excludes the first step’s
        shader compilation. Δ: to the first row, the mean of the differences seed by seed.
        {table.segmentation &&
          ' Segmentation runs (Table 9): pixel accuracy and mIoU of the last validation in place of top-1 and top-5, beside the top-1 of the runs they started from (their backbones).'}
      </p>
      <p className="small" data-testid="interval-note">
        {intervalNote(table)}
      </p>
      <span role="status" className="copy-status">
        {copyState}
      </span>
      <div className="table-scroll">
        <table className="ablation" data-testid="ablation-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row.runId} data-run={row.runId} data-runs={row.runIds.join(' ')}>
                {rowCells(row, table.segmentation).map((cell, i) => {
                  const column = columns[i]!;
                  const noise = noiseOf(row, column);
                  return (
                    <td
                      key={column}
                      className={i >= NUMERIC_FROM ? 'num' : undefined}
                      data-col={column}
                      data-noise={noise}
                      title={noise === 'within' ? 'The 95% interval contains 0' : undefined}
                    >
                      {cell}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {findings.length > 0 && (
        <div className="findings" data-testid="table9-findings">
          <h3>Table 9: what the paper found, and these runs</h3>
          <p className="muted small">
            The paper (ADE20K): cosine decay gives its FCN a better backbone than the efficient
            setting; label smoothing, distillation and mixup each raise the backbone&apos;s top-1
            but give a worse FCN than cosine decay alone. Here each Δ is paired seed by seed, with
            its 95% interval.
          </p>
          <ul>
            {findings.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
