import type { LargestConv } from '../../benchmark/report';
import { formatPercent } from '../format';

/** FMA peak and largest convolution, or which of them the run ended before. */
export function BenchmarkPeakLine({
  peakGflops,
  largestConv,
}: {
  peakGflops: number | null;
  largestConv: LargestConv | null;
}) {
  if (peakGflops === null) {
    return (
      <p className="small muted" data-testid="benchmark-peak">
        FMA peak: not measured (the run ended before it).
      </p>
    );
  }
  return (
    <p className="small" data-testid="benchmark-peak">
      FMA peak <strong>{peakGflops.toFixed(1)} GFLOP/s</strong>;{' '}
      {largestConv ? (
        <>
          largest convolution {largestConv.name} ({largestConv.shape}, f32 forward,{' '}
          {largestConv.kernel} kernel) <strong>{largestConv.gflops.toFixed(1)} GFLOP/s</strong> ={' '}
          {formatPercent(largestConv.gflops / peakGflops)} of peak.
        </>
      ) : (
        'largest convolution: not measured (the run ended before it).'
      )}
    </p>
  );
}
