import type { KernelSetting } from '../../tuning-plan/plan';
import {
  formatMs,
  percentOf,
  type BenchCandidate,
  type BenchModel,
  type LayerTuning,
  type RooflinePeaks,
} from '../../benchmark-report/report';
import { MODEL_NAMES } from './benchmark-format';

const OP_NAMES = {
  forward: 'forward',
  inputGrad: 'input gradient',
  filterGrad: 'filter gradient',
} as const;

/** Every kernel id of the tuning, in the order the tuner timed them (the registry's). */
function kernelColumns(tuning: LayerTuning): string[] {
  const ids: string[] = [];
  for (const layer of tuning.layers) {
    for (const c of layer.candidates) if (!ids.includes(c.id)) ids.push(c.id);
  }
  return ids;
}

/** A timed candidate's place on the roofline: GFLOP/s and GB/s, each as a share of its peak. */
function RooflineFigures({ c, peaks }: { c: BenchCandidate; peaks: RooflinePeaks | null }) {
  if (c.gflops === null) return null;
  const gbps = c.gbps === null ? '— GB/s' : `${c.gbps.toFixed(1)} GB/s`;
  return (
    <span className="small muted">
      <br />
      {c.gflops.toFixed(1)} GFLOP/s, {gbps}
      {peaks && (
        <>
          <br />
          {percentOf(c.gflops, peaks.gflops)} FMA, {percentOf(c.gbps, peaks.gbps)} copy
        </>
      )}
    </span>
  );
}

/**
 * The per-layer kernel timings, like cuDNN's find results: one row per f32 convolution op of the
 * ratio network, one column per kernel (ms per run; below, GFLOP/s and GB/s moved, and their
 * shares of the two peaks), and the kernel the run's setting uses in the Chosen column (its cell
 * is marked too).
 */
export function BenchmarkLayersTable({
  tuning,
  kernels,
  model,
  batch,
  peaks,
}: {
  tuning: LayerTuning;
  kernels: KernelSetting;
  model: BenchModel;
  batch: number;
  peaks: RooflinePeaks | null;
}) {
  const columns = kernelColumns(tuning);
  const rule =
    kernels === 'auto'
      ? 'the fastest (the kernels setting is auto)'
      : `the ${kernels} family where it applies (forced by the kernels setting)`;
  return (
    <div className="table-scroll bench-layers">
      <table data-testid="benchmark-layers" aria-label="Per-layer convolution kernels">
        <caption className="small muted">
          Every f32 convolution op of {MODEL_NAMES[model]} at batch {batch}, each kernel timed (
          {tuning.timer}, {(tuning.ms / 1000).toFixed(1)} s in all): ms per run; below, GFLOP/s and
          GB/s (the bytes the kernel’s loads and stores move; not counted for tfjs), and each as a
          share of the FMA and copy peaks. Chosen: {rule}. — = failed on this adapter, or cut short
          at over 3× the best time; n/a = the kernel cannot run this op.
        </caption>
        <thead>
          <tr>
            <th scope="col">op</th>
            <th scope="col">shape</th>
            {columns.map((id) => (
              <th key={id} scope="col" className="num">
                {id}
              </th>
            ))}
            <th scope="col">Chosen</th>
          </tr>
        </thead>
        <tbody>
          {tuning.layers.map((layer) => {
            const timed = layer.candidates.some((c) => c.id === layer.chosen);
            return (
              <tr
                key={`${layer.op} ${layer.shape}`}
                data-op={layer.op}
                data-shape={layer.shape}
                data-chosen={layer.chosen}
              >
                <th scope="row">{OP_NAMES[layer.op]}</th>
                {/* The caption names the batch; the cells stay narrow. */}
                <td>{layer.shape.replace(/, batch \d+$/, '')}</td>
                {columns.map((id) => {
                  const c = layer.candidates.find((k) => k.id === id);
                  if (!c) {
                    return (
                      <td key={id} className="num muted">
                        n/a
                      </td>
                    );
                  }
                  const chosen = id === layer.chosen;
                  const ms = formatMs(c.ms);
                  return (
                    <td
                      key={id}
                      className="num"
                      data-kernel={id}
                      data-value={c.ms ?? ''}
                      data-chosen={chosen ? 'true' : undefined}
                    >
                      {chosen ? <strong>✓ {ms}</strong> : ms}
                      <RooflineFigures c={c} peaks={peaks} />
                    </td>
                  );
                })}
                <td data-col="chosen">
                  <strong>{layer.chosen}</strong>
                  {!timed && ' (not timed)'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
