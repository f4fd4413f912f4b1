import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { TrainPoint } from '../../run/events';
import { decimate } from '../format';
import { COLORS, ChartCard, EmptyChart, useChartHeight } from './ChartCard';
import type { OverlaySeries } from './overlays';

const MAX_POINTS = 800;

/** The log2 loss scale per step of a run's FP16 points (decimated). */
const log2Scale = (points: readonly TrainPoint[]) =>
  decimate(
    points
      .filter((p) => p.lossScale !== undefined)
      .map((p) => ({ step: p.step, log2Scale: Math.log2(p.lossScale!) })),
    MAX_POINTS,
  );

/**
 * FP16 runs (§3.2): the dynamic loss scale (log2) and the updates skipped on overflow, per step;
 * compared FP16 runs (a race's racers) as dashed lines in their colours.
 */
export function LossScaleChart({
  points,
  overlays = [],
}: {
  points: TrainPoint[];
  overlays?: OverlaySeries[];
}) {
  const chartHeight = useChartHeight();
  const scaled = useMemo(() => points.filter((p) => p.lossScale !== undefined), [points]);
  const others = useMemo(
    () =>
      overlays.map((o) => ({ ...o, data: log2Scale(o.points) })).filter((o) => o.data.length > 0),
    [overlays],
  );
  const data = useMemo(
    () =>
      decimate(
        scaled.map((p) => ({
          step: p.step,
          log2Scale: Math.log2(p.lossScale!),
          skipped: p.skipped ?? 0,
        })),
        MAX_POINTS,
      ),
    [scaled],
  );
  const last = scaled.at(-1);
  return (
    <ChartCard
      id="loss-scale-chart"
      title="FP16 loss scale"
      subtitle="Dynamic loss scaling: the loss is multiplied by S before backpropagation; an overflowing gradient skips the update and halves S, a run of clean steps doubles it."
      readout={
        <span>
          Loss scale:{' '}
          <strong data-testid="loss-scale" data-value={last?.lossScale ?? ''}>
            {last
              ? `2^${Math.log2(last.lossScale!)} = ${last.lossScale!.toLocaleString('en-US')}`
              : '—'}
          </strong>
          {' · '}skipped updates:{' '}
          <strong data-testid="skipped-steps">
            {last ? `${last.skipped ?? 0} of ${last.step}` : '—'}
          </strong>
        </span>
      }
    >
      {scaled.length === 0 && others.length === 0 ? (
        <EmptyChart>The loss scale appears here once FP16 training starts.</EmptyChart>
      ) : (
        <ResponsiveContainer width="100%" height={chartHeight}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
            <XAxis
              dataKey="step"
              type="number"
              domain={['dataMin', 'dataMax']}
              allowDecimals={false}
            />
            <YAxis
              yAxisId="scale"
              allowDecimals={false}
              tickFormatter={(v: number) => `2^${v}`}
              width={48}
            />
            <YAxis yAxisId="skipped" orientation="right" allowDecimals={false} width={40} />
            <Tooltip labelFormatter={(s) => `step ${String(s)}`} />
            <Legend />
            {others.map((o) => (
              <Line
                key={`overlay-${o.id}`}
                yAxisId="scale"
                data={o.data}
                dataKey="log2Scale"
                name={`${o.label}: log₂ loss scale`}
                type="stepAfter"
                stroke={o.color}
                strokeDasharray="6 3"
                dot={false}
                strokeWidth={1.5}
                isAnimationActive={false}
              />
            ))}
            {/* Drawn only with a shown FP16 run: no empty legend entries in a race. */}
            {scaled.length > 0 && [
              <Line
                key="scale"
                yAxisId="scale"
                dataKey="log2Scale"
                name="log₂ loss scale"
                type="stepAfter"
                stroke={COLORS.primary}
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
              />,
              <Line
                key="skipped"
                yAxisId="skipped"
                dataKey="skipped"
                name="skipped updates (total)"
                type="stepAfter"
                stroke={COLORS.secondary}
                dot={false}
                strokeWidth={1.5}
                isAnimationActive={false}
              />,
            ]}
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  );
}
