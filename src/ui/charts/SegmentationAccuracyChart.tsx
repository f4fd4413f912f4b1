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
import { SEGMENTATION_CLASSES } from '../../data/synthetic-scenes';
import type { EvalResult } from '../../run/events';
import { formatNumber, formatPercent } from '../format';
import { COLORS, ChartCard, EmptyChart, useChartHeight } from './ChartCard';
import { bandNote, overlayBands, overlayLines, top1Of, type OverlaySeries } from './overlays';

/**
 * A segmentation run's validation scores after each epoch (paper Table 9's two columns): pixel
 * accuracy and mIoU. Compared runs are drawn by their pixel accuracy (top-1 of a classifier).
 */
export function SegmentationAccuracyChart({
  evals,
  overlays = [],
}: {
  evals: EvalResult[];
  overlays?: OverlaySeries[];
}) {
  const chartHeight = useChartHeight();
  const data = evals.map((e) => ({
    epoch: e.epoch,
    pixelAccuracy: (e.pixelAccuracy ?? e.top1) * 100,
    mIoU: e.mIoU === undefined ? null : e.mIoU * 100,
  }));
  const last = evals.at(-1);
  const overlayNote = overlays.length > 0 ? ' Dashed: the compared runs’ pixel accuracy.' : '';
  return (
    <ChartCard
      id="accuracy-chart"
      title="Validation pixel accuracy and mIoU"
      subtitle={`Pixel accuracy (the fraction of validation pixels labelled right) and mIoU (the mean over the ${SEGMENTATION_CLASSES.length} classes of intersection over union), after each epoch.${overlayNote}${bandNote(overlays)}`}
      readout={
        <span>
          Pixel accuracy:{' '}
          <strong data-testid="val-pixel-accuracy">
            {last ? formatPercent(last.pixelAccuracy ?? last.top1) : '—'}
          </strong>
          {' · '}mIoU:{' '}
          <strong data-testid="val-miou">{last ? formatPercent(last.mIoU) : '—'}</strong>
          {' · '}Validation loss per pixel:{' '}
          <strong data-testid="val-loss">{last ? formatNumber(last.valLoss, 4) : '—'}</strong>
        </span>
      }
    >
      {evals.length === 0 && overlays.length === 0 ? (
        <EmptyChart>Pixel accuracy and mIoU appear after the first epoch.</EmptyChart>
      ) : (
        <ResponsiveContainer width="100%" height={chartHeight}>
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
                dataKey="pixelAccuracy"
                name="pixel accuracy"
                stroke={COLORS.primary}
                strokeWidth={2}
                isAnimationActive={false}
              />
            )}
            {evals.length > 0 && (
              <Line
                dataKey="mIoU"
                name="mIoU"
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
