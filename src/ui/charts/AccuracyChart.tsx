import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { EvalResult } from '../../run/events';
import { formatNumber, formatPercent } from '../format';
import { COLORS, ChartCard, EmptyChart, useChartHeight } from './ChartCard';
import { bandNote, overlayBands, overlayLines, top1Of, type OverlaySeries } from './overlays';

/** Top-1 and top-5 validation accuracy after each epoch. */
export function AccuracyChart({
  evals,
  overlays = [],
}: {
  evals: EvalResult[];
  overlays?: OverlaySeries[];
}) {
  const chartHeight = useChartHeight();
  const data = evals.map((e) => ({
    epoch: e.epoch,
    top1: e.top1 * 100,
    top5: e.top5 === null ? null : e.top5 * 100,
  }));
  const last = evals.at(-1);
  const hasTop5 = evals.some((e) => e.top5 !== null);
  return (
    <ChartCard
      id="accuracy-chart"
      title="Validation accuracy"
      subtitle={`Top-1 and top-5 on the validation images, after each epoch.${bandNote(overlays)}`}
      readout={
        <span>
          Top-1: <strong data-testid="val-top1">{last ? formatPercent(last.top1) : '—'}</strong>
          {' · '}Top-5:{' '}
          <strong data-testid="val-top5">{last ? formatPercent(last.top5) : '—'}</strong>
          {' · '}Validation loss:{' '}
          <strong data-testid="val-loss">{last ? formatNumber(last.valLoss, 4) : '—'}</strong>
        </span>
      }
    >
      {evals.length === 0 && overlays.length === 0 ? (
        <EmptyChart>Accuracy appears after the first epoch.</EmptyChart>
      ) : (
        <ResponsiveContainer width="100%" height={chartHeight}>
          {/* Composed: recharts draws an Area (a band of repeats) only in Area or Composed charts. */}
          <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
            <XAxis
              dataKey="epoch"
              type="number"
              domain={[1, 'dataMax']}
              allowDecimals={false}
              label={{ value: 'epoch', position: 'insideBottomRight', offset: -2 }}
            />
            <YAxis domain={[0, 100]} unit="%" width={48} />
            <Tooltip
              formatter={(v) => `${Number(v).toFixed(1)}%`}
              labelFormatter={(e) => `epoch ${String(e)}`}
            />
            <Legend />
            {evals.length > 0 && (
              <Line
                dataKey="top1"
                name="top-1"
                stroke={COLORS.primary}
                strokeWidth={2}
                isAnimationActive={false}
              />
            )}
            {evals.length > 0 && hasTop5 && (
              <Line
                dataKey="top5"
                name="top-5"
                stroke={COLORS.secondary}
                strokeWidth={2}
                isAnimationActive={false}
              />
            )}
            {overlayBands(overlays, 'epoch', top1Of)}
            {overlayLines(overlays, 'epoch', top1Of)}
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  );
}
