import type { BenchRow } from '../../benchmark-report/report';
import { gpuShare } from '../../benchmark-report/step-profile';
import { MODEL_NAMES } from './benchmark-format';

/**
 * Where each engine row's step spends its GPU time: one more step after the row's figures, every
 * dispatch timed by GPU timestamps, grouped by kernel. Rows without a profile (tf.layers, or an
 * adapter without timestamp-query) are left out, and the section says so when none has one.
 */
export function BenchmarkStepProfiles({ rows }: { rows: BenchRow[] }) {
  const profiled = rows.filter((r) => r.stepProfile !== null);
  const engineRows = rows.filter((r) => r.name !== 'tf.layers');
  if (engineRows.length === 0) return null;
  return (
    <div className="bench-step-profiles" data-testid="benchmark-step-profiles">
      <h3>Where a step’s GPU time goes</h3>
      {profiled.length === 0 && (
        <p className="small muted">
          Not measured: this adapter does not offer timestamp-query, which timing each dispatch
          needs.
        </p>
      )}
      {profiled.map((r) => {
        const p = r.stepProfile!;
        return (
          <details key={`${r.name}-${r.model}-${r.batch}`} data-variant={r.name}>
            <summary>
              {r.name}, {MODEL_NAMES[r.model]} batch {r.batch}: {p.dispatches} dispatches,{' '}
              {p.gpuMs.toFixed(2)} ms of GPU work in a {p.stepMs.toFixed(1)} ms step (GPU work ÷
              step: {gpuShare(p)})
            </summary>
            <table aria-label={`GPU time by kernel, ${r.name} batch ${r.batch}`}>
              <caption className="small muted">
                One more step after the row’s figures, each dispatch in its own pass with GPU
                timestamps (browsers without developer features round them to 0.1 ms). Each pass’s
                own overhead is included: on a CPU adapter the sum can exceed the step.
              </caption>
              <thead>
                <tr>
                  <th scope="col">kernel</th>
                  <th scope="col" className="num">
                    dispatches
                  </th>
                  <th scope="col" className="num">
                    GPU ms
                  </th>
                  <th scope="col" className="num">
                    share
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.kernels.map((k) => (
                  <tr key={k.kernel}>
                    <td>{k.kernel}</td>
                    <td className="num">{k.dispatches}</td>
                    <td className="num">{k.ms.toFixed(3)}</td>
                    <td className="num">
                      {p.gpuMs > 0 ? `${((k.ms / p.gpuMs) * 100).toFixed(0)}%` : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        );
      })}
    </div>
  );
}
