import * as Comlink from 'comlink';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import {
  confusionMatrix,
  perClassAccuracy,
  sampleIndices,
  topConfusions,
} from '../../experiments/predictions';
import type { TrainerWorkerApi, ValidationImages } from '../../worker/protocol';
import { drawRgbImage } from '../draw-pixels';
import { formatPercent } from '../format';

const SAMPLE_COUNT = 16;
/** Above this many classes the full matrix is unreadable: list the top confusions instead. */
const MATRIX_MAX_CLASSES = 20;

function SampleTile({
  images,
  index,
  caption,
  wrong,
}: {
  images: ValidationImages;
  index: number;
  caption: string;
  wrong: boolean;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const { width, height, pixels } = images;
    drawRgbImage(ref.current, pixels, index * width * height * 3, width, height);
  }, [images, index]);
  return (
    <figure className={wrong ? 'preview-tile prediction-wrong' : 'preview-tile'}>
      <canvas
        ref={ref}
        width={images.width}
        height={images.height}
        role="img"
        aria-label={caption}
      />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

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
  const [images, setImages] = useState<{ key: string; images: ValidationImages } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = run && last ? `${run.id}:${last.step}` : '';

  useEffect(() => {
    if (!api || !run || !set || images?.key === key) return;
    let cancelled = false;
    api
      .validationImages(run.config, samples)
      .then((loaded) => {
        if (!cancelled) {
          setImages({ key, images: loaded });
          setError(null);
        }
      })
      .catch((err: unknown) => {
        if (!cancelled) {
          setError(
            `The validation images are not available: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, run, set, samples, key, images?.key]);

  const names = images?.key === key ? images.images.classNames : [];
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
          {images?.key === key && (
            <div className="preview-grid" data-testid="prediction-samples">
              {samples.map((index, i) => {
                const label = set.labels[index]!;
                const predicted = set.predictions[index]!;
                const caption =
                  `${nameOf(label)} → ${nameOf(predicted)} ` +
                  `(${formatPercent(set.confidences[index]!)})`;
                return (
                  <SampleTile
                    key={index}
                    images={images.images}
                    index={i}
                    caption={caption}
                    wrong={label !== predicted}
                  />
                );
              })}
            </div>
          )}
          <div className="chart-pair">
            <div>
              <h4>Per-class accuracy</h4>
              <table className="layer-table" data-testid="per-class-accuracy">
                <thead>
                  <tr>
                    <th scope="col">Class</th>
                    <th scope="col">Top-1</th>
                    <th scope="col">Images</th>
                  </tr>
                </thead>
                <tbody>
                  {accuracy.map((acc, k) => (
                    <tr key={k}>
                      <td>{nameOf(k)}</td>
                      <td>{acc === null ? '—' : formatPercent(acc)}</td>
                      <td>{matrix[k]!.reduce((a, b) => a + b, 0)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div>
              <h4>Confusion matrix</h4>
              {classes <= MATRIX_MAX_CLASSES ? (
                <div className="table-scroll">
                  <table className="confusion" data-testid="confusion-matrix">
                    <caption className="small muted">Rows: true class. Columns: predicted.</caption>
                    <thead>
                      <tr>
                        <th scope="col">true \ predicted</th>
                        {matrix.map((_, k) => (
                          <th scope="col" key={k} title={nameOf(k)}>
                            {k}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {matrix.map((row, label) => {
                        const total = row.reduce((a, b) => a + b, 0) || 1;
                        return (
                          <tr key={label}>
                            <th scope="row">
                              {label} {nameOf(label)}
                            </th>
                            {row.map((count, predicted) => (
                              <td
                                key={predicted}
                                className={predicted === label ? 'diagonal' : undefined}
                                style={{ opacity: 0.35 + (0.65 * count) / total }}
                              >
                                {count}
                              </td>
                            ))}
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              ) : (
                <ol data-testid="confusion-matrix">
                  {topConfusions(matrix, 10).map((c) => (
                    <li key={`${c.label}-${c.predicted}`}>
                      {nameOf(c.label)} → {nameOf(c.predicted)}: {c.images} images
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
