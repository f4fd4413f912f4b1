import { Line } from 'recharts';
import type { EvalResult, TrainPoint } from '../../worker/protocol';
import { decimate, emaSmooth } from '../format';

/** Other runs drawn on a chart, each in its own color with a legend entry. */
export interface OverlaySeries {
  id: string;
  label: string;
  color: string;
  points: TrainPoint[];
  evals: EvalResult[];
}

export const OVERLAY_COLORS = [
  '#059669',
  '#9333ea',
  '#db2777',
  '#ca8a04',
  '#0891b2',
  '#4b5563',
  '#65a30d',
  '#7c2d12',
];

export function overlayColor(index: number): string {
  return OVERLAY_COLORS[index % OVERLAY_COLORS.length]!;
}

type Pick = (s: OverlaySeries) => { x: number; y: number | null }[];

/** Line elements (not a component: recharts reads its direct children) with their own data. */
export function overlayLines(overlays: readonly OverlaySeries[], xKey: string, pick: Pick) {
  return overlays.map((s) => (
    <Line
      key={`overlay-${s.id}`}
      data={pick(s).map((p) => ({ [xKey]: p.x, value: p.y }))}
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
