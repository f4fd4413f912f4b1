import type { KernelSetting } from '../../autotune/plan';
import { formatMs, type BenchModel, type LayerTuning } from '../../benchmark/report';
import { MODEL_NAMES } from './benchmark-format';

const OP_NAMES = {
  forward: 'forward',
  inputGrad: 'input gradient',
  filterGrad: 'filter gradient',
} as const;

/**
 * The per-layer kernel timings, like cuDNN's find results: for each f32 convolution op of the
 * ratio network, every kernel that can run it with its time and GFLOP/s, and the one the run's
 * kernel setting uses in the Chosen column.
 */
export function BenchmarkLayersTable({
  tuning,
  kernels,
  model,
  batch,
}: {
  tuning: LayerTuning;
  kernels: KernelSetting;
  model: BenchModel;
  batch: number;
}) {
  const rule =
    kernels === 'auto'
      ? 'the fastest (the kernels setting is auto)'
      : `the ${kernels} family where it applies (forced by the kernels setting)`;
  return (
    <div className="table-scroll bench-layers">
      <table data-testid="benchmark-layers" aria-label="Per-layer convolution kernels">
        <caption className="small muted">
          Every f32 convolution op of {MODEL_NAMES[model]} at batch {batch}, each kernel timed (
          {tuning.timer}, {(tuning.ms / 1000).toFixed(1)} s in all). Chosen: {rule}. — = failed on
          this adapter, or cut short at ≥ 3× the best time.
        </caption>
        <thead>
          <tr>
            <th scope="col">op</th>
            <th scope="col">shape</th>
            <th scope="col">kernel</th>
            <th scope="col" className="num">
              ms
            </th>
            <th scope="col" className="num">
              GFLOP/s
            </th>
            <th scope="col">Chosen</th>
          </tr>
        </thead>
        {tuning.layers.map((layer) => {
          const timed = layer.candidates.some((c) => c.id === layer.chosen);
          const span = layer.candidates.length + (timed ? 0 : 1);
          const head = (
            <>
              <th scope="rowgroup" rowSpan={span}>
                {OP_NAMES[layer.op]}
              </th>
              <th scope="rowgroup" rowSpan={span}>
                {layer.shape}
              </th>
            </>
          );
          return (
            <tbody
              key={`${layer.op} ${layer.shape}`}
              data-op={layer.op}
              data-shape={layer.shape}
              data-chosen={layer.chosen}
            >
              {layer.candidates.map((c, i) => {
                const chosen = c.id === layer.chosen;
                return (
                  <tr key={c.id} data-kernel={c.id} data-chosen={chosen ? 'true' : undefined}>
                    {i === 0 && head}
                    <td>{chosen ? <strong>{c.id}</strong> : c.id}</td>
                    <td className="num" data-value={c.ms ?? ''}>
                      {formatMs(c.ms)}
                    </td>
                    <td className="num">{c.gflops === null ? '—' : c.gflops.toFixed(1)}</td>
                    <td>{chosen && <strong>✓ chosen</strong>}</td>
                  </tr>
                );
              })}
              {!timed && (
                // A forced kernel that was not among the timed candidates still runs: say so.
                <tr data-kernel={layer.chosen} data-chosen="true">
                  {layer.candidates.length === 0 && head}
                  <td>
                    <strong>{layer.chosen}</strong>
                  </td>
                  <td className="num">not timed</td>
                  <td className="num">—</td>
                  <td>
                    <strong>✓ chosen</strong>
                  </td>
                </tr>
              )}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}
