import { Area, Line } from 'recharts';
import { meanBand } from '../../experiments/statistics';
import type { EvalResult, TrainPoint } from '../../run/events';
import { decimate, emaSmooth } from '../format';

/** The curves of one run. */
export interface Curves {
  points: TrainPoint[];
  evals: EvalResult[];
}

/** Other runs drawn on a chart, each in its own color with a legend entry. */
export interface OverlaySeries extends Curves {
  id: string;
  label: string;
  color: string;
  /**
   * Repeats of one setting (two or more finished seeds): the line is their mean and a band spans
   * their minimum to maximum. Absent for a single run.
   */
  members?: Curves[];
}

type Pick = (s: Curves) => { x: number; y: number | null }[];

const isBand = (s: OverlaySeries): s is OverlaySeries & { members: Curves[] } =>
  (s.members?.length ?? 0) >= 2;

/** The series' line: the run's curve, or the mean of its repeats at the x values all share. */
function lineOf(s: OverlaySeries, pick: Pick): { x: number; y: number | null }[] {
  if (!isBand(s)) return pick(s);
  return meanBand(s.members.map(pick)).map((p) => ({ x: p.x, y: p.mean }));
}

/** Line elements (not a component: recharts reads its direct children) with their own data. */
export function overlayLines(overlays: readonly OverlaySeries[], xKey: string, pick: Pick) {
  return overlays.map((s) => (
    <Line
      key={`overlay-${s.id}`}
      data={lineOf(s, pick).map((p) => ({ [xKey]: p.x, value: p.y }))}
      dataKey="value"
      name={s.label}
      stroke={s.color}
      strokeWidth={1.5}
      strokeDasharray="6 3"
      dot={false}
      isAnimationActive={false}
    />
  ));
}

/** Said under a chart that draws bands. */
export function bandNote(overlays: readonly OverlaySeries[]): string {
  return overlays.some(isBand)
    ? ' Rows with several seeds: their mean, shaded from the lowest to the highest seed.'
    : '';
}

/**
 * The min–max band of each series of repeats, drawn under the lines; no legend entry (the mean's
 * label says what the band is) and no tooltip row.
 */
export function overlayBands(overlays: readonly OverlaySeries[], xKey: string, pick: Pick) {
  return overlays
    .filter(isBand)
    .map((s) => (
      <Area
        key={`band-${s.id}`}
        data={meanBand(s.members.map(pick)).map((p) => ({ [xKey]: p.x, band: [p.min, p.max] }))}
        dataKey="band"
        stroke="none"
        fill={s.color}
        fillOpacity={0.15}
        legendType="none"
        tooltipType="none"
        isAnimationActive={false}
      />
    ));
}

export const smoothedLoss: Pick = (s) => {
  const smooth = emaSmooth(
    s.points.map((p) => p.loss),
    0.9,
  );
  return decimate(
    s.points.map((p, i) => ({ x: p.step, y: smooth[i] ?? null })),
    400,
  );
};
export const lrOf: Pick = (s) =>
  decimate(
    s.points.map((p) => ({ x: p.step, y: p.lr })),
    400,
  );
export const top1Of: Pick = (s) => s.evals.map((e) => ({ x: e.epoch, y: e.top1 * 100 }));
export const meanGapOf: Pick = (s) => s.evals.map((e) => ({ x: e.epoch, y: e.meanGap }));
