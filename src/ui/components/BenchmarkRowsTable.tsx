import { lossScaleCell, syncCell, tuningCell, type BenchRow } from '../../benchmark-report/report';
import { READBACK_STEPS } from '../../run-control/readback-interval';
import { MODEL_NAMES } from './benchmark-format';

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/**
 * One line per measured row: both images/s figures, the first step, memory, dispatches and FP16's
 * loss scale.
 */
export function BenchmarkRowsTable({ rows, leakStep }: { rows: BenchRow[]; leakStep: number }) {
  return (
    <div className="table-scroll">
      <table data-testid="benchmark-table" aria-label="Benchmark rows">
        <caption className="small muted">
          images/s: the trainer’s own step (upload, augmentation, forward, backward, update; FP16
          with dynamic loss scaling), the loss read back every {READBACK_STEPS} steps as training
          does, each timed window ending when the GPU has finished; sync images/s: read back after
          every step. tf.layers’ trainOnBatch always reads back, so its two figures are one (same).
          The ratios use images/s.
        </caption>
        <thead>
          <tr>
            <th scope="col">variant</th>
            <th scope="col">network</th>
            <th scope="col" className="num">
              batch
            </th>
            <th scope="col">kernels</th>
            <th scope="col" className="num">
              images/s
            </th>
            <th scope="col" className="num">
              sync images/s
            </th>
            <th scope="col" className="num">
              first step ms
            </th>
            <th scope="col">first step tuning</th>
            <th scope="col" className="num">
              tensors @1 / @{leakStep}
            </th>
            <th scope="col" className="num">
              GPU MB @1 / @{leakStep}
            </th>
            <th
              scope="col"
              className="num"
              title="the most GPU memory in use at any moment of step 2"
            >
              peak GPU MB/step
            </th>
            <th scope="col" className="num">
              dispatches/step
            </th>
            <th scope="col" className="num" title="FP16 rows: the scale after the last step">
              loss scale (skipped)
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.name}-${r.model}-${r.batch}`}
              data-variant={r.name}
              data-model={r.model}
              data-batch={r.batch}
            >
              <td>{r.name}</td>
              <td>{MODEL_NAMES[r.model]}</td>
              <td className="num">{r.batch}</td>
              <td data-col="kernels">{r.kernels}</td>
              <td className="num" data-col="imgPerSec" data-value={r.imgPerSec}>
                {r.imgPerSec.toFixed(1)}
              </td>
              <td className="num" data-col="imgPerSecSync" data-value={r.imgPerSecSync}>
                {syncCell(r)}
              </td>
              <td className="num">{r.firstStepMs.toFixed(0)}</td>
              <td data-col="firstStepTuning" data-value={r.firstStepTuning}>
                {tuningCell(r)}
              </td>
              <td className="num">
                {r.tensorsAt1} / {r.tensorsAtLeakStep}
              </td>
              <td className="num">
                {mb(r.gpuBytesAt1)} / {mb(r.gpuBytesAtLeakStep)}
              </td>
              <td className="num" data-col="peakGpuBytes" data-value={r.peakGpuBytes}>
                {mb(r.peakGpuBytes)}
              </td>
              <td className="num" data-col="dispatchesPerStep" data-value={r.dispatchesPerStep}>
                {r.dispatchesPerStep}
              </td>
              <td className="num" data-col="lossScale">
                {lossScaleCell(r)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
