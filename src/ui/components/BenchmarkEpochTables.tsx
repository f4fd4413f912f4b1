import { useState } from 'react';
import { epochTimes, table3 } from '../../benchmark-report/derive';
import type { BenchRow } from '../../benchmark-report/report';
import { formatDuration } from '../format';
import { MODEL_NAMES, times } from './benchmark-format';

const CIFAR10_TRAIN_IMAGES = 50_000;
const seconds = (s: number | null) => (s === null ? '—' : formatDuration(s));

/** Time per epoch for an editable number of images: the paper's Table 3 view, then every row. */
export function EpochTables({ rows }: { rows: BenchRow[] }) {
  const [text, setText] = useState(String(CIFAR10_TRAIN_IMAGES));
  const images = Number(text);
  const valid = Number.isInteger(images) && images >= 1 && images <= 100_000_000;
  return (
    <div className="bench-epoch">
      <h3>Time per epoch</h3>
      <label className="bench-field">
        Images per epoch{' '}
        <input
          type="number"
          min={1}
          step={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>{' '}
      <span className="small muted">50,000 = the CIFAR-10 training set</span>
      {!valid ? (
        <p className="problems" role="status">
          Images per epoch must be a whole number from 1 to 100,000,000.
        </p>
      ) : (
        <>
          <table data-testid="benchmark-table3" aria-label="Time per epoch, baseline vs efficient">
            <caption className="small muted">
              Like the paper’s Table 3: baseline = stock tf.layers in f32 at the smallest batch;
              efficient = the fastest engine setting measured. Images per epoch ÷ the images/s of
              the timed steps (upload, augmentation and the training step on the GPU): training
              steps only, not measured epochs: no decoding, no evaluation, no smaller last batch.
            </caption>
            <thead>
              <tr>
                <th scope="col">network</th>
                <th scope="col">baseline</th>
                <th scope="col">efficient</th>
                <th scope="col" className="num">
                  speed-up
                </th>
              </tr>
            </thead>
            <tbody>
              {table3(rows, images).map((t) => (
                <tr key={t.model} data-model={t.model}>
                  <td>{MODEL_NAMES[t.model]}</td>
                  <td>
                    {t.baseline
                      ? `${seconds(t.baseline.seconds)} (tf.layers, batch ${t.baseline.batch})`
                      : '—'}
                  </td>
                  <td>
                    {t.efficient
                      ? `${seconds(t.efficient.seconds)} (${t.efficient.variant}, batch ${t.efficient.batch})`
                      : '—'}
                  </td>
                  <td className="num">{times(t.speedup)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table aria-label="Time per epoch per batch">
            <caption className="small muted">Every row, the same way: training steps only.</caption>
            <thead>
              <tr>
                <th scope="col">network</th>
                <th scope="col" className="num">
                  batch
                </th>
                <th scope="col" className="num">
                  tf.layers
                </th>
                <th scope="col" className="num">
                  engine f32
                </th>
                <th scope="col" className="num">
                  engine f16-storage/f16
                </th>
                <th scope="col" className="num">
                  engine f16-storage/f32
                </th>
                <th scope="col" className="num">
                  speed-up
                </th>
              </tr>
            </thead>
            <tbody>
              {epochTimes(rows, images).map((e) => (
                <tr key={`${e.model}-${e.batch}`}>
                  <td>{MODEL_NAMES[e.model]}</td>
                  <td className="num">{e.batch}</td>
                  <td className="num">{seconds(e.seconds['tf.layers'])}</td>
                  <td className="num">{seconds(e.seconds['engine f32'])}</td>
                  <td className="num">{seconds(e.seconds['engine f16-storage/f16'])}</td>
                  <td className="num">{seconds(e.seconds['engine f16-storage/f32'])}</td>
                  <td className="num">{times(e.speedup)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
