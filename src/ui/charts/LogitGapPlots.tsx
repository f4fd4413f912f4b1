import { useMemo } from 'react';
import {
  Bar,
  BarChart,
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
import { THEORETICAL_GAP_FORMULA } from '../../tricks';
import type { EvalResult } from '../../run/events';
import { formatNumber, histogram } from '../format';
import { COLORS, useChartHeight } from './ChartCard';
import { meanGapOf, overlayLines, type OverlaySeries } from './overlays';

/** Bars of the per-image gap histogram. */
const HISTOGRAM_BINS = 30;

/** The mean logit gap of each evaluation, against the theoretical gap (null: infinite). */
export function MeanGapPerEpoch({
  evals,
  theory,
  overlays,
}: {
  evals: EvalResult[];
  theory: number | null;
  overlays: OverlaySeries[];
}) {
  const chartHeight = useChartHeight();
  const perEpoch = evals.map((e) => ({ epoch: e.epoch, meanGap: e.meanGap }));
  return (
    <ResponsiveContainer width="100%" height={chartHeight}>
      <LineChart data={perEpoch} margin={{ top: 16, right: 16, bottom: 4, left: 4 }}>
        <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
        <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} />
        <YAxis
          width={48}
          tickFormatter={(v: number) => formatNumber(v, 2)}
          domain={[
            (min: number) => Math.min(0, min),
            (max: number) => Math.max(max, theory ?? max) * 1.05,
          ]}
        />
        <Tooltip
          formatter={(v) => formatNumber(Number(v), 4)}
          labelFormatter={(e) => `epoch ${String(e)}`}
        />
        {evals.length > 0 && (
          <Line
            dataKey="meanGap"
            name="mean gap"
            stroke={COLORS.primary}
            strokeWidth={2}
            isAnimationActive={false}
          />
        )}
        {theory !== null && (
          <ReferenceLine
            y={theory}
            stroke={COLORS.theory}
            strokeDasharray="5 3"
            label={{
              value: `${THEORETICAL_GAP_FORMULA} = ${theory.toFixed(2)}`,
              position: 'insideTopRight',
              fill: COLORS.theory,
              fontSize: 12,
            }}
          />
        )}
        {overlayLines(overlays, 'epoch', meanGapOf)}
        {overlays.length > 0 && <Legend />}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** How the gaps of one evaluation's images are distributed, against the theoretical gap. */
export function GapHistogram({ gaps, theory }: { gaps: number[]; theory: number | null }) {
  const chartHeight = useChartHeight();
  const bins = useMemo(() => histogram(gaps, HISTOGRAM_BINS), [gaps]);
  const histDomain = useMemo((): [number, number] => {
    if (bins.length === 0) return [0, theory ?? 1];
    let lo = bins[0]!.from;
    let hi = bins[bins.length - 1]!.to;
    if (theory !== null) {
      lo = Math.min(lo, theory);
      hi = Math.max(hi, theory);
    }
    const pad = (hi - lo) * 0.05 || 0.5;
    return [Number((lo - pad).toFixed(3)), Number((hi + pad).toFixed(3))];
  }, [bins, theory]);

  return (
    <ResponsiveContainer width="100%" height={chartHeight}>
      <BarChart data={bins} margin={{ top: 16, right: 16, bottom: 4, left: 4 }} barCategoryGap={0}>
        <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
        <XAxis
          dataKey="x"
          type="number"
          domain={histDomain}
          tickFormatter={(v: number) => formatNumber(v, 2)}
        />
        <YAxis allowDecimals={false} width={40} />
        <Tooltip
          formatter={(v) => [String(v), 'images']}
          labelFormatter={(x) => `gap ≈ ${formatNumber(Number(x), 3)}`}
        />
        <Bar dataKey="count" name="images" fill={COLORS.primary} isAnimationActive={false} />
        {theory !== null && (
          <ReferenceLine
            x={theory}
            stroke={COLORS.theory}
            strokeDasharray="5 3"
            label={{
              value: `Eq. 5: ${theory.toFixed(2)}`,
              position: 'insideTopRight',
              fill: COLORS.theory,
              fontSize: 12,
            }}
          />
        )}
      </BarChart>
    </ResponsiveContainer>
  );
}
