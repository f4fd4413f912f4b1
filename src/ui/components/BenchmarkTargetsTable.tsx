import { checkTargets, type RatioBasis, type TargetCheck } from '../../benchmark-report/derive';
import type { BenchReport } from '../../benchmark-report/report';
import { formatPercent } from '../format';
import { MODEL_NAMES, times } from './benchmark-format';

function targetValue(t: TargetCheck): string {
  if (t.value === null) return '—';
  if (t.key === 'noGrowth') return String(t.value);
  if (t.key === 'convFractionOfPeak') return formatPercent(t.value);
  return times(t.value);
}

/** Each ratio of the report against the engine's goal (derive.ts's TARGETS), at the run's basis. */
export function BenchmarkTargetsTable({
  report,
  basis,
}: {
  report: BenchReport;
  basis: RatioBasis | null;
}) {
  return (
    <table data-testid="benchmark-targets" aria-label="Ratios against the targets">
      <caption className="small muted">
        Ratios for {basis ? `${MODEL_NAMES[basis.model]} at batch ${basis.batch}` : '—'}
        {basis && basis.batch !== 128 ? ' (the goals are set at batch 128)' : ''}
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
