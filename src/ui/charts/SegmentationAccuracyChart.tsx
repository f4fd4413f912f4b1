import { SEGMENTATION_CLASSES } from '../../data/synthetic-scenes';
import type { EvalResult } from '../../run/events';
import { formatNumber, formatPercent } from '../format';
import { COLORS, ChartCard, EmptyChart, useChartHeight } from './ChartCard';
import { bandNote, type OverlaySeries } from './overlays';
import { PercentByEpochPlot } from './PercentByEpochPlot';

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
        <PercentByEpochPlot
          data={data}
          lines={
            evals.length > 0
              ? [
                  { dataKey: 'pixelAccuracy', name: 'pixel accuracy', stroke: COLORS.primary },
                  { dataKey: 'mIoU', name: 'mIoU', stroke: COLORS.secondary },
                ]
              : []
          }
          overlays={overlays}
          height={chartHeight}
        />
      )}
    </ChartCard>
  );
}
