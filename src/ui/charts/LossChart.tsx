import { useMemo } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { DivergenceMark, TrainPoint } from '../../run/events';
import { decimate, emaSmooth, formatNumber } from '../format';
import { COLORS, ChartCard, EmptyChart, useChartHeight } from './ChartCard';
import { bandNote, overlayBands, overlayLines, smoothedLoss, type OverlaySeries } from './overlays';

const SMOOTHING = 0.9;
const MAX_POINTS = 800;

/** Training loss per step: raw and exponentially smoothed; divergences as vertical markers. */
export function LossChart({
  points,
  overlays = [],
  divergences = [],
}: {
  points: TrainPoint[];
  overlays?: OverlaySeries[];
  divergences?: DivergenceMark[];
}) {
  const chartHeight = useChartHeight();
  const data = useMemo(() => {
    const smooth = emaSmooth(
      points.map((p) => p.loss),
      SMOOTHING,
    );
    return decimate(
      points.map((p, i) => ({ step: p.step, loss: p.loss, smooth: smooth[i] })),
      MAX_POINTS,
    );
  }, [points]);
  const last = points.at(-1);
  return (
    <ChartCard
      id="loss-chart"
      title="Training loss"
      subtitle={`Per step; smoothed line: exponential moving average (weight ${SMOOTHING}).${bandNote(overlays)}`}
      readout={
        <span>
          Last loss:{' '}
          <strong data-testid="last-loss" data-points={points.length}>
            {last ? formatNumber(last.loss, 4) : '—'}
          </strong>
          {last && ` at step ${last.step}`}
          {divergences.length > 0 && (
            <span className="divergence-readout" data-testid="divergence-markers">
              {' · '}
              {divergences.map((d) => `diverged at step ${d.step}`).join(', ')}
            </span>
          )}
        </span>
      }
    >
      {points.length === 0 && overlays.length === 0 ? (
        <EmptyChart>The loss appears here once training starts.</EmptyChart>
      ) : (
        <ResponsiveContainer width="100%" height={chartHeight}>
          {/* Composed: recharts draws an Area (a band of repeats) only in Area or Composed charts. */}
          <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
            <XAxis
              dataKey="step"
              type="number"
              domain={['dataMin', 'dataMax']}
              allowDecimals={false}
            />
            <YAxis tickFormatter={(v: number) => formatNumber(v, 2)} width={48} />
            <Tooltip
              formatter={(v) => formatNumber(Number(v), 4)}
              labelFormatter={(s) => `step ${String(s)}`}
            />
            <Legend />
            {/* No shown run (a race draws every racer as an overlay): no empty legend entries. */}
            {points.length > 0 && [
              <Line
                key="raw"
                dataKey="loss"
                name="raw"
                stroke={COLORS.muted}
                dot={false}
                strokeWidth={1}
                isAnimationActive={false}
              />,
              <Line
                key="smooth"
                dataKey="smooth"
                name="smoothed"
                stroke={COLORS.primary}
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
              />,
            ]}
            {overlayBands(overlays, 'step', smoothedLoss)}
            {overlayLines(overlays, 'step', smoothedLoss)}
            {divergences.map((d, i) => (
              <ReferenceLine
                key={`${d.step}-${i}`}
                x={d.step}
                stroke={COLORS.theory}
                strokeDasharray="4 3"
                ifOverflow="extendDomain"
                label={{
                  value: `diverged at step ${d.step}`,
                  position: 'insideTopRight',
                  fill: COLORS.theory,
                  fontSize: 11,
                }}
              />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  );
}
