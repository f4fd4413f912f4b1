import type { EvalResult } from '../../run/events';
import { formatNumber, formatPercent } from '../format';
import { COLORS, ChartCard, EmptyChart, useChartHeight } from './ChartCard';
import { bandNote, type OverlaySeries } from './overlays';
import { PercentByEpochPlot } from './PercentByEpochPlot';

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
        <PercentByEpochPlot
          data={data}
          lines={[
            ...(evals.length > 0
              ? [{ dataKey: 'top1', name: 'top-1', stroke: COLORS.primary }]
              : []),
            ...(evals.length > 0 && hasTop5
              ? [{ dataKey: 'top5', name: 'top-5', stroke: COLORS.secondary }]
              : []),
          ]}
          overlays={overlays}
          height={chartHeight}
        />
      )}
    </ChartCard>
  );
}
