import type * as Comlink from 'comlink';
import { useMemo } from 'react';
import { confusionMatrix, perClassAccuracy, sampleIndices } from '../../experiments/predictions';
import type { SavedRun } from '../../experiments/saved-run';
import type { TrainerWorkerApi } from '../../worker/protocol';
import { useValidationImages } from '../hooks/useValidationImages';
import { ConfusionMatrix } from './ConfusionMatrix';
import { PerClassAccuracy } from './PerClassAccuracy';
import { PredictionSamples } from './PredictionSamples';

const SAMPLE_COUNT = 16;

/** Sample predictions, per-class accuracy and the confusion matrix of a run's last evaluation. */
export function PredictionsPanel({
  run,
  api,
}: {
  run: SavedRun | null;
  api: Comlink.Remote<TrainerWorkerApi> | null;
}) {
  const last = run?.evals.at(-1);
  const set = useMemo(
    () =>
      last?.predictions && last.confidences && last.labels
        ? { predictions: last.predictions, confidences: last.confidences, labels: last.labels }
        : null,
    [last],
  );
  const classes = useMemo(
    () => (set ? Math.max(0, ...set.labels, ...set.predictions) + 1 : 0),
    [set],
  );
  const matrix = useMemo(() => (set ? confusionMatrix(set, classes) : []), [set, classes]);
  const accuracy = useMemo(() => perClassAccuracy(matrix), [matrix]);
  const samples = useMemo(() => (set ? sampleIndices(set, SAMPLE_COUNT) : []), [set]);
  const key = run && last ? `${run.id}:${last.step}` : '';
  const { images, error } = useValidationImages(api, run, set ? samples : null, key);

  const names = images?.classNames ?? [];
  const nameOf = (k: number) => names[k] ?? `class ${k}`;

  return (
    <section className="chart-card predictions" aria-label="Predictions on validation images">
      <h3>Predictions on validation images</h3>
      {!set || !run || !last ? (
        <p className="muted">
          Sample predictions, per-class accuracy and the confusion matrix appear after the shown
          run&apos;s first evaluation.
        </p>
      ) : (
        <>
          <p className="muted small">
            Run {run.id}, evaluation after epoch {last.epoch}: the most confident mistakes first,
            then correct predictions.
          </p>
          {error && (
            <p className="notice notice-error" role="alert">
              {error}
            </p>
          )}
          {images && (
            <PredictionSamples set={set} samples={samples} images={images} nameOf={nameOf} />
          )}
          <div className="chart-pair">
            <div>
              <h4>Per-class accuracy</h4>
              <PerClassAccuracy matrix={matrix} accuracy={accuracy} nameOf={nameOf} />
            </div>
            <div>
              <h4>Confusion matrix</h4>
              <ConfusionMatrix matrix={matrix} nameOf={nameOf} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
