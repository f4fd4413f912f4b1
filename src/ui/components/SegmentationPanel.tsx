import type * as Comlink from 'comlink';
import { useMemo } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import type { EvalResult } from '../../run/events';
import type { TrainerWorkerApi } from '../../worker/protocol';
import { formatPercent } from '../format';
import { useValidationImages } from '../hooks/useValidationImages';
import { MaskLegend } from './MaskLegend';
import { SegmentationScene } from './SegmentationScene';

/**
 * A segmentation run's latest evaluation on its first validation scenes: each image beside its
 * true mask and the mask the network predicts, with the colour of each class.
 */
export function SegmentationPanel({
  run,
  api,
}: {
  run: SavedRun | null;
  api: Comlink.Remote<TrainerWorkerApi> | null;
}) {
  const last = run?.evals.at(-1);
  return (
    <section
      className="chart-card segmentation"
      aria-labelledby="segmentation-heading"
      data-testid="segmentation-panel"
    >
      <h3 id="segmentation-heading">Segmentation predictions</h3>
      {run && last?.predictedMasks?.length ? (
        <LatestMasks run={run} last={last} masks={last.predictedMasks} api={api} />
      ) : (
        <p className="muted">
          The predicted masks of the first validation scenes appear after the shown run&apos;s first
          evaluation.
        </p>
      )}
    </section>
  );
}

function LatestMasks({
  run,
  last,
  masks,
  api,
}: {
  run: SavedRun;
  last: EvalResult;
  masks: number[][];
  api: Comlink.Remote<TrainerWorkerApi> | null;
}) {
  const count = masks.length;
  const indices = useMemo(() => Array.from({ length: count }, (_, i) => i), [count]);
  // The scenes' pixels and true masks are the same after every epoch: fetched once per run.
  const { images, error } = useValidationImages(api, run, indices, `${run.id}:${count}`);
  const trueMasks = images?.masks;
  return (
    <>
      <p className="muted small">
        Run {run.id}, evaluation after epoch {last.epoch} (pixel accuracy{' '}
        {formatPercent(last.pixelAccuracy)}, mIoU {formatPercent(last.mIoU)} on the{' '}
        {run.config.val_size} validation scenes). For each scene: the image, its true mask and the
        mask the network predicts.
      </p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {images && !trueMasks && (
        <p className="notice notice-error" role="alert">
          The validation images of run {run.id}&apos;s dataset came without masks.
        </p>
      )}
      {images && trueMasks && (
        <div className="segmentation-scenes">
          {masks.map((mask, i) => (
            <SegmentationScene
              key={i}
              images={images}
              trueMasks={trueMasks}
              index={i}
              predicted={mask}
            />
          ))}
        </div>
      )}
      <MaskLegend />
    </>
  );
}
