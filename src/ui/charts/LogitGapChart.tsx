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
import type { EvalResult } from '../../worker/protocol';
import { THEORETICAL_GAP_FORMULA, theoreticalLogitGap } from '../../tricks';
import { formatNumber, histogram } from '../format';
import { COLORS, ChartCard, EmptyChart, useChartHeight } from './ChartCard';
import { meanGapOf, overlayLines, type OverlaySeries } from './overlays';

/** The theory line's caption, e.g. "Theory (paper Eq. 5): log((K − 1)(1 − ε)/ε) = 4.39". */
export function theoryCaption(classes: number, epsilon: number): string {
  const gap = theoreticalLogitGap(classes, epsilon);
  return Number.isFinite(gap)
    ? `Theory (paper Eq. 5): ${THEORETICAL_GAP_FORMULA} = ${gap.toFixed(2)}`
    : `Theory (paper Eq. 5): without label smoothing (ε = 0) the optimal gap is infinite`;
}

/**
 * Paper Fig. 4b: the gap between the top logit and the mean of the others, per validation image.
 * With label smoothing it should approach log((K − 1)(1 − ε)/ε) instead of growing without bound.
 */
export function LogitGapChart({
  evals,
  classes,
  epsilon,
  overlays = [],
}: {
  evals: EvalResult[];
  overlays?: OverlaySeries[];
  classes: number;
  epsilon: number;
}) {
  const chartHeight = useChartHeight();
  const theory = theoreticalLogitGap(classes, epsilon);
  const finiteTheory = Number.isFinite(theory) ? theory : null;
  const last = evals.at(-1);
  const bins = useMemo(() => histogram(last?.gaps ?? [], 30), [last]);
  const perEpoch = evals.map((e) => ({ epoch: e.epoch, meanGap: e.meanGap }));
  const caption = theoryCaption(classes, epsilon);

  const histDomain = useMemo((): [number, number] => {
    if (bins.length === 0) return [0, finiteTheory ?? 1];
    let lo = bins[0]!.from;
    let hi = bins[bins.length - 1]!.to;
    if (finiteTheory !== null) {
      lo = Math.min(lo, finiteTheory);
      hi = Math.max(hi, finiteTheory);
    }
    const pad = (hi - lo) * 0.05 || 0.5;
    return [Number((lo - pad).toFixed(3)), Number((hi + pad).toFixed(3))];
  }, [bins, finiteTheory]);

  return (
    <ChartCard
      id="gap-chart"
      title="Logit gap"
      subtitle="Max logit minus the mean of the other logits, per validation image (paper Fig. 4b)."
      readout={
        <>
          <span>
            Mean gap:{' '}
            <strong data-testid="mean-gap">{last ? formatNumber(last.meanGap, 4) : '—'}</strong>
            {last && ` (epoch ${last.epoch}, ${last.gaps.length} images)`}
          </span>
          <span className="theory" data-testid="theory-gap" data-value={finiteTheory ?? 'Infinity'}>
            {caption} (K = {classes}, ε = {epsilon})
          </span>
        </>
      }
    >
      {!last ? (
        <EmptyChart>The gap appears after the first evaluation.</EmptyChart>
      ) : (
        <div className="chart-pair">
          <div>
            <h4>Mean gap per epoch</h4>
            <ResponsiveContainer width="100%" height={chartHeight}>
              <LineChart data={perEpoch} margin={{ top: 16, right: 16, bottom: 4, left: 4 }}>
                <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
                <XAxis
                  dataKey="epoch"
                  type="number"
                  domain={[1, 'dataMax']}
                  allowDecimals={false}
                />
                <YAxis
                  width={48}
                  tickFormatter={(v: number) => formatNumber(v, 2)}
                  domain={[
                    (min: number) => Math.min(0, min),
                    (max: number) => Math.max(max, finiteTheory ?? max) * 1.05,
                  ]}
                />
                <Tooltip
                  formatter={(v) => formatNumber(Number(v), 4)}
                  labelFormatter={(e) => `epoch ${String(e)}`}
                />
                <Line
                  dataKey="meanGap"
                  name="mean gap"
                  stroke={COLORS.primary}
                  strokeWidth={2}
                  isAnimationActive={false}
                />
                {finiteTheory !== null && (
                  <ReferenceLine
                    y={finiteTheory}
                    stroke={COLORS.theory}
                    strokeDasharray="5 3"
                    label={{
                      value: `${THEORETICAL_GAP_FORMULA} = ${finiteTheory.toFixed(2)}`,
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
          </div>
          <div>
            <h4>Per-image gaps, last evaluation</h4>
            <ResponsiveContainer width="100%" height={chartHeight}>
              <BarChart
                data={bins}
                margin={{ top: 16, right: 16, bottom: 4, left: 4 }}
                barCategoryGap={0}
              >
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
                <Bar
                  dataKey="count"
                  name="images"
                  fill={COLORS.primary}
                  isAnimationActive={false}
                />
                {finiteTheory !== null && (
                  <ReferenceLine
                    x={finiteTheory}
                    stroke={COLORS.theory}
                    strokeDasharray="5 3"
                    label={{
                      value: `Eq. 5: ${finiteTheory.toFixed(2)}`,
                      position: 'insideTopRight',
                      fill: COLORS.theory,
                      fontSize: 12,
                    }}
                  />
                )}
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
      )}
    </ChartCard>
  );
}
