import { useMemo, useState } from 'react';
import {
  buildAblationTable,
  rowCells,
  TABLE_COLUMNS,
  toCsv,
  toMarkdown,
} from '../../experiments/ablation-table';
import type { SavedRun } from '../../experiments/saved-run';
import { downloadFile } from '../download';

/** The paper-style table (Tables 4–6) of the compared runs. */
export function CompareTable({ runs }: { runs: SavedRun[] }) {
  const table = useMemo(() => buildAblationTable(runs), [runs]);
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
        Rows are labeled by the settings that differ from the first row. Top-1/top-5: last
        validation; final loss: mean training loss of the last epoch; time per epoch excludes the
        first step’s shader compilation. Δ: difference to the first row.
      </p>
      <span role="status" className="copy-status">
        {copyState}
      </span>
      <div className="table-scroll">
        <table className="ablation" data-testid="ablation-table">
          <thead>
            <tr>
              {TABLE_COLUMNS.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row.runId} data-run={row.runId}>
                {rowCells(row).map((cell, i) => (
                  <td
                    key={TABLE_COLUMNS[i]}
                    className={i >= 3 ? 'num' : undefined}
                    data-col={TABLE_COLUMNS[i]}
                  >
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
