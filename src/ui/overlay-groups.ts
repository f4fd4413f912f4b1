import { rowKey } from '../experiments/ablation-table';
import { RACE_TABLE } from '../experiments/race';
import type { SavedRun } from '../experiments/saved-run';
import type { OverlaySeries } from './charts/overlays';

/**
 * The chart overlays of the compared runs: runs that repeat one setting with two or more finished
 * seeds become one series (their mean with a min–max band; the comparison table pools the same
 * runs), other runs are drawn alone. The shown run is drawn by the chart itself.
 */
export function overlaysOf(
  compared: readonly SavedRun[],
  colors: ReadonlyMap<string, string>,
  shownId: string | null,
): OverlaySeries[] {
  const groups = new Map<string, SavedRun[]>();
  for (const run of compared) {
    const key = rowKey(run);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const single = (r: SavedRun): OverlaySeries => ({
    id: r.id,
    // A racer is named by what it races ("no label smoothing").
    label: `${r.id}: ${r.sweep?.table === RACE_TABLE ? r.sweep.label : r.name}`,
    color: colors.get(r.id)!,
    points: r.points,
    evals: r.evals,
  });
  const out: OverlaySeries[] = [];
  for (const group of groups.values()) {
    const finished = group.filter((r) => r.status === 'finished');
    if (finished.length < 2) {
      out.push(...group.filter((r) => r.id !== shownId).map(single));
      continue;
    }
    const lead = finished[0]!;
    const label = lead.sweep?.label ?? `${lead.id}: ${lead.name}`;
    out.push({
      ...single(lead),
      id: finished.map((r) => r.id).join('+'),
      // Short: a legend entry per row; the chart's subtitle says what the band is.
      label: `${label}: mean of ${finished.length} seeds`,
      members: finished,
    });
    out.push(...group.filter((r) => r.status !== 'finished' && r.id !== shownId).map(single));
  }
  return out;
}
