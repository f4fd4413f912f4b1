import { formatPercent } from '../format';
import type { RunRecord } from '../runs';

/** This session's runs; finished ones can be distillation teachers. Click a row to chart it. */
export function RunList({
  runs,
  selectedId,
  onSelect,
}: {
  runs: RunRecord[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  if (runs.length === 0) return null;
  return (
    <section className="run-list" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Model and tricks</th>
              <th scope="col">Status</th>
              <th scope="col">Final top-1</th>
              <th scope="col">Charts</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr
                key={r.id}
                className={r.id === selectedId ? 'selected' : undefined}
                data-run={r.id}
              >
                <td>{r.id}</td>
                <td>{r.summary}</td>
                <td>{r.phase}</td>
                <td className="num">{formatPercent(r.finalTop1 ?? r.evals.at(-1)?.top1)}</td>
                <td>
                  <button
                    type="button"
                    className="button-quiet"
                    onClick={() => onSelect(r.id)}
                    aria-pressed={r.id === selectedId}
                  >
                    {r.id === selectedId ? 'Shown' : 'Show'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
