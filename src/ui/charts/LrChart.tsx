import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ExperimentConfig } from '../../config';
import { lrScheduleFromConfig, sampleLrCurve } from '../../tricks';
import { formatNumber } from '../format';
import { COLORS, ChartCard, useChartHeight } from './ChartCard';
import { lrOf, overlayLines, type OverlaySeries } from './overlays';
import { stepsPerEpoch } from '../../run-control/epoch-plan';

export function stepsPerEpochOf(config: Pick<ExperimentConfig, 'train_size' | 'batch'>): number {
  return Math.max(1, stepsPerEpoch(config.train_size, config.batch));
}

/** The per-batch learning rate the config will use, drawn before training starts. */
export function LrChart({
  config,
  currentStep,
  overlays = [],
}: {
  /** Other runs' actual per-step learning rates. */
  overlays?: OverlaySeries[];
  config: ExperimentConfig;
  /** Steps done by the active run, for the marker; null when none. */
  currentStep: number | null;
}) {
  const chartHeight = useChartHeight();
  const { schedule, points } = useMemo(() => {
    const schedule = lrScheduleFromConfig(config, stepsPerEpochOf(config));
    return { schedule, points: sampleLrCurve(schedule, 300) };
  }, [config]);
  const first = points[0]?.lr ?? 0;
  const last = points.at(-1)?.lr ?? 0;
  const describe =
    `${schedule.decay === 'cosine' ? 'Cosine' : 'Step'} decay` +
    (schedule.warmupSteps > 0 ? `, ${schedule.warmupSteps} warmup steps` : '') +
    `; peak η = ${formatNumber(schedule.peakLr, 4)}` +
    (config.linear_scaling ? ` (= ${config.lr} × ${config.batch}/256)` : '') +
    `; ${schedule.totalSteps} steps (${stepsPerEpochOf(config)} per epoch).`;
  return (
    <ChartCard id="lr-chart" title="Learning rate schedule" subtitle={describe}>
      <div
        data-testid="lr-chart"
        data-peak-lr={schedule.peakLr}
        data-points={points.length}
        data-first-lr={first}
        data-last-lr={last}
        data-warmup-steps={schedule.warmupSteps}
        data-total-steps={schedule.totalSteps}
        data-decay={schedule.decay}
        role="img"
        aria-label={`Learning rate schedule. ${describe}`}
      >
        <ResponsiveContainer width="100%" height={chartHeight}>
          <LineChart data={points} margin={{ top: 20, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
            <XAxis
              dataKey="step"
              type="number"
              domain={[1, Math.max(1, schedule.totalSteps)]}
              tickCount={6}
              allowDecimals={false}
              label={{ value: 'step', position: 'insideBottomRight', offset: -2 }}
            />
            <YAxis tickFormatter={(v: number) => formatNumber(v, 2)} width={56} />
            <Tooltip
              formatter={(v) => formatNumber(Number(v), 4)}
              labelFormatter={(s) => `step ${String(s)}`}
            />
            <Line
              type="linear"
              dataKey="lr"
              name="learning rate"
              stroke={COLORS.primary}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
            {overlayLines(overlays, 'step', lrOf)}
            {overlays.length > 0 && <Legend />}
            {currentStep !== null && (
              <ReferenceLine
                x={Math.max(1, currentStep)}
                stroke={COLORS.secondary}
                strokeDasharray="4 2"
                label={{ value: 'now', position: 'top', fill: COLORS.secondary }}
              />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </ChartCard>
  );
}
