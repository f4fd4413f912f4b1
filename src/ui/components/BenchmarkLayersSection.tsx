import { plannedBasis, ratioBasis } from '../../benchmark-report/derive';
import type { BenchRow, LayerTuning, RooflinePeaks } from '../../benchmark-report/report';
import type { BenchmarkRequest } from '../../worker/protocol';
import { BenchmarkLayersTable } from './BenchmarkLayersTable';

/** The per-layer table for the run's basis (the tuning is of the ratio network at that batch). */
export function BenchmarkLayersSection({
  tuning,
  request,
  rows,
  peaks,
}: {
  tuning: LayerTuning | null;
  peaks: RooflinePeaks | null;
  request: BenchmarkRequest | null;
  rows: BenchRow[];
}) {
  if (!tuning) return null;
  const basis = (request && plannedBasis(request.models, request.batches)) ?? ratioBasis(rows);
  if (!basis) return null;
  return (
    <>
      <h3>Convolution kernels per layer</h3>
      <BenchmarkLayersTable
        tuning={tuning}
        kernels={request?.kernels ?? 'auto'}
        model={basis.model}
        batch={basis.batch}
        peaks={peaks}
      />
    </>
  );
}
