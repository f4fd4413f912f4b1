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
import { learningRateAt, theoreticalLogitGap, type LrSchedule } from '../../tricks';
import { formatNumber } from '../format';
import { COLORS } from './ChartCard';

const HEIGHT = 180;

/** Paper Fig. 3a: step vs cosine decay, both with 5 warmup epochs of 120, η = 0.4. */
export function ScheduleFigure() {
  const data = useMemo(() => {
    const perEpoch = 10;
    const base: Omit<LrSchedule, 'decay'> = {
      peakLr: 0.4,
      warmupSteps: 5 * perEpoch,
      totalSteps: 120 * perEpoch,
      stepBoundaries: [30, 60, 90].map((e) => e * perEpoch),
    };
    const rows: { epoch: number; step: number; cosine: number }[] = [];
    for (let s = 0; s < base.totalSteps; s += 5) {
      rows.push({
        epoch: s / perEpoch,
        step: learningRateAt({ ...base, decay: 'step' }, s),
        cosine: learningRateAt({ ...base, decay: 'cosine' }, s),
      });
    }
    return rows;
  }, []);
  return (
    <figure className="teaching-figure" data-testid="figure-schedules">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={[0, 120]} ticks={[0, 30, 60, 90, 120]} />
          <YAxis width={40} tickFormatter={(v: number) => formatNumber(v, 2)} />
          <Tooltip
            formatter={(v) => formatNumber(Number(v), 4)}
            labelFormatter={(e) => `epoch ${String(e)}`}
          />
          <Legend />
          <Line
            dataKey="step"
            name="step decay"
            stroke={COLORS.secondary}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            dataKey="cosine"
            name="cosine decay"
            stroke={COLORS.primary}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
      <figcaption>
        After Fig. 3a: η = 0.4 with 5 warmup epochs, step decay ÷10 at epochs 30, 60, 90 vs cosine
        decay over 120 epochs (computed with the playground’s schedule code).
      </figcaption>
    </figure>
  );
}

/** Paper Fig. 4a: the theoretical gap log((K − 1)(1 − ε)/ε) against ε, for K = 1000 and K = 10. */
export function GapFigure() {
  const data = useMemo(() => {
    const rows: { eps: number; imagenet: number; ten: number | null }[] = [];
    for (let i = 1; i <= 100; i++) {
      const eps = i / 200; // 0.005 … 0.5
      const ten = eps < 0.9 ? theoreticalLogitGap(10, eps) : null;
      rows.push({ eps, imagenet: theoreticalLogitGap(1000, eps), ten });
    }
    return rows;
  }, []);
  return (
    <figure className="teaching-figure" data-testid="figure-gap">
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
          <XAxis
            dataKey="eps"
            type="number"
            domain={[0, 0.5]}
            tickFormatter={(v: number) => formatNumber(v, 2)}
          />
          <YAxis
            width={40}
            domain={[0, 'auto']}
            tickFormatter={(v: number) => formatNumber(v, 1)}
          />
          <Tooltip
            formatter={(v) => formatNumber(Number(v), 3)}
            labelFormatter={(e) => `ε = ${formatNumber(Number(e), 3)}`}
          />
          <Legend />
          <Line
            dataKey="imagenet"
            name="K = 1000"
            stroke={COLORS.primary}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            dataKey="ten"
            name="K = 10"
            stroke={COLORS.secondary}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
      <figcaption>
        After Fig. 4a: the optimal gap between the true-class logit and the others, log((K − 1)(1 −
        ε)/ε), shrinks as ε grows (9.1 for K = 1000, ε = 0.1).
      </figcaption>
    </figure>
  );
}
