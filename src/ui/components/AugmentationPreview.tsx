import { useEffect, useRef, useState } from 'react';
import type * as Comlink from 'comlink';
import type { ExperimentConfig } from '../../config';
import type { PreviewBatch, TrainerWorkerApi } from '../../worker/protocol';
import { drawRgbImage } from '../draw-pixels';
import { errorMessage } from '../../errors';

/** Images shown at most: one default batch. */
export const PREVIEW_LIMIT = 128;

function stepsOf(config: ExperimentConfig): string {
  const steps = [
    config.crop && 'random-resized-crop',
    config.flip && 'flip',
    config.jitter && 'colour jitter',
    config.pca && 'PCA lighting noise',
  ].filter(Boolean);
  return steps.length > 0 ? steps.join(', ') : 'no augmentation (the validation transform)';
}

function Tile({ batch, index }: { batch: PreviewBatch; index: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const { size, pixels } = batch;
    drawRgbImage(ref.current, pixels, index * size * size * 3, size, size);
  }, [batch, index]);
  const label = batch.labels[index]!;
  return (
    <figure className="preview-tile">
      <canvas ref={ref} width={batch.size} height={batch.size} role="img" aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** One training batch after augmentation, before normalization, drawn on demand. */
export function AugmentationPreview({
  api,
  config,
  disabled,
  datasetReady,
}: {
  api: Comlink.Remote<TrainerWorkerApi> | null;
  config: ExperimentConfig;
  disabled: boolean;
  datasetReady: boolean;
}) {
  const [batch, setBatch] = useState<{ data: PreviewBatch; steps: string; draw: number } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const draws = useRef(0);
  const count = Math.min(config.batch, PREVIEW_LIMIT);

  const refresh = () => {
    if (!api) return;
    setBusy(true);
    setError(null);
    const steps = stepsOf(config);
    const draw = ++draws.current;
    api
      .preview(config, count, draw)
      .then((data) => setBatch({ data, steps, draw }))
      .catch((err: unknown) => setError(errorMessage(err)))
      .finally(() => setBusy(false));
  };

  return (
    <section className="chart-card augmentation-preview" aria-label="Augmentation preview">
      <div className="preview-head">
        <h3>Augmentation preview</h3>
        <button
          type="button"
          onClick={refresh}
          disabled={!api || busy || disabled || !datasetReady}
        >
          {busy ? 'Drawing…' : batch ? 'New batch' : 'Preview one batch'}
        </button>
      </div>
      {!datasetReady && <p className="param-note">Load the dataset to preview its images.</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {batch && (
        <>
          <p className="param-help">
            {batch.data.count} training images of {batch.data.dataset} at {batch.data.size}×
            {batch.data.size}, as the network sees them after {batch.steps}, before normalization.
          </p>
          <div className="preview-grid" data-testid="preview-grid" data-count={batch.data.count}>
            {Array.from({ length: batch.data.count }, (_, i) => (
              <Tile key={`${batch.draw}-${i}`} batch={batch.data} index={i} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
